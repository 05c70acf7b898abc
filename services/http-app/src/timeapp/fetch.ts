/**
 * timeapp_webob.py (ch. 10) with the WHATWG Request and Response objects (the Fetch standard's,
 * global in Node as in browsers): like WebOb, a request object that has parsed the URL
 * (`url.hostname` is WebOb's `request.domain`) and a response object that knows how to
 * render itself, its Content-Type defaulted (text/plain;charset=UTF-8 here, WebOb's
 * text/html; charset=UTF-8).
 */
import { ctime } from './ctime.js';

export function timeappFetch(request: Request): Response {
  const url = new URL(request.url);
  if (request.method !== 'GET') return new Response('501 Not Implemented', { status: 501 });
  if (url.hostname !== '127.0.0.1' || url.pathname !== '/')
    return new Response('404 Not Found', { status: 404 });
  return new Response(ctime());
}
