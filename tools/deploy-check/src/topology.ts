/**
 * How the declared services are deployed: which compose services (instances) each
 * manifest becomes, in which profile, and the few settings that differ from the
 * declared defaults, each with its reason. Everything else comes from the manifests.
 */
import { type BackingService, envDefaults, type ServiceManifest } from '@fopnp/net';

export const SHARDS = 4;
export const CLUSTER_NODES = 6;

export type Profile = 'default' | 'sharded' | 'cluster' | 'pipeline';
export const PROFILES: Profile[] = ['default', 'sharded', 'cluster', 'pipeline'];

export interface Instance {
  /** Compose service name (and k8s Deployment name for default instances). */
  name: string;
  /** The manifest this instance runs. */
  service: string;
  profile: Profile;
  /** Env values that differ from the declared defaults: value and why. */
  env: Record<string, { value: string; why: string }>;
  /** Host port for each published container port; omitted ports are not published. */
  publish: Record<number, number>;
  /** Named volumes mounted as "name:/path" (compose; an emptyDir at the path in k8s). */
  volumes?: string[];
  /** `docker compose up --scale NAME=N`: no fixed host ports. */
  scalable?: boolean;
  /** Backing compose services it waits for (healthy), derived from `needs` and profile. */
  dependsOn: string[];
  /** One-shot compose services that must have completed first. */
  completed?: string[];
  /** Other app services it calls (found in its env values), with the port it calls. */
  upstreams: { service: string; port: number }[];
  cpus: string;
  memory: string;
}

/** Where each backing service lives inside the compose network / the dev cluster. */
export const BACKING_URLS: Record<BackingService, { env: string; url: string; host: string }> = {
  redis: { env: 'REDIS_URL', url: 'redis://redis:6379', host: 'redis' },
  rabbitmq: { env: 'AMQP_URL', url: 'amqp://guest:guest@rabbitmq:5672', host: 'rabbitmq' },
  postgres: {
    env: 'DATABASE_URL',
    url: 'postgres://fopnp:fopnp@postgres:5432/fopnp',
    host: 'postgres',
  },
};

/** Env vars whose values are secrets: in compose a labelled dev value, in k8s a Secret. */
export const SECRET_ENV = /SECRET|PASSWORD|TOKEN/;

/** Values a shared deployment needs instead of the declared defaults (dev-only secrets; the addresses of other services). */
const REQUIRED_VALUES: Record<string, Record<string, { value: string; why: string }>> = {
  'ssh-runner': {
    API_TOKEN: {
      value: 'dev-only-api-token-change-me',
      why: 'the runner refuses to start unauthenticated (dev value; k8s reads a Secret)',
    },
  },
  'topology-lab': {
    RABBITMQ_MANAGEMENT_URL: {
      value: 'http://guest:guest@rabbitmq:15672',
      why: "the broker's management API (the rabbitmq image has the plugin on)",
    },
    TALLY_URL: {
      value: 'http://rabbit-pipeline:8006',
      why: "rabbit-pipeline's tally, for the estimate of pi",
    },
    SERVICES_HOST: { value: '{name}', why: 'each service is reachable under its own name' },
  },
  'http-app': {
    SESSION_SECRET: {
      value: 'dev-only-session-secret-change-me-0123456789',
      why: 'a fixed key so sessions survive restarts and replicas agree (dev value; k8s reads a Secret)',
    },
  },
};

/** Where a service may write (owned by the image's user), and what lives there. */
export const STATE_DIR = '/var/lib/fopnp';
const tallyState = (volume: string): Pick<Instance, 'volumes'> & { env: Instance['env'] } => ({
  volumes: [`${volume}:${STATE_DIR}`],
  env: {
    TALLY_STATE_FILE: {
      value: `${STATE_DIR}/tally.json`,
      why: `the tally's counts survive restarts and re-creation (volume ${volume})`,
    },
  },
});

/** Per-instance overrides of declared defaults beyond backing URLs. */
const EXTRA: Record<string, Partial<Pick<Instance, 'cpus' | 'memory'>>> = {};

const HOST_ENV = new Set(['HOST', 'HEALTH_HOST']);

/** The pi pipeline of rabbit-pipeline as separate roles; `judge` scales. */
export const PIPELINE_ROLES = ['bitsource', 'always-yes', 'judge', 'pythagoras', 'tally'] as const;

function baseEnv(m: ServiceManifest): Instance['env'] {
  const env: Instance['env'] = {};
  for (const spec of Object.values(m.options)) {
    if (spec.env && HOST_ENV.has(spec.env) && spec.default !== '0.0.0.0')
      env[spec.env] = { value: '0.0.0.0', why: 'listen on the container network, not loopback' };
  }
  for (const need of m.needs) {
    const b = BACKING_URLS[need];
    env[b.env] = { value: b.url, why: `the ${need} service of this deployment` };
  }
  Object.assign(env, REQUIRED_VALUES[m.name] ?? {});
  return env;
}

