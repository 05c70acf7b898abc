/**
 * The lab's HTTP side: the page (built files only, under a strict CSP), its snapshot,
 * one server-sent-event stream per tab, and the declared actions (loopback or token).
 *   GET  /                    the page
 *   GET  /assets/<file>       the bundle (files listed at start; nothing else is served)
 *   GET  /api/state           the latest snapshot (polled anew if older than one interval)
 *   GET  /api/events          SSE: `hello` once, then `state` per poll and `marker` per action
 *   GET  /api/where?key=K     which shard / cluster node holds K
 *   POST /api/actions/<id>    run a declared action (header x-lab-action: 1)
 *   GET  /api/scenarios       the guided scenarios and the current run's timeline
 *   POST /api/scenarios/<id>  start one (same guards as actions); 202, then watch its timeline
 * Errors answer the kit's body, {"error":{"code","message"}} (src/errors.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { extname, join } from 'node:path';
import { type Logger, writeHttpError } from '@fopnp/net';
import { LabError } from './errors.js';
import type { Lab } from './lab.js';
import { checkKey } from './sharding.js';

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
    const fail = (err: unknown) => {
      if (!(err instanceof LabError))
        o.logger.error({ err: (err as Error)?.message, path }, 'request failed');
      writeHttpError(res, err, { ...SECURITY_HEADERS, 'cache-control': 'no-store' });
    };

    const scenario = req.method === 'POST' && path.startsWith('/api/scenarios/');
    if (scenario || (req.method === 'POST' && path.startsWith('/api/actions/'))) {
      // A custom header makes a cross-site browser request preflight, which is never answered.
      if (req.headers['x-lab-action'] !== '1') return fail(new LabError('ACTION_HEADER'));
      const loopback = isLoopback(req.socket.remoteAddress);
      if (!loopback && !tokenOk(req.headers.authorization, o.actionToken))
        return fail(new LabError('ACTION_FORBIDDEN'));
      req.resume();
      if (scenario) {
        try {
          return json(202, o.lab.startScenario(decodeURIComponent(path.slice('/api/scenarios/'.length))));
        } catch (err) {
          return fail(err);
        }
      }
      const id = decodeURIComponent(path.slice('/api/actions/'.length));
      if (!/^[a-z0-9-]+\.[a-z-]+$/.test(id)) return fail(new LabError('NO_ACTION', id, 'see /api/state'));
      o.lab.act(id).then((marker) => {
        o.onAction?.(id, marker.ok);
        if (marker.ok) return json(200, marker);
        // The one error body, and the marker the page also got.
        const e = new LabError('ACTION_FAILED', marker.label, marker.detail);
        json(e.statusCode, { error: { code: e.code, message: e.message }, marker });
      }, fail);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD, POST');
      return fail(new LabError('METHOD_NOT_ALLOWED', req.method ?? '?'));
    }
    if (path === '/api/state') {
      o.lab.fresh().then((snap) => (snap ? json(200, snap) : fail(new LabError('NOT_READY'))), fail);
      return;
    }
    if (path === '/api/scenarios') {
      const snap = o.lab.latest;
      return json(200, snap ? snap.scenarios : { list: [], run: o.lab.scenarios.current });
    }
    if (path === '/api/where') {
      try {
        const key = checkKey(url.searchParams.get('key'));
        o.lab.where(key).then((w) => json(200, w), fail);
      } catch (err) {
        fail(err);
      }
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
    if (!asset) return fail(new LabError('NOT_FOUND', path));
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
