/**
 * The httpbin-style endpoints (book ch. 10: see what HTTP really carries). Registered as an
 * encapsulated fastify plugin: its own body parsers (every body kept as raw bytes, plus
 * multipart), no bank security headers, so what you see is what the request carried.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { HttpAppError } from '../errors.js';
import { basicCredentials } from '../httpbin/auth.js';
import { ALL_METHODS, type RouteCatalog } from '../httpbin/catalog.js';
import { allowAnyOriginOnRoute } from '../httpbin/cors.js';
import { refuseBankCookie } from '../httpbin/guard.js';
import { httpbinRoutes } from '../httpbin/index.js';
import { methodRoutes } from '../httpbin/methods.js';
import { withinLimit } from '../httpbin/params.js';
import { redirectWithPage } from '../httpbin/redirects.js';
import { sendStatus } from '../httpbin/status.js';
import { anythingEcho } from './anything.js';
import { ENVIRON_PREAMBLE, pformat, serverNameOf, wsgiEnviron } from './environ.js';
import { factsOf } from './facts.js';
import { MAX_FORM_FIELDS } from './form.js';
import { framingRoutes } from './framing.js';
import { seededBytes } from './prng.js';
import { type Args, echoHeaders, getEcho, parseArgs } from './request-info.js';

export interface EchoOptions {
  /** Cap on /delay and /drip, seconds. */
  maxDelaySeconds: number;
  bodyLimit: number;
  /** Where the routes are collected for the front page, /openapi.json and 405s. */
  catalog: RouteCatalog;
  /** Hosts /redirect-to may send clients to besides this server ('*': any). */
  redirectToHosts: readonly string[];
  /** Signs Digest auth nonces. */
  nonceSecret: Buffer;
}

export const MAX_BYTES = 100 * 1024;
export const MAX_STREAM_LINES = 100;
/** A cookie name is an RFC 9110 token (RFC 6265 §4.1.1). */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function intParam(value: string, name: string, max: number): number {
  if (!/^\d{1,9}$/.test(value))
    throw new HttpAppError('BAD_PARAMETER', `${name} must be a non-negative integer`);
  return Math.min(Number(value), max);
}

/** The query of /cookies/set or /cookies/delete; a name setCookie would refuse is a 400, not a 500. */
function cookieArgs(url: string): Args {
  const args = parseArgs(url);
  const bad = Object.keys(args).find((k) => !COOKIE_NAME.test(k));
  if (bad !== undefined)
    throw new HttpAppError('BAD_PARAMETER', `${JSON.stringify(bad)} is not a cookie name`);
  for (const name of Object.keys(args)) refuseBankCookie(name);
  return args;
}

function queryNumber(args: Record<string, string | string[]>, name: string, dflt: number): number {
  const raw = args[name];
  if (raw === undefined) return dflt;
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isFinite(n) || n < 0) throw new HttpAppError('BAD_PARAMETER', `${name} must be a number >= 0`);
  return n;
}

