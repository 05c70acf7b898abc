/**
 * tcp_deadlock.py (book ch. 3): a server that echoes every byte upper-cased, a client that
 * sends everything before reading (and stalls once both directions' buffers are full),
 * and the fix, a client that reads while it sends.
 */
export * from './capitalize.js';
export * from './capitalize-server.js';
export * from './client.js';
