import { fileURLToPath } from 'node:url';
import { Counter } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { HealthServer } from '../src/health.js';
import { silentLogger } from '../src/logger.js';
import { defineService, type ServiceManifest, serviceOptions } from '../src/service.js';
import { onShutdown } from '../src/shutdown.js';
import { scrapeMetrics, startProcess, stopAll } from '../src/testing/index.js';

afterAll(stopAll);

describe('health server', () => {
  it('answers liveness, readiness (with checks) and Prometheus metrics', async () => {
    const health = new HealthServer({ service: 'demo', logger: silentLogger() });
    const answered = new Counter({
      name: 'demo_answers_total',
      help: 'answers',
      registers: [health.registry],
    });
    answered.inc(3);
    let redis: 'ok' | 'degraded' | 'down' = 'ok';
    health.addCheck('redis', () => redis);
    const port = await health.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503); // not started yet
    health.setReady(true);
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({
      status: 'ok',
      checks: { redis: { status: 'ok' } },
    });
    redis = 'degraded';
    const degraded = await fetch(`${base}/readyz`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'degraded' });
    redis = 'down';
    expect((await fetch(`${base}/readyz`)).status).toBe(503);

    const metrics = (await scrapeMetrics(base)).text;
    expect(metrics).toContain('demo_answers_total{service="demo"} 3');
    expect(metrics).toContain('process_resident_memory_bytes');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    await health.close();
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight work after SIGTERM, reports not ready, and exits 0', async () => {
    const script = fileURLToPath(new URL('./fixtures/slow-service.mjs', import.meta.url));
    const proc = startProcess(process.execPath, [script], { env: { LOG_LEVEL: 'info', CI: '1' } });
    const port = Number((await proc.waitForOutput(/"port":(\d+),.*"msg":"listening"/))[1]);
    const healthPort = Number((await proc.waitForOutput(/"healthPort":(\d+)/))[1]);
    await proc.waitForOutput(/"msg":"ready"/);
    const inflight = fetch(`http://127.0.0.1:${port}/work`).then((r) => r.text());
    // SIGTERM only once the request is being worked on: a fixed sleep can lose that race on
    // a loaded machine, and a request still in the accept queue is not "in flight".
    await proc.waitForOutput(/"msg":"work started"/);
    proc.child.kill('SIGTERM');
    await proc.waitForOutput(/shutting down/);
    const readiness = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ status: 'shutting-down' });
    expect(await inflight).toBe('done');
    const code = await proc.exited();
    expect(code).toBe(0);
    expect(proc.output()).toContain('shutdown complete');
  });

  it('exits 0 when SIGTERM comes while the service is still starting, once it has started and closed', async () => {
    const script = fileURLToPath(new URL('./fixtures/slow-service.mjs', import.meta.url));
    const proc = startProcess(process.execPath, [script], {
      env: { LOG_LEVEL: 'info', CI: '1', START_DELAY_MS: '1000' },
    });
    await proc.waitForOutput(/"msg":"starting"/);
    proc.child.kill('SIGTERM');
    expect(await proc.exited()).toBe(0);
    expect(proc.output()).toContain('"msg":"listening"');
    expect(proc.output()).toContain('shutdown complete');
    expect(proc.output()).not.toContain('"msg":"ready"');
  });

  it('exits 1 when close outlives the deadline', async () => {
    const codes: number[] = [];
    const trigger = onShutdown(() => new Promise(() => {}), {
      deadlineMs: 50,
      signals: [],
      exit: (c) => codes.push(c),
    });
    void trigger('test');
    await new Promise((r) => setTimeout(r, 120));
    expect(codes).toEqual([1]);
  });
});

describe('defineService', () => {
  const base: ServiceManifest = {
    name: 'x',
    chapter: '1',
    description: 'x',
    command: ['serve'],
    ports: [],
    needs: [],
    options: { token: { type: 'string', env: 'TOKEN', description: 'a token' }, ...serviceOptions(9199) },
  };

  it('accepts deployment values, local values, variants and calls that name declared options', () => {
    const m = defineService({
      ...base,
      calls: [{ service: 'y', port: 'http', option: 'token' }],
      deploy: {
        env: { TOKEN: { value: 't', why: 'w' } },
        variants: [{ name: 'x-big', profile: 'big', env: { LOG_LEVEL: { value: 'debug', why: 'w' } } }],
      },
      localEnv: { HEALTH_HOST: { value: '127.0.0.1', why: 'w' } },
    });
    expect(m.deploy?.variants?.[0]?.name).toBe('x-big');
  });

  it('rejects an env var no option declares, a call through a missing option and a variant in the default profile', () => {
    expect(() => defineService({ ...base, deploy: { env: { NOPE: { value: '1', why: 'w' } } } })).toThrow(
      'x: deploy.env sets env NOPE, which no option declares',
    );
    expect(() => defineService({ ...base, localEnv: { NOPE: { value: '1', why: 'w' } } })).toThrow(
      'x: localEnv sets env NOPE, which no option declares',
    );
    expect(() => defineService({ ...base, calls: [{ service: 'y', port: 'http', option: 'nope' }] })).toThrow(
      'x: the call to y names missing option nope',
    );
    expect(() =>
      defineService({ ...base, deploy: { variants: [{ name: 'x2', profile: 'default' }] } }),
    ).toThrow('x: variant x2 must have a profile of its own');
    expect(() => defineService({ ...base, deploy: { variants: [{ name: 'x', profile: 'p' }] } })).toThrow(
      'x: two instances named x',
    );
  });
});