/**
 * Other services an instance calls: env values naming another service's host and port
 * ("zen-asyncio:1061", "http://redis-cache:8005"). Used for depends_on and NetworkPolicy.
 */
export function findUpstreams(
  env: Record<string, string | undefined>,
  services: ServiceManifest[],
): { service: string; port: number }[] {
  const out: { service: string; port: number }[] = [];
  for (const value of Object.values(env)) {
    for (const m of services) {
      const match = value?.match(new RegExp(`(?:^|//|,)${m.name}:(\\d+)`));
      if (match) out.push({ service: m.name, port: Number(match[1]) });
    }
  }
  return out;
}

function hasEnv(m: ServiceManifest, env: string): boolean {
  return Object.values(m.options).some((o) => o.env === env);
}

function publicPorts(m: ServiceManifest): number[] {
  return m.ports.filter((p) => p.public).map((p) => Number(m.options[p.option]?.default));
}

function healthPort(m: ServiceManifest): number {
  return Number(m.options[m.healthPortOption ?? 'healthPort']?.default);
}

/** Every compose instance of the given services, default profile first. */
export function instancesOf(services: ServiceManifest[]): Instance[] {
  const out: Instance[] = [];
  for (const m of services) {
    const publish: Record<number, number> = {};
    for (const p of [...publicPorts(m), healthPort(m)]) publish[p] = p;
    const env = baseEnv(m);
    const state =
      m.name === 'rabbit-pipeline' && hasEnv(m, 'TALLY_STATE_FILE') ? tallyState('tally-state') : undefined;
    if (state) Object.assign(env, state.env);
    const values = { ...envDefaults(m.options) };
    for (const [k, v] of Object.entries(env)) values[k] = v.value;
    const upstreams = findUpstreams(values, services);
    out.push({
      name: m.name,
      service: m.name,
      profile: 'default',
      env,
      publish,
      dependsOn: [...m.needs, ...new Set(upstreams.map((u) => u.service))],
      upstreams,
      ...(state ? { volumes: state.volumes } : {}),
      cpus: '0.50',
      memory: '256M',
      ...EXTRA[m.name],
    });
  }
  const cache = services.find((m) => m.name === 'redis-cache');
  if (cache) {
    const httpPort = publicPorts(cache)[0] ?? 8005;
    const topo = (kind: string) => ({ value: kind, why: `redis-cache's ${kind} topology` });
    out.push({
      name: 'redis-cache-sharded',
      service: cache.name,
      profile: 'sharded',
      env: {
        ...baseEnv(cache),
        CACHE_TOPOLOGY: topo('sharded'),
        REDIS_SHARDS: {
          value: Array.from({ length: SHARDS }, (_, i) => `redis://redis-shard-${i}:6379`).join(','),
          why: 'the four shards, in shard order',
        },
      },
      publish: { [httpPort]: httpPort + 10 },
      dependsOn: Array.from({ length: SHARDS }, (_, i) => `redis-shard-${i}`),
      upstreams: [],
      cpus: '0.50',
      memory: '256M',
    });
    out.push({
      name: 'redis-cache-cluster',
      service: cache.name,
      profile: 'cluster',
      env: {
        ...baseEnv(cache),
        CACHE_TOPOLOGY: topo('cluster'),
        REDIS_CLUSTER_NODES: {
          value: Array.from({ length: CLUSTER_NODES }, (_, i) => `redis-node-${i}:6379`).join(','),
          why: 'seed nodes; the client learns the rest from the cluster',
        },
      },
      publish: { [httpPort]: httpPort + 20 },
      // The nodes too, not only the job: compose then stops this before the nodes, so its
      // shutdown still finds the cluster to say goodbye to.
      dependsOn: Array.from({ length: CLUSTER_NODES }, (_, i) => `redis-node-${i}`),
      completed: ['redis-cluster-init'],
      upstreams: [],
      cpus: '0.50',
      memory: '256M',
    });
  }
  const pipeline = services.find((m) => m.name === 'rabbit-pipeline');
  if (pipeline) {
    for (const role of PIPELINE_ROLES) {
      const tallyPort = publicPorts(pipeline)[0];
      const state =
        role === 'tally' && hasEnv(pipeline, 'TALLY_STATE_FILE')
          ? tallyState('pipeline-tally-state')
          : undefined;
      out.push({
        name: role,
        service: pipeline.name,
        profile: 'pipeline',
        env: {
          ...baseEnv(pipeline),
          ROLE: { value: role, why: 'one role of the pipeline per container' },
          AMQP_PREFIX: {
            value: 'pipeline',
            why: "its own queues, apart from the default profile's rabbit-pipeline",
          },
          ...state?.env,
        },
        ...(state ? { volumes: state.volumes } : {}),
        // The default-profile rabbit-pipeline already holds the tally port on the host.
        publish: role === 'tally' && tallyPort ? { [tallyPort]: tallyPort + 10 } : {},
        ...(role === 'judge' ? { scalable: true } : {}),
        dependsOn: [...pipeline.needs],
        upstreams: [],
        cpus: '0.25',
        memory: '192M',
      });
    }
  }
  return out;
}
