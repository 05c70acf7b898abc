export * from './client.js';
export * from './deadlock/index.js';
export { manifest } from './manifest.js';
export * from './protocol.js';
export * from './server.js';
export * from './service.js';
