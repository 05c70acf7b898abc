/**
 * A real twemproxy (Debian's `nutcracker`) for the tests: one process serving any number of
 * pools, each on its own free port, configured by a YAML file in a temp dir. Stopped in
 * afterAll and, should the runner die first, by a process exit handler.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, run, startProcess, waitForPort } from '@fopnp/net/testing';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface PoolSpec {
  name: string;
  distribution: 'ketama' | 'modula';
  hash: string;
  /** "host:port:weight [name]" lines, as twemproxy's YAML has them. */
  servers: string[];
}

export class Twemproxy {
  readonly ports = new Map<string, number>();
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'redis-cache-twemproxy-'));

  private constructor(readonly pools: readonly PoolSpec[]) {}

  static async start(pools: readonly PoolSpec[]): Promise<Twemproxy> {
    const proxy = new Twemproxy(pools);
    try {
      await proxy.launch();
    } catch (err) {
      await proxy.stop();
      throw err;
    }
    return proxy;
  }

  url(pool: string): string {
    return `redis://127.0.0.1:${this.ports.get(pool)}`;
  }

  private async launch(): Promise<void> {
    const yaml: string[] = [];
    for (const pool of this.pools) {
      const port = await freePort();
      this.ports.set(pool.name, port);
      yaml.push(
        `${pool.name}:`,
        `  listen: 127.0.0.1:${port}`,
        '  redis: true',
        `  hash: ${pool.hash}`,
        `  distribution: ${pool.distribution}`,
        // Off, so a dead server's keys fail instead of moving to the others (which no client
        // could predict): the setting to use when clients must agree with the proxy.
        '  auto_eject_hosts: false',
        '  timeout: 5000',
        '  preconnect: true',
        '  servers:',
        ...pool.servers.map((s) => `    - ${s}`),
      );
    }
    const conf = join(this.dir, 'nutcracker.yml');
    writeFileSync(conf, `${yaml.join('\n')}\n`);
    const check = await run('nutcracker', ['-t', '-c', conf], { timeoutMs: 10_000 });
    if (check.code !== 0)
      throw new Error(`nutcracker -t rejected the config:\n${check.stderr}${check.stdout}`);
    const statsPort = await freePort();
    const proc = startProcess('nutcracker', [
      '-c',
      conf,
      '-s',
      String(statsPort),
      '-a',
      '127.0.0.1',
      '-o',
      join(this.dir, 'nutcracker.log'),
    ]);
    this.child = proc.child;
    live.add(proc.child);
    for (const port of this.ports.values()) await waitForPort(port, '127.0.0.1', 10_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => {
        child.once('close', resolve);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
      });
    }
    if (child) live.delete(child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
