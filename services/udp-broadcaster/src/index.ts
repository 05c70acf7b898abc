export * from './big.js';
export * from './client.js';
export * from './drop.js';
export * from './errors.js';
export { manifest } from './manifest.js';
export * from './protocol.js';
export * from './server.js';
export * from './service.js';
