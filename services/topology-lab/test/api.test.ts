/**
 * The lab's HTTP surface and the control endpoint without a browser: the guards on
 * actions, the CSP, the event stream's first message, and the control endpoint's refusals
 * — against the built `serve` and real child processes.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createLogger, listen } from '@fopnp/net';
import { freePort, type ServeProcess, startServe, waitForHttp } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlServer } from '../src/control/endpoint.js';
import { ProcessControl } from '../src/control/units.js';
import { CSP } from '../src/server.js';
import { LAB_CLI } from './stack.js';

const IDLE = [process.execPath, ['-e', 'setInterval(() => {}, 1000)']] as const;

describe('the control endpoint and the lab API', () => {
  let control: ProcessControl;
  let server: http.Server;
  let controlUrl: string;
  let lab: ServeProcess;
  const token = randomBytes(16).toString('hex');

  beforeAll(async () => {
    control = new ProcessControl(
      [
        {
          name: 'worker',
          kind: 'role',
          description: 'an idle node',
          scalable: true,
          command: IDLE[0],
          args: [...IDLE[1]],
        },
        {
          name: 'single',
          kind: 'role',
          description: 'one idle node',
          scalable: false,
          command: IDLE[0],
          args: [...IDLE[1]],
        },
      ],
      createLogger('test', { level: 'silent' }),
    );
    control.startInitial();
    server = createControlServer(control, token);
    const port = await listen(server, 0, '127.0.0.1');
    controlUrl = `http://127.0.0.1:${port}`;
    // Nothing answers on the RabbitMQ, Redis and tally addresses given: the lab must still serve.
    const dead = await freePort();
    lab = await startServe(LAB_CLI, {
      RABBITMQ_MANAGEMENT_URL: `http://127.0.0.1:${dead}`,
      AMQP_URL: `amqp://127.0.0.1:${dead}`,
      REDIS_URL: `redis://127.0.0.1:${dead}`,
      TALLY_URL: `http://127.0.0.1:${dead}`,
      STACK_CONTROL_URL: controlUrl,
      STACK_CONTROL_TOKEN: token,
      LOG_LEVEL: 'warn',
    });
    await waitForHttp(`${lab.healthUrl}/readyz`, { timeoutMs: 20_000 });
  }, 40_000);

  afterAll(async () => {
    await lab?.proc.stop();
    await control?.stopAll();
    server?.close();
  });

  it('refuses a control call without the bearer token', async () => {
    expect((await fetch(`${controlUrl}/units`)).status).toBe(401);
    expect((await fetch(`${controlUrl}/units`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
  });

  it('refuses unknown units, a second instance of a single unit, and signals other than TERM and KILL', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const post = (path: string) => fetch(`${controlUrl}${path}`, { method: 'POST', headers: auth });
    const nope = await post('/units/nope/start');
    expect(nope.status).toBe(404);
    expect(((await nope.json()) as { error: { code: string } }).error.code).toBe(
      'FOPNP_TOPOLOGY_LAB_ERR_NO_UNIT',
    );
    const again = await post('/units/single/start');
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: {
        code: 'FOPNP_TOPOLOGY_LAB_ERR_UNIT_RUNNING',
        message: expect.stringMatching(/already running/),
      },
    });
    expect((await post('/units/worker/stop?signal=SIGHUP')).status).toBe(400);
    expect((await post('/units/..%2F..%2Fbin%2Fsh/start')).status).toBe(404);
  });

  it('serves the page under a strict CSP, with no inline script or style in it', async () => {
    const res = await fetch(`${lab.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<style|style=/);
    expect(html).toMatch(/<script type="module" src="\/assets\/main\.js">/);
    expect((await fetch(`${lab.url}/assets/main.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${lab.url}/assets/../../package.json`)).status).toBe(404);
    const missing = await fetch(`${lab.url}/src/server.ts`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'FOPNP_TOPOLOGY_LAB_ERR_NOT_FOUND', message: expect.stringContaining('/src/server.ts') },
    });
    expect((await fetch(`${lab.url}/`, { method: 'DELETE' })).status).toBe(405);
  });

  it('shows its sources down instead of failing, and says so in readiness', async () => {
    const state = (await (await fetch(`${lab.url}/api/state`)).json()) as {
      rabbitmq: { health: string; error: string };
      redis: { health: string }[];
      pipeline: { tally: { health: string } };
      control: { health: string; actions: { id: string }[] };
    };
    expect(state.rabbitmq.health).toBe('down');
    expect(state.rabbitmq.error).toMatch(/management API/);
    expect(state.redis.map((r) => r.health)).toEqual(['down']);
    expect(state.pipeline.tally.health).toBe('down');
    expect(state.control.health).toBe('up');
    expect(state.control.actions.map((a) => a.id)).toEqual([
      'worker.add',
      'worker.term',
      'worker.kill',
      'single.stop',
      'single.start',
    ]);
    const ready = await fetch(`${lab.healthUrl}/readyz`);
    expect(await ready.text()).toMatch(/degraded/);
  });

  it('runs an action only with the x-lab-action header, and only a declared one', async () => {
    const post = (id: string, headers: Record<string, string> = { 'x-lab-action': '1' }) =>
      fetch(`${lab.url}/api/actions/${id}`, { method: 'POST', headers });
    const code = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;
    const noHeader = await post('worker.add', {});
    expect(noHeader.status).toBe(400);
    expect(await code(noHeader)).toBe('FOPNP_TOPOLOGY_LAB_ERR_ACTION_HEADER');
    const unknown = await post('worker.reboot');
    expect(unknown.status).toBe(404);
    expect(await code(unknown)).toBe('FOPNP_TOPOLOGY_LAB_ERR_NO_ACTION');
    expect((await post('..%2Fetc.start')).status).toBe(404);
    const before = control.list().find((u) => u.name === 'worker')!.instances.length;
    const ok = await post('worker.add');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { detail: string }).detail).toMatch(/started worker-\d+ \(pid \d+\)/);
    expect(control.list().find((u) => u.name === 'worker')!.instances).toHaveLength(before + 1);
    const refused = await post('single.start');
    expect(refused.status).toBe(502); // the control endpoint refused; the marker says why
    const body = (await refused.json()) as {
      error: { code: string; message: string };
      marker: { ok: boolean; detail: string };
    };
    expect(body.error.code).toBe('FOPNP_TOPOLOGY_LAB_ERR_ACTION_FAILED');
    expect(body.error.message).toMatch(/already running/);
    expect(body.marker.ok).toBe(false);
  });

  it('sends a new page the state and the markers at once on its event stream', async () => {
    const first = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${lab.url}/api/events`, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d.toString();
          const end = buf.indexOf('\n\n');
          if (end >= 0) {
            req.destroy();
            resolve(buf.slice(0, end));
          }
        });
      });
      req.on('error', reject);
    });
    expect(first.split('\n')[0]).toBe('event: hello');
    const hello = JSON.parse(first.split('\n')[1]!.slice('data: '.length)) as {
      actionsAllowed: boolean;
      markers: { actionId: string }[];
    };
    expect(hello.actionsAllowed).toBe(true);
    expect(hello.markers.map((m) => m.actionId)).toContain('worker.add');
  });

  it('as a read-only lab (LAB_READ_ONLY, as in k8s prod) offers no action and runs none, even for loopback', async () => {
    const dead = await freePort();
    const ro = await startServe(LAB_CLI, {
      RABBITMQ_MANAGEMENT_URL: `http://127.0.0.1:${dead}`,
      AMQP_URL: `amqp://127.0.0.1:${dead}`,
      REDIS_URL: `redis://127.0.0.1:${dead}`,
      REDIS_SHARDS: `redis://127.0.0.1:${dead},redis://127.0.0.1:${await freePort()}`,
      TALLY_URL: `http://127.0.0.1:${dead}`,
      STACK_CONTROL_URL: controlUrl,
      STACK_CONTROL_TOKEN: token,
      LAB_READ_ONLY: 'true',
      LOG_LEVEL: 'warn',
    });
    try {
      await waitForHttp(`${ro.healthUrl}/readyz`, { timeoutMs: 20_000 });
      const state = (await (await fetch(`${ro.url}/api/state`)).json()) as {
        control: { actions: unknown[]; error: string };
      };
      expect(state.control.actions).toEqual([]);
      expect(state.control.error).toMatch(/read-only/);
      const before = control.list().find((u) => u.name === 'worker')!.instances.length;
      for (const id of ['worker.add', 'shards.movement', 'pipeline.malformed']) {
        const res = await fetch(`${ro.url}/api/actions/${id}`, {
          method: 'POST',
          headers: { 'x-lab-action': '1' },
        });
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
          'FOPNP_TOPOLOGY_LAB_ERR_ACTIONS_OFF',
        );
      }
      expect(control.list().find((u) => u.name === 'worker')!.instances).toHaveLength(before);
    } finally {
      await ro.proc.stop();
    }
  }, 40_000);
});
