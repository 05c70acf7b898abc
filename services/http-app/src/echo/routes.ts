/**
 * The httpbin-style endpoints (book ch. 10: see what HTTP really carries). Registered as an
 * encapsulated fastify plugin: its own body parsers (every body kept as raw bytes, plus
 * multipart), no bank security headers, so what you see is what the request carried.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpAppError } from '../errors.js';
import { anythingEcho } from './anything.js';
import { ENVIRON_PREAMBLE, pformat, wsgiEnviron } from './environ.js';
import { factsOf } from './facts.js';
import { framingRoutes } from './framing.js';
import { seededBytes } from './prng.js';
import { type Args, absoluteUrl, echoHeaders, getEcho, parseArgs } from './request-info.js';

export interface EchoOptions {
  /** Cap on /delay and /drip, seconds. */
  maxDelaySeconds: number;
  bodyLimit: number;
}

export const MAX_BYTES = 100 * 1024;
export const MAX_STREAM_LINES = 100;
export const MAX_REDIRECTS = 20;
/** A cookie name is an RFC 9110 token (RFC 6265 §4.1.1). */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Every path, for the index page and the README. */
export const ECHO_ENDPOINTS: Record<string, string> = {
  '/headers': 'the request headers, as the client spelled them',
  '/ip': "the client's address",
  '/user-agent': 'the User-Agent header',
  '/get': 'args, headers, origin and URL of a GET',
  '/anything[/*]': 'any method: args, form, files, json, data, headers',
  '/status/:codes': 'answers with the status, 200-599 (a comma list picks one at random, "500:3" weighs it)',
  '/delay/:n': 'answers after n seconds (capped by MAX_DELAY_SECONDS)',
  '/bytes/:n': 'n random bytes (?seed=S for the same bytes every time; at most 100 KiB)',
  '/stream/:n': 'n JSON lines, each its own chunk (Transfer-Encoding: chunked)',
  '/drip': '?numbytes=N&duration=S&delay=S&code=C: bytes dripped slowly, with Content-Length',
  '/redirect/:n': 'n 302 redirects, then /get (?absolute=true for absolute Locations)',
  '/cookies': 'the cookies sent; /cookies/set?k=v and /cookies/delete?k change them',
  '/basic-auth/:user/:pass': '200 with the right Basic credentials, else 401 and a challenge',
  '/gzip': 'a gzip-encoded JSON body (Content-Encoding: gzip)',
  '/cache': 'ETag and Last-Modified; If-None-Match / If-Modified-Since get 304',
  '/cache/:n': 'Cache-Control: public, max-age=n',
  '/environ': "the request as a WSGI environ, as the book's wsgi_env.py prints it",
  '/framing/:mode': 'the same body framed by length, chunked or close',
};

function intParam(value: string, name: string, max: number): number {
  if (!/^\d{1,9}$/.test(value))
    throw new HttpAppError('HTTP_APP_ERR_BAD_PARAMETER', `${name} must be a non-negative integer`);
  return Math.min(Number(value), max);
}

/** The query of /cookies/set or /cookies/delete; a name setCookie would refuse is a 400, not a 500. */
function cookieArgs(url: string): Args {
  const args = parseArgs(url);
  const bad = Object.keys(args).find((k) => !COOKIE_NAME.test(k));
  if (bad !== undefined)
    throw new HttpAppError('HTTP_APP_ERR_BAD_PARAMETER', `${JSON.stringify(bad)} is not a cookie name`);
  return args;
}

function queryNumber(args: Record<string, string | string[]>, name: string, dflt: number): number {
  const raw = args[name];
  if (raw === undefined) return dflt;
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isFinite(n) || n < 0)
    throw new HttpAppError('HTTP_APP_ERR_BAD_PARAMETER', `${name} must be a number >= 0`);
  return n;
}

