/**
 * The control endpoint an orchestrator runs on loopback (the local stack does): a few
 * routes over `ProcessControl`, each behind a bearer token. Refusals answer the kit's error
 * body with the lab's codes (FOPNP_TOPOLOGY_LAB_ERR_NO_UNIT, …).
 *   GET  /units                         the declared units and their instances
 *   POST /units/<name>/start            one more instance (scalable) or the one (not)
 *   POST /units/<name>/stop?signal=S    stop the newest instance with SIGTERM or SIGKILL
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { writeHttpError } from '@fopnp/net';
import { LabError } from '../errors.js';
import { type ProcessControl, STOP_SIGNALS, type StopSignal } from './units.js';

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer /, '') ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function createControlServer(control: ProcessControl, token: string): http.Server {
  if (token.length < 16) throw new Error('the control token must be at least 16 characters');
  return http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const fail = (err: unknown) => writeHttpError(res, err, { 'cache-control': 'no-store' });
    if (!tokenMatches(req.headers.authorization, token)) return fail(new LabError('CONTROL_TOKEN'));
    const url = new URL(req.url ?? '/', 'http://control');
    const m = /^\/units\/([^/]+)\/(start|stop)$/.exec(url.pathname);
    void (async () => {
      try {
        if (req.method === 'GET' && url.pathname === '/units') return reply(200, control.list());
        if (req.method === 'POST' && m) {
          const [, name, verb] = m;
          if (verb === 'start') return reply(200, control.start(decodeURIComponent(name!)));
          const signal = (url.searchParams.get('signal') ?? 'SIGTERM') as StopSignal;
          if (!STOP_SIGNALS.includes(signal))
            return fail(new LabError('BAD_SIGNAL', STOP_SIGNALS.join(', ')));
          return reply(200, await control.stop(decodeURIComponent(name!), signal));
        }
        fail(new LabError('CONTROL_ROUTE'));
      } catch (err) {
        fail(err); // a LabError with its status; anything else a 500 naming no internals
      }
    })();
  });
}
