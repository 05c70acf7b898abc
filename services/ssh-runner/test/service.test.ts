import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cliTestKit,
  freePort,
  scrapeMetrics,
  startProcess,
  startServe,
  stopAll,
  waitForHttp,
} from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyPair, makeKey, type Sshd, startSshds, tempDir } from './helpers/sshd.js';

const { CLI } = cliTestKit(import.meta.url);
const TOKEN = 'test-token-0123456789abcdef';
const dir = tempDir();
let key: KeyPair;
let servers: Sshd[] = [];
let api: string;
let health: string;

beforeAll(async () => {
  key = makeKey(dir.path, 'id_user');
  servers = await startSshds(dir.path, [key.publicKey], 2);
  const knownHosts = join(dir.path, 'known_hosts');
  writeFileSync(knownHosts, `${servers.map((s) => s.knownHostsLine).join('\n')}\n`);
  const jobs = join(dir.path, 'jobs.json');
  writeFileSync(
    jobs,
    JSON.stringify({
      hostGroups: { pair: servers.map((s) => `root@127.0.0.1:${s.port}`) },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the remote shell expands it
      commands: { whoami: 'echo "$(whoami) on ${SSH_CONNECTION##* }"', fail: 'exit 4' },
    }),
  );
  const { proc, url, healthUrl } = await startServe(CLI, {
    JOBS_FILE: jobs,
    API_TOKEN: TOKEN,
    SSH_KNOWN_HOSTS: knownHosts,
    SSH_IDENTITY_FILE: key.privatePath,
    SSH_USER: 'root',
  });
  api = url;
  health = healthUrl;
  await waitForHttp(`${health}/readyz`).catch((e) => {
    throw new Error(`${e}\n${proc.output()}`);
  });
});

afterAll(async () => {
  await stopAll();
  await Promise.all(servers.map((s) => s.stop()));
  dir.remove();
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe('the job runner API', () => {
  it('refuses every call when no token is configured, while health stays up', async () => {
    const { proc, url, healthUrl } = await startServe(CLI, { API_TOKEN: '' });
    await waitForHttp(`${healthUrl}/readyz`);
    const res = await fetch(`${url}/jobs`, {
      headers: { authorization: 'Bearer anything-at-all-123' },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: {
        code: 'FOPNP_SSH_RUNNER_ERR_NO_API_TOKEN',
        message: 'API_TOKEN is not set on the server: the job runner refuses every call',
      },
    });
    await proc.stop();
  });

  it('refuses a call without the token, or with a wrong one', async () => {
    expect((await fetch(`${api}/jobs`)).status).toBe(401);
    const wrong = await fetch(`${api}/run/pair/whoami`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
  });

  it('refuses an undeclared host group or command', async () => {
    const group = await fetch(`${api}/run/everyone/whoami`, { method: 'POST', headers: auth });
    expect(group.status).toBe(404);
    expect(await group.json()).toMatchObject({
      error: { code: 'FOPNP_SSH_RUNNER_ERR_UNDECLARED', message: 'host group "everyone" is not declared' },
      declared: ['pair'],
    });
    const cmd = await fetch(`${api}/run/pair/${encodeURIComponent('rm -rf /')}`, {
      method: 'POST',
      headers: auth,
    });
    expect(cmd.status).toBe(404);
    expect(await cmd.json()).toMatchObject({
      error: { code: 'FOPNP_SSH_RUNNER_ERR_UNDECLARED', message: 'command "rm -rf /" is not declared' },
    });
  });

  it('answers a malformed %-escape in a job path with 400 and keeps serving', async () => {
    const bad = await fetch(`${api}/run/%E0%A4%A/whoami`, { method: 'POST', headers: auth });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: 'FOPNP_SSH_RUNNER_ERR_BAD_JOB_PATH', message: 'malformed %-escape in the job path' },
    });
    expect((await fetch(`${api}/jobs`, { headers: auth })).status).toBe(200);
  });

  it('runs a declared job on every host of the group and returns the results as JSON', async () => {
    const res = await fetch(`${api}/run/pair/whoami`, { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      ok: boolean;
      results: { target: string; exitCode: number; stdout: string }[];
    };
    expect(body.ok).toBe(true);
    expect(body.results.map((r) => r.stdout)).toEqual(servers.map((s) => `root on ${s.port}\n`));
    expect(body.results.every((r) => r.exitCode === 0)).toBe(true);
  });

  it("serve -p/--port moves the API's port and --ssh-port sets the jobs' SSH port", async () => {
    const jobs = join(dir.path, 'jobs-default-port.json');
    // A host without :port: it gets --ssh-port.
    writeFileSync(
      jobs,
      JSON.stringify({ hostGroups: { one: ['root@127.0.0.1'] }, commands: { whoami: 'whoami' } }),
    );
    const [apiPort, healthPort] = [await freePort(), await freePort()];
    const ssh = String(servers[1]!.port);
    const env = {
      JOBS_FILE: jobs,
      API_TOKEN: TOKEN,
      SSH_KNOWN_HOSTS: join(dir.path, 'known_hosts'),
      SSH_IDENTITY_FILE: key.privatePath,
      HOST: '127.0.0.1',
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: String(healthPort),
    };
    for (const flag of ['--port', '-p']) {
      const proc = startProcess(process.execPath, [CLI, 'serve', flag, String(apiPort), '--ssh-port', ssh], {
        env,
      });
      try {
        await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`).catch((e) => {
          throw new Error(`${e}\n${proc.output()}`);
        });
        const res = await fetch(`http://127.0.0.1:${apiPort}/run/one/whoami`, {
          method: 'POST',
          headers: auth,
        });
        const body = (await res.json()) as { results: { target: string; stdout: string }[] };
        expect(body.results).toMatchObject([{ target: `root@127.0.0.1:${ssh}`, stdout: 'root\n' }]);
      } finally {
        await proc.stop();
      }
    }
  });

  it('reports a failing job per host and counts runs per host in the metrics', async () => {
    const res = await fetch(`${api}/run/pair/fail`, { method: 'POST', headers: auth });
    const body = (await res.json()) as { ok: boolean; results: { exitCode: number }[] };
    expect(body.ok).toBe(false);
    expect(body.results.map((r) => r.exitCode)).toEqual([4, 4]);
    const metrics = (await scrapeMetrics(health)).text;
    for (const s of servers) {
      expect(metrics).toContain(
        `ssh_runner_host_runs_total{host="root@127.0.0.1:${s.port}",outcome="ok",service="ssh-runner"} 1`,
      );
      expect(metrics).toContain(
        `ssh_runner_host_runs_total{host="root@127.0.0.1:${s.port}",outcome="failed",service="ssh-runner"} 1`,
      );
    }
  });
});