export async function echoRoutes(app: FastifyInstance, opts: EchoOptions): Promise<void> {
  // Keep every body as bytes: /anything decides per Content-Type and reports bad JSON itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);

  app.get('/', (_req, reply) => {
    const width = Math.max(...Object.keys(ECHO_ENDPOINTS).map((k) => k.length));
    const rows = Object.entries(ECHO_ENDPOINTS).map(([p, d]) => `  ${p.padEnd(width)}  ${d}`);
    reply
      .type('text/plain; charset=utf-8')
      .send(
        `http-app: see what HTTP really carries (fopnp ch. 9-11)\n\n${rows.join('\n')}\n\nThe bank of app_improved.py: /bank/\n`,
      );
  });
  app.get('/headers', (req) => ({ headers: echoHeaders(req.raw.rawHeaders) }));
  app.get('/ip', (req) => ({ origin: req.ip }));
  app.get('/user-agent', (req) => ({ 'user-agent': req.headers['user-agent'] ?? null }));
  app.get('/get', (req) => getEcho(factsOf(req)));
  // multipart adds an onRequest and an onResponse hook (temp-file cleanup): keep them on
  // /anything, the one place that takes uploads, and off the fast GET paths.
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: opts.bodyLimit, fieldSize: opts.bodyLimit, files: 20 },
    });
    scope.all('/anything', anythingEcho);
    scope.all('/anything/*', anythingEcho);
  });

  app.all<{ Params: { codes: string } }>('/status/:codes', (req, reply) => {
    const choices: number[] = [];
    for (const item of req.params.codes.split(',')) {
      const [code, weight = '1'] = item.split(':');
      const status = Number(code);
      const times = Number(weight);
      if (
        !Number.isInteger(status) ||
        // A 1xx is an interim response: sent as the only answer it leaves the client
        // waiting for a final one until it times out.
        status < 200 ||
        status > 599 ||
        !Number.isInteger(times) ||
        times < 1 ||
        times > 100
      ) {
        throw new HttpAppError(
          'HTTP_APP_ERR_BAD_PARAMETER',
          `"${item}" is not a final status code 200-599 (with an optional :weight)`,
        );
      }
      for (let i = 0; i < times; i++) choices.push(status);
    }
    const status = choices[Math.floor(Math.random() * choices.length)]!;
    if (status >= 300 && status < 400) reply.header('location', '/redirect/1');
    if (status === 401) reply.header('www-authenticate', 'Basic realm="Fake Realm"');
    reply.code(status).send();
  });

  app.get<{ Params: { n: string } }>('/delay/:n', async (req) => {
    const seconds = intParam(req.params.n, 'delay', opts.maxDelaySeconds);
    await sleep(seconds * 1000);
    return { ...getEcho(factsOf(req)), delayedSeconds: seconds };
  });

  app.get<{ Params: { n: string } }>('/bytes/:n', (req, reply) => {
    const n = intParam(req.params.n, 'n', MAX_BYTES);
    const args = parseArgs(req.url);
    const body = args.seed !== undefined ? seededBytes(n, queryNumber(args, 'seed', 0)) : randomBytes(n);
    reply.type('application/octet-stream').send(body);
  });

  app.get<{ Params: { n: string } }>('/stream/:n', async (req, reply) => {
    const n = intParam(req.params.n, 'n', MAX_STREAM_LINES);
    const echo = getEcho(factsOf(req));
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/json' });
    for (let id = 0; id < n; id++) {
      reply.raw.write(`${JSON.stringify({ id, ...echo })}\n`);
      await new Promise(setImmediate); // let each line leave as its own chunk
    }
    reply.raw.end();
  });

  app.get('/drip', async (req, reply) => {
    const args = parseArgs(req.url);
    const numbytes = Math.min(queryNumber(args, 'numbytes', 10), MAX_BYTES);
    const duration = Math.min(queryNumber(args, 'duration', 2), opts.maxDelaySeconds);
    const delay = Math.min(queryNumber(args, 'delay', 0), opts.maxDelaySeconds);
    const code = queryNumber(args, 'code', 200);
    if (!Number.isInteger(code) || code < 200 || code > 599)
      throw new HttpAppError('HTTP_APP_ERR_BAD_PARAMETER', 'code must be 200-599');
    await sleep(delay * 1000);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(code, { 'content-type': 'application/octet-stream', 'content-length': String(numbytes) });
    // Node's timers fire after 1 ms at the soonest (later on a busy loop), so a sleep per
    // byte made numbytes=20000&duration=2 take 25 s, far past MAX_DELAY_SECONDS. Drip at
    // most one write per 10 ms instead, each due at a fixed time from the start.
    const ticks = Math.min(numbytes, Math.max(1, Math.floor(duration * 100)));
    const pauseMs = ticks > 0 ? (duration * 1000) / ticks : 0;
    const start = Date.now();
    let sent = 0;
    for (let i = 0; i < ticks && !res.destroyed; i++) {
      const upTo = Math.round(((i + 1) * numbytes) / ticks);
      res.write('*'.repeat(upTo - sent));
      sent = upTo;
      const wait = start + (i + 1) * pauseMs - Date.now();
      if (wait > 0) await sleep(wait);
    }
    res.end();
  });

  app.get<{ Params: { n: string } }>('/redirect/:n', (req, reply) => {
    const n = intParam(req.params.n, 'n', MAX_REDIRECTS);
    const absolute = parseArgs(req.url).absolute === 'true';
    const next = n <= 1 ? '/get' : `/redirect/${n - 1}${absolute ? '?absolute=true' : ''}`;
    const facts = factsOf(req);
    reply.redirect(absolute ? `${facts.protocol}://${facts.host}${next}` : next, 302);
  });

  // Cookie parsing only where cookies are the subject, so /get and friends run no hooks.
  await app.register(async (scope) => {
    await scope.register(cookie);
    scope.get('/cookies', (req) => ({ cookies: req.cookies }));
    scope.get('/cookies/set', (req, reply) => {
      const args = cookieArgs(req.url);
      for (const [k, v] of Object.entries(args)) reply.setCookie(k, String(v), { path: '/' });
      reply.redirect('/cookies', 302);
    });
    scope.get('/cookies/delete', (req, reply) => {
      for (const k of Object.keys(cookieArgs(req.url))) reply.clearCookie(k, { path: '/' });
      reply.redirect('/cookies', 302);
    });
  });

  app.get<{ Params: { user: string; pass: string } }>('/basic-auth/:user/:pass', (req, reply) => {
    const header = req.headers.authorization ?? '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    if (decoded === `${req.params.user}:${req.params.pass}`)
      return { authenticated: true, user: req.params.user };
    reply.code(401).header('www-authenticate', 'Basic realm="Fake Realm"').send({ authenticated: false });
  });

  app.get('/gzip', (req, reply) => {
    const facts = factsOf(req);
    const body = JSON.stringify({
      gzipped: true,
      headers: echoHeaders(facts.rawHeaders),
      method: facts.method,
      origin: facts.ip,
    });
    reply.type('application/json').header('content-encoding', 'gzip').send(gzipSync(body));
  });

  const sendCached = (req: Parameters<typeof factsOf>[0], reply: FastifyReply) => {
    const body = JSON.stringify({
      url: absoluteUrl(factsOf(req)),
      cached: 'validated with ETag and Last-Modified',
    });
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    reply.header('etag', etag).header('last-modified', startedAt.toUTCString());
    if (notModified(req.headers['if-none-match'], req.headers['if-modified-since'], etag, startedAt)) {
      return reply.code(304).send();
    }
    reply.type('application/json').send(body);
  };
  app.get('/cache', sendCached);
  app.get<{ Params: { n: string } }>('/cache/:n', (req, reply) => {
    const n = intParam(req.params.n, 'max-age', 31_536_000);
    reply.header('cache-control', `public, max-age=${n}`).send(getEcho(factsOf(req)));
  });

  app.all('/environ', (req, reply) => {
    const socket = req.raw.socket;
    const env = wsgiEnviron(factsOf(req), {
      name: req.hostname,
      port: socket.localPort ?? 0,
      httpVersion: req.raw.httpVersion,
    });
    reply.type('text/plain; charset=utf-8').send(ENVIRON_PREAMBLE + pformat(env));
  });

  await app.register(framingRoutes);
}

/** RFC 9110 §13.1: If-None-Match wins over If-Modified-Since when both are present. */
export function notModified(
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
  etag: string,
  lastModified: Date,
): boolean {
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    const weak = (t: string) => t.trim().replace(/^W\//, '');
    return ifNoneMatch.split(',').some((t) => weak(t) === weak(etag));
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return Number.isFinite(since) && lastModified.getTime() <= since;
  }
  return false;
}
