/**
 * The lab's HTTP side: the page (built files only, under a strict CSP), its snapshot,
 * one server-sent-event stream per tab, and the declared actions (loopback or token).
 *   GET  /                    the page
 *   GET  /assets/<file>       the bundle (files listed at start; nothing else is served)
 *   GET  /api/state           the latest snapshot (polled anew if older than one interval)
 *   GET  /api/events          SSE: `hello` once, then `state` per poll and `marker` per action
 *   POST /api/actions/<id>    run a declared action (header x-lab-action: 1)
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { extname, join } from 'node:path';
import type { Logger } from '@fopnp/net';
import { ActionError } from './actions/driver.js';
import type { Lab } from './lab.js';

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface LabServerOptions {
  lab: Lab;
  /** Folder of the built page (index.html + assets/). */
  webDir: string;
  /** Lets non-loopback callers run actions; unset = loopback only. */
  actionToken: string | undefined;
  logger: Logger;
  onAction?: (id: string, ok: boolean) => void;
}

function isLoopback(addr: string | undefined): boolean {
  return (
    addr === '127.0.0.1' ||
    addr === '::1' ||
    addr?.startsWith('::ffff:127.') === true ||
    addr?.startsWith('127.') === true
  );
}

function tokenOk(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const a = Buffer.from(header.slice(7));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads the built page once: a fixed map of path → file, so no request names a file. */
function loadAssets(webDir: string): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  if (!existsSync(join(webDir, 'index.html'))) return files;
  files.set('/', { type: TYPES['.html']!, body: readFileSync(join(webDir, 'index.html')) });
  const assets = join(webDir, 'assets');
  if (existsSync(assets)) {
    for (const f of readdirSync(assets)) {
      const type = TYPES[extname(f)];
      if (type) files.set(`/assets/${f}`, { type, body: readFileSync(join(assets, f)) });
    }
  }
  return files;
}

export function createLabServer(o: LabServerOptions): http.Server {
  const assets = loadAssets(o.webDir);
  if (assets.size === 0) o.logger.warn({ webDir: o.webDir }, 'no built page found; run the build');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://lab');
    const path = url.pathname;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, {
        ...SECURITY_HEADERS,
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      res.end(`${JSON.stringify(body)}\n`);
    };

    if (req.method === 'POST' && path.startsWith('/api/actions/')) {
      const id = decodeURIComponent(path.slice('/api/actions/'.length));
      // A custom header makes a cross-site browser request preflight, which is never answered.
      if (req.headers['x-lab-action'] !== '1') return json(400, { error: 'send the header x-lab-action: 1' });
      const loopback = isLoopback(req.socket.remoteAddress);
      if (!loopback && !tokenOk(req.headers.authorization, o.actionToken))
        return json(403, { error: 'actions need a loopback caller or Authorization: Bearer <LAB_TOKEN>' });
      if (!/^[a-z0-9-]+\.[a-z-]+$/.test(id)) return json(404, { error: `no action ${JSON.stringify(id)}` });
      req.resume();
      o.lab.act(id).then(
        (marker) => {
          o.onAction?.(id, marker.ok);
          json(marker.ok ? 200 : 502, marker);
        },
        (err: unknown) => {
          const status = err instanceof ActionError ? err.status : 500;
          json(status, { error: (err as Error).message });
        },
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, POST' }).end();
      return;
    }
    if (path === '/api/state') {
      o.lab.fresh().then(
        (snap) => json(200, snap ?? { error: 'first poll not finished' }),
        (err: unknown) => json(500, { error: (err as Error).message }),
      );
      return;
    }
    if (path === '/api/events') {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      const send = (event: string, data: unknown) =>
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      // The page sends no token: its buttons work for a loopback viewer; others use the API with LAB_TOKEN.
      const allowed = o.lab.actionsEnabled && isLoopback(req.socket.remoteAddress);
      send('hello', o.lab.hello(allowed));
      const unsubscribe = o.lab.subscribe((e) => send(e.type, e.data));
      // A comment now and then keeps proxies from closing an idle stream.
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(keepAlive);
        unsubscribe();
      });
      return;
    }
    const asset = assets.get(path);
    if (!asset) return json(404, { error: 'not found' });
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': asset.type,
      'cache-control': path === '/' ? 'no-cache' : 'public, max-age=300',
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  });
  server.keepAliveTimeout = 5_000;
  return server;
}
