/**
 * Every HTTP port of every service (the main port of each manifest that declares the HTTP
 * limits, and every health port) goes through the kit's limits: a request with two Host
 * headers is answered 400, a client that half-closes after its request still gets the
 * response, and the limit and its refused-connection counter are in force. Each service's
 * `serve` runs with the local stack's environment on free loopback ports, and its own
 * queue prefix, cache namespace and state file.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForHttp, waitForPort } from '@fopnp/net';
import {
  freePort,
  rawExchange,
  type ServeProcess,
  scrapeMetrics,
  startServe,
  stopAll,
} from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscoveredService, discover } from '../src/discover.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** Paths whose handler is still working when the client's FIN arrives (issue 21's cases). */
const SLOW_PATHS: Record<string, string> = { 'http-app': '/delay/0', 'redis-cache': '/stats' };

const stateDir = mkdtempSync(join(tmpdir(), 'fopnp-http-limits-'));
let services: DiscoveredService[] = [];
const running = new Map<string, ServeProcess>();

beforeAll(async () => {
  services = (await discover(ROOT, 'default')).filter((s) => 'httpMaxConnections' in s.manifest.options);
  const tag = `http-limits-${process.pid}`;
  await Promise.all(
    services.map(async (svc) => {
      const env: Record<string, string> = { ...svc.env, LOG_LEVEL: 'warn' };
      delete env.PORT;
      delete env.HEALTH_PORT;
      // Every other port it opens on a free one; its own queues, keys and state.
      for (const p of svc.manifest.ports.slice(1)) {
        const spec = svc.manifest.options[p.option];
        if (spec?.env) env[spec.env] = String(await freePort());
      }
      const declares = (name: string) => Object.values(svc.manifest.options).some((o) => o.env === name);
      if (declares('AMQP_PREFIX')) env.AMQP_PREFIX = tag;
      // rabbit-pipeline: only the tally (its HTTP port), no bitsource publishing.
      if (declares('ROLE')) env.ROLE = 'tally';
      if (declares('CACHE_NAMESPACE')) env.CACHE_NAMESPACE = tag;
      // A throwaway SQLite bank instead of the stack's PostgreSQL database.
      if (declares('DATABASE_URL')) {
        delete env.DATABASE_URL;
        env.SQLITE_PATH = ':memory:';
      }
      if (env.TALLY_STATE_FILE) env.TALLY_STATE_FILE = join(stateDir, `${svc.name}.json`);
      const proc = await startServe(svc.cli, env);
      running.set(svc.name, proc);
      try {
        await waitForHttp(`${proc.healthUrl}/healthz`, { timeoutMs: 60_000 });
        await waitForPort(proc.port, '127.0.0.1', 60_000);
      } catch (err) {
        throw new Error(`${svc.name} did not start: ${err}\n${proc.proc.output().slice(-2000)}`);
      }
    }),
  );
}, 120_000);

afterAll(async () => {
  await stopAll();
  rmSync(stateDir, { recursive: true, force: true });
});

const exchange = (port: number, request: string, halfClose = false) =>
  rawExchange(port, request, { halfClose });

describe('the HTTP limits of every service', () => {
  it('covers the services with an HTTP port', () => {
    expect(services.map((s) => s.name).sort()).toEqual(
      expect.arrayContaining([
        'http-app',
        'rabbit-pipeline',
        'redis-cache',
        'rpc-gateway',
        'ssh-runner',
        'tls-inspector',
      ]),
    );
  });

  it('answers 400 to two Host headers on the main and the health port', async () => {
    for (const svc of services) {
      const proc = running.get(svc.name)!;
      for (const [port, path] of [
        [proc.port, '/'],
        [proc.healthPort, '/healthz'],
      ] as const) {
        const reply = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`);
        expect(reply, `${svc.name} port ${port}`).toMatch(/^HTTP\/1\.1 400 /);
        expect(reply, `${svc.name} port ${port}`).toContain('FOPNP_ERR_BAD_REQUEST');
      }
    }
  });

  it('answers a client that half-closes after a complete request', async () => {
    for (const svc of services) {
      const proc = running.get(svc.name)!;
      for (const [port, path] of [
        [proc.port, SLOW_PATHS[svc.name] ?? '/'],
        [proc.healthPort, '/readyz'],
      ] as const) {
        const reply = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, true);
        expect(reply, `${svc.name} ${path} on ${port}`).toMatch(/^HTTP\/1\.1 \d{3} /);
        expect(reply, `${svc.name} ${path} on ${port}`).not.toMatch(/^HTTP\/1\.1 400 /);
      }
    }
  });

  it('reports the open connections and refusals of each port in /metrics', async () => {
    for (const svc of services) {
      const { text } = await scrapeMetrics(running.get(svc.name)!.healthUrl);
      const main = svc.name === 'rabbit-pipeline' ? 'tally' : 'main';
      expect(text, svc.name).toMatch(new RegExp(`fopnp_http_connections\\{server="${main}"`));
      expect(text, svc.name).toMatch(/fopnp_http_connections\{server="health"/);
      expect(text, svc.name).toContain('# TYPE fopnp_http_connections_refused_total counter');
    }
  });
});
