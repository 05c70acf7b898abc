export * from './capitalize.js';
export * from './client.js';
export * from './deadlock-client.js';
export * from './deadlock-server.js';
export { manifest } from './manifest.js';
export * from './protocol.js';
export * from './server.js';
export * from './service.js';
