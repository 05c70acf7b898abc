/**
 * timeapp_raw.py (ch. 10) on Node's own request and response objects, as the book's version is
 * written against bare WSGI: the Host header split by hand, the query cut off the path by hand,
 * the status line, headers and body written by the app itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ctime } from './ctime.js';

/** `pathInfo` is the path below where the app is mounted (WSGI's PATH_INFO), query included. */
export function timeappRaw(req: IncomingMessage, res: ServerResponse, pathInfo: string): void {
  let host = req.headers.host ?? '127.0.0.1';
  let path = pathInfo;
  if (host.includes(':')) host = host.slice(0, host.indexOf(':'));
  if (path.includes('?')) path = path.slice(0, path.indexOf('?'));
  const headers = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (req.method !== 'GET') {
    res.writeHead(501, headers);
    res.end('501 Not Implemented');
  } else if (host !== '127.0.0.1' || path !== '/') {
    res.writeHead(404, headers);
    res.end('404 Not Found');
  } else {
    res.writeHead(200, headers);
    res.end(ctime());
  }
}