export async function echoRoutes(app: FastifyInstance, opts: EchoOptions): Promise<void> {
  // Keep every body as bytes: /anything decides per Content-Type and reports bad JSON itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  opts.catalog.collectFrom(app);
  app.addHook('onRoute', allowAnyOriginOnRoute);
  methodRoutes(app, 'other');
  const inspect = (summary: string) => ({ config: { summary, group: 'Request inspection' } });
  const dynamic = (summary: string) => ({ config: { summary, group: 'Dynamic data' } });

  app.get('/headers', inspect('the request headers'), (req) => ({
    headers: echoHeaders(req.raw.rawHeaders),
  }));
  app.get('/ip', inspect("the client's address"), (req) => ({ origin: req.ip }));
  app.get('/user-agent', inspect('the User-Agent header'), (req) => ({
    'user-agent': req.headers['user-agent'] ?? null,
  }));
  app.get(
    '/get',
    { config: { summary: "a GET's args, headers, origin and URL", group: 'HTTP methods' } },
    (req) => getEcho(factsOf(req)),
  );
  // multipart adds an onRequest and an onResponse hook (temp-file cleanup): keep them on
  // /anything, the one place that takes uploads, and off the fast GET paths.
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: {
        fileSize: opts.bodyLimit,
        fieldSize: opts.bodyLimit,
        files: 20,
        fields: MAX_FORM_FIELDS,
        parts: MAX_FORM_FIELDS + 20,
      },
    });
    const config = { summary: 'any method: args, form, files, json, data, headers', group: 'Anything' };
    scope.route({ method: ALL_METHODS, url: '/anything', config, handler: anythingEcho });
    scope.route({ method: ALL_METHODS, url: '/anything/*', config, handler: anythingEcho });
    methodRoutes(scope, 'multipart');
  });

  app.route<{ Params: { codes: string } }>({
    method: ALL_METHODS,
    url: '/status/:codes',
    config: {
      summary: 'that status, 200-599 (a comma list picks one at random, "500:3" weighs it)',
      group: 'Status codes',
    },
    handler(req, reply) {
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
            'BAD_PARAMETER',
            `"${item}" is not a final status code 200-599 (with an optional :weight)`,
          );
        }
        for (let i = 0; i < times; i++) choices.push(status);
      }
      return sendStatus(reply, choices[Math.floor(Math.random() * choices.length)]!);
    },
  });

  app.get<{ Params: { n: string } }>(
    '/delay/:n',
    dynamic('answers after n seconds (fractions too), at most MAX_DELAY_SECONDS, as httpbin caps at 10'),
    async (req) => {
      const asked = Number(req.params.n);
      if (!Number.isFinite(asked) || asked < 0)
        throw new HttpAppError('BAD_PARAMETER', 'delay must be a number of seconds >= 0');
      await sleep(Math.min(asked, opts.maxDelaySeconds) * 1000);
      return { ...getEcho(factsOf(req)), data: '', files: {}, form: {} };
    },
  );

  app.get<{ Params: { n: string } }>(
    '/bytes/:n',
    dynamic('n random bytes, at most 100 KiB (?seed=S: the same bytes every time)'),
    (req, reply) => {
      const n = intParam(req.params.n, 'n', MAX_BYTES);
      const args = parseArgs(req.url);
      const body = args.seed !== undefined ? seededBytes(n, queryNumber(args, 'seed', 0)) : randomBytes(n);
      reply.type('application/octet-stream').send(body);
    },
  );

  app.get<{ Params: { n: string } }>(
    '/stream/:n',
    dynamic(`n JSON lines, each its own chunk (at most ${MAX_STREAM_LINES})`),
    async (req, reply) => {
      const n = intParam(req.params.n, 'n', MAX_STREAM_LINES);
      const echo = getEcho(factsOf(req));
      reply.hijack();
      reply.raw.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'application/json',
      });
      for (let id = 0; id < n; id++) {
        reply.raw.write(`${JSON.stringify({ id, ...echo })}\n`);
        await new Promise(setImmediate); // let each line leave as its own chunk
      }
      reply.raw.end();
    },
  );

  app.get(
    '/drip',
    dynamic('?numbytes=N&duration=S&delay=S&code=C: bytes dripped over the duration, with Content-Length'),
    async (req, reply) => {
      const args = parseArgs(req.url);
      const numbytes = withinLimit(queryNumber(args, 'numbytes', 10), MAX_BYTES, 'numbytes');
      if (!Number.isInteger(numbytes) || numbytes < 1)
        throw new HttpAppError('BAD_PARAMETER', 'numbytes must be a positive whole number');
      const duration = withinLimit(
        queryNumber(args, 'duration', 2),
        opts.maxDelaySeconds,
        'duration (MAX_DELAY_SECONDS)',
      );
      const delay = withinLimit(
        queryNumber(args, 'delay', 0),
        opts.maxDelaySeconds,
        'delay (MAX_DELAY_SECONDS)',
      );
      const code = queryNumber(args, 'code', 200);
      if (!Number.isInteger(code) || code < 200 || code > 599)
        throw new HttpAppError('BAD_PARAMETER', 'code must be 200-599');
      await sleep(delay * 1000);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(code, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'application/octet-stream',
        'content-length': String(numbytes),
      });
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
    },
  );

  // Cookie parsing only where cookies are the subject, so /get and friends run no hooks.
  await app.register(async (scope) => {
    await scope.register(cookie);
    const cookies = (summary: string) => ({ config: { summary, group: 'Cookies' } });
    // httpbin's cookies: no SameSite attribute, Secure over HTTPS.
    const attributes = (req: { protocol: string }) =>
      ({ path: '/', sameSite: false, secure: req.protocol === 'https' }) as const;
    scope.get('/cookies', cookies('the cookies sent'), (req) => ({ cookies: req.cookies }));
    scope.get(
      '/cookies/set',
      cookies('?name=value…: sets the cookies, then redirects to /cookies'),
      (req, reply) => {
        const args = cookieArgs(req.url);
        for (const [k, v] of Object.entries(args))
          reply.setCookie(k, String(Array.isArray(v) ? v.at(-1) : v), attributes(req));
        return redirectWithPage(reply, '/cookies');
      },
    );
    scope.get<{ Params: { name: string; value: string } }>(
      '/cookies/set/:name/:value',
      cookies('sets the cookie name=value, then redirects to /cookies'),
      (req, reply) => {
        if (!COOKIE_NAME.test(req.params.name))
          throw new HttpAppError('BAD_PARAMETER', `${JSON.stringify(req.params.name)} is not a cookie name`);
        refuseBankCookie(req.params.name);
        reply.setCookie(req.params.name, req.params.value, attributes(req));
        return redirectWithPage(reply, '/cookies');
      },
    );
    scope.get(
      '/cookies/delete',
      cookies('?name…: deletes the cookies, then redirects to /cookies'),
      (req, reply) => {
        for (const k of Object.keys(cookieArgs(req.url))) reply.clearCookie(k, attributes(req));
        return redirectWithPage(reply, '/cookies');
      },
    );
  });

  app.get<{ Params: { user: string; pass: string } }>(
    '/basic-auth/:user/:pass',
    { config: { summary: '200 with the right Basic credentials, else 401 and a challenge', group: 'Auth' } },
    (req, reply) => {
      if (basicCredentials(req.headers.authorization) === `${req.params.user}:${req.params.pass}`)
        return { authenticated: true, user: req.params.user };
      return sendStatus(reply, 401);
    },
  );

  const caching = (summary: string) => ({ config: { summary, group: 'Response inspection' } });
  // httpbin's /cache: any If-Modified-Since or If-None-Match gets a 304, whatever it says
  // (/etag/:etag is the route that compares validators).
  app.get(
    '/cache',
    caching('as /get, with Last-Modified and ETag; a conditional request gets 304'),
    (req, reply) => {
      if (req.headers['if-modified-since'] || req.headers['if-none-match']) return sendStatus(reply, 304);
      reply
        .header('last-modified', new Date().toUTCString())
        // Quoted, as RFC 9110 §8.8.3 requires (httpbin sends the bare hex).
        .header('etag', `"${randomUUID().replaceAll('-', '')}"`)
        .send(getEcho(factsOf(req)));
    },
  );
  app.get<{ Params: { n: string } }>(
    '/cache/:n',
    caching('as /get, with Cache-Control: public, max-age=n'),
    (req, reply) => {
      const n = intParam(req.params.n, 'max-age', 31_536_000);
      reply.header('cache-control', `public, max-age=${n}`).send(getEcho(factsOf(req)));
    },
  );

  app.all(
    '/environ',
    {
      config: {
        summary: "the request as a WSGI environ, as the book's wsgi_env.py prints it",
        group: 'fopnp',
      },
    },
    async (req, reply) => {
      const socket = req.raw.socket;
      const bound = req.server.server.address();
      const env = wsgiEnviron(factsOf(req), {
        name: await serverNameOf(typeof bound === 'object' && bound ? bound.address : ''),
        port: socket.localPort ?? 0,
        httpVersion: req.raw.httpVersion,
      });
      return reply.type('text/plain; charset=utf-8').send(ENVIRON_PREAMBLE + pformat(env));
    },
  );

  await app.register(framingRoutes);
  await app.register(httpbinRoutes, opts);
}
