/**
 * The stack's control endpoint for topology-lab: a few declared units the lab may start
 * and stop on this machine — extra judges (and slow ones) joining the running pipeline —
 * behind a bearer token on loopback. The lab gets the URL and token in its environment.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { type Logger, listen } from '@fopnp/net';
import { createControlServer, ProcessControl, type UnitSpec } from '@fopnp/topology-lab/control';
import type { DiscoveredService } from './discover.js';

/**
 * How slow a slow judge is: every delivery waits this long (rabbit-pipeline's LATENCY_MS knob).
 * A judge works on up to PREFETCH (64) points at once, so the knob bounds its throughput only
 * when it exceeds 64 / rate: at 2 s a point a slow judge judges at most 32 points a second,
 * less than the 75 a second bitsource's default rate sends to judges. (At 250 ms it kept up.)
 */
export const SLOW_JUDGE_LATENCY_MS = 2_000;

/** Units over the pipeline of the stack's rabbit-pipeline instance that runs a judge, if any. */
export function pipelineUnits(services: DiscoveredService[]): UnitSpec[] {
  const pipeline = services.find(
    (s) => s.service === 'rabbit-pipeline' && (s.env.ROLE ?? 'all') in { all: 1, judge: 1 },
  );
  if (!pipeline) return [];
  // The roles' own settings (AMQP_URL, AMQP_PREFIX, …) from the instance, without its ports.
  const { PORT: _port, HEALTH_PORT: _health, ROLE: _role, ...env } = pipeline.env;
  const judge = (name: string, description: string, extra: Record<string, string>): UnitSpec => ({
    name,
    kind: 'role',
    description,
    scalable: true,
    initial: 0,
    command: process.execPath,
    args: [pipeline.cli, 'judge'],
    env: { ...env, LOG_LEVEL: 'warn', ...extra },
  });
  return [
    judge('judge', "one more judge on the pipeline's judge queue", {}),
    judge('slow-judge', `a judge that takes ${SLOW_JUDGE_LATENCY_MS} ms a point (back-pressure)`, {
      LATENCY_MS: String(SLOW_JUDGE_LATENCY_MS),
    }),
  ];
}

/**
 * What topology-lab should watch of the profile's Redis, from the redis-cache instance the
 * profile runs: its shards (`--profile sharded`: the lab's sharding view and key movement) or its
 * cluster's nodes (`--profile cluster`: the slot map). Empty for the other profiles.
 */
export function labRedisEnv(services: DiscoveredService[]): Record<string, string> {
  const lab = services.find((s) => s.service === 'topology-lab');
  const cache = services.find((s) => s.service === 'redis-cache');
  if (!lab || !cache) return {};
  const e = cache.env;
  if (e.CACHE_TOPOLOGY === 'sharded' && e.REDIS_SHARDS)
    return {
      REDIS_SHARDS: e.REDIS_SHARDS,
      ...(e.CACHE_NAMESPACE ? { CACHE_NAMESPACE: e.CACHE_NAMESPACE } : {}),
    };
  if (e.CACHE_TOPOLOGY === 'cluster' && e.REDIS_CLUSTER_NODES) {
    const nodes = e.REDIS_CLUSTER_NODES.split(',').map((a) => (a.includes('://') ? a : `redis://${a}`));
    return { REDIS_URL: [lab.env.REDIS_URL, ...nodes].filter(Boolean).join(',') };
  }
  return {};
}

export interface StackControl {
  /** Env for topology-lab: where the control endpoint is and its token. */
  env: Record<string, string>;
  url: string;
  stop(): Promise<void>;
}

export async function startStackControl(
  units: UnitSpec[],
  logger: Logger,
  write: (line: string) => void,
): Promise<StackControl> {
  const control = new ProcessControl(units, logger, (instance, line) =>
    write(`${instance.padEnd(16)} | ${line}\n`),
  );
  control.startInitial();
  const token = randomBytes(24).toString('hex');
  const server: http.Server = createControlServer(control, token);
  const port = await listen(server, 0, '127.0.0.1', 'stack control endpoint');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    env: { STACK_CONTROL_URL: url, STACK_CONTROL_TOKEN: token },
    async stop() {
      await control.stopAll();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
