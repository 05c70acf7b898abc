/**
 * The compose instances of the declared services: one per manifest in the default
 * profile, plus each variant its manifest declares (`deploy.variants`), with the values
 * that differ from the declared defaults and why. A loop over the manifests: nothing here
 * names a service. The platform's own parts (backing servers, their addresses, the
 * image's state directory) are the only facts kept here.
 */
import type {
  BackingGroup,
  BackingService,
  DeployedValue,
  Resources,
  ServiceManifest,
  StateVolume,
} from '@fopnp/net';

export const SHARDS = 4;
export const CLUSTER_NODES = 6;

export const RABBIT_NODES = 3;

export const shardName = (i: number) => `redis-shard-${i}`;
export const clusterNodeName = (i: number) => `redis-node-${i}`;
export const sentinelName = (i: number) => `redis-sentinel-${i}`;
export const SENTINEL_MASTER_HOST = 'redis-sentinel-master';
/** The name the sentinels monitor the master under (REDIS_SENTINEL_MASTER of the variants). */
export const SENTINEL_MASTER_NAME = 'fopnp';
export const rabbitNodeName = (i: number) => `rabbitmq-node-${i}`;

/** The compose services of each backing group, and the one-shot jobs that must have completed. */
export const BACKING_GROUPS: Record<BackingGroup, { servers: string[]; completed: string[] }> = {
  'redis-shards': { servers: Array.from({ length: SHARDS }, (_, i) => shardName(i)), completed: [] },
  'redis-cluster': {
    servers: Array.from({ length: CLUSTER_NODES }, (_, i) => clusterNodeName(i)),
    completed: ['redis-cluster-init'],
  },
  'redis-sentinel': {
    servers: [
      SENTINEL_MASTER_HOST,
      ...[0, 1].map((i) => `redis-sentinel-replica-${i}`),
      ...[0, 1, 2].map(sentinelName),
    ],
    completed: [],
  },
  twemproxy: { servers: ['twemproxy'], completed: [] },
  'rabbitmq-cluster': {
    servers: Array.from({ length: RABBIT_NODES }, (_, i) => rabbitNodeName(i)),
    completed: [],
  },
};

export interface Instance {
  /** Compose service name (and k8s Deployment name for default instances). */
  name: string;
  /** The manifest this instance runs. */
  service: string;
  /** "default" or a variant's profile. */
  profile: string;
  /** Env values that differ from the declared defaults: value and why. */
  env: Record<string, DeployedValue>;
  /** Host port for each published container port; omitted ports are not published. */
  publish: Record<number, number>;
  /** Named volumes mounted as "name:/path" (compose; an emptyDir at the path in k8s). */
  volumes?: string[];
  /** `docker compose up --scale NAME=N`: no fixed host ports. */
  scalable?: boolean;
  /** Backing compose services it waits for (healthy): its needs, or its variant's backing groups, then the services it calls. */
  dependsOn: string[];
  /** One-shot compose services that must have completed first. */
  completed?: string[];
  /** Other app services it calls (its manifest's `calls`), with the port it calls. */
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

/** Where a service may write in its image (owned by the image's user). */
export const STATE_DIR = '/var/lib/fopnp';

const DEFAULT_RESOURCES: Resources = { cpus: '0.50', memory: '256M' };

const HOST_ENV = new Set(['HOST', 'HEALTH_HOST']);

function stateOf(state: StateVolume | undefined): { env: Instance['env']; volumes?: string[] } {
  if (!state) return { env: {} };
  return {
    volumes: [`${state.volume}:${STATE_DIR}`],
    env: {
      [state.env]: { value: `${STATE_DIR}/${state.file}`, why: `${state.why} (volume ${state.volume})` },
    },
  };
}

/** Bind addresses, backing URLs and the manifest's deployment values: every instance has them. */
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
  Object.assign(env, m.deploy?.env ?? {});
  return env;
}

function publicPorts(m: ServiceManifest): number[] {
  return m.ports.filter((p) => p.public).map((p) => Number(m.options[p.option]?.default));
}

function healthPort(m: ServiceManifest): number {
  return Number(m.options[m.healthPortOption ?? 'healthPort']?.default);
}

/**
 * The services a manifest calls, each with the port number the callee declares under the
 * called port's name. Throws when a call names an unknown service or port: a declaration
 * that cannot be deployed.
 */
export function upstreamsOf(m: ServiceManifest, services: ServiceManifest[]): Instance['upstreams'] {
  return (m.calls ?? []).flatMap((call) => {
    const callee = services.find((s) => s.name === call.service);
    // A call to a service not deployed with this set (a partial checkout) is left out.
    if (!callee) return [];
    const port = callee.ports.find((p) => p.name === call.port);
    if (!port)
      throw new Error(`${m.name} calls ${call.service} on port "${call.port}", which it does not declare`);
    return [{ service: callee.name, port: Number(callee.options[port.option]?.default) }];
  });
}

/** Every compose instance of the given services: the default profile first, then the variants. */
export function instancesOf(services: ServiceManifest[]): Instance[] {
  const out: Instance[] = [];
  for (const m of services) {
    const publish: Record<number, number> = {};
    for (const p of [...publicPorts(m), healthPort(m)]) publish[p] = p;
    const state = stateOf(m.deploy?.state);
    const upstreams = upstreamsOf(m, services);
    out.push({
      name: m.name,
      service: m.name,
      profile: 'default',
      env: { ...baseEnv(m), ...state.env },
      publish,
      dependsOn: [...m.needs, ...new Set(upstreams.map((u) => u.service))],
      upstreams,
      ...(state.volumes ? { volumes: state.volumes } : {}),
      ...DEFAULT_RESOURCES,
      ...m.deploy?.resources,
    });
  }
  for (const m of services) {
    for (const v of m.deploy?.variants ?? []) {
      const state = stateOf(v.state);
      const publish: Record<number, number> = {};
      if (v.hostPortOffset !== undefined) for (const p of publicPorts(m)) publish[p] = p + v.hostPortOffset;
      const groups = (v.backing ?? []).map((g) => BACKING_GROUPS[g]);
      out.push({
        name: v.name,
        service: m.name,
        profile: v.profile,
        env: { ...baseEnv(m), ...v.env, ...state.env },
        ...(state.volumes ? { volumes: state.volumes } : {}),
        publish,
        ...(v.scalable ? { scalable: true } : {}),
        dependsOn: groups.length ? groups.flatMap((g) => g.servers) : [...m.needs],
        ...(groups.some((g) => g.completed.length) ? { completed: groups.flatMap((g) => g.completed) } : {}),
        upstreams: [],
        ...DEFAULT_RESOURCES,
        ...m.deploy?.resources,
        ...v.resources,
      });
    }
  }
  return out;
}

/** Profiles in the order the manifests first declare them, "default" first. */
export function profilesOf(services: ServiceManifest[]): string[] {
  return [
    ...new Set(['default', ...services.flatMap((m) => (m.deploy?.variants ?? []).map((v) => v.profile))]),
  ];
}

/** Backing groups the variants of a profile wait for. */
export function backingGroupsOf(services: ServiceManifest[], profile: string): BackingGroup[] {
  return [
    ...new Set(
      services.flatMap((m) =>
        (m.deploy?.variants ?? []).filter((v) => v.profile === profile).flatMap((v) => v.backing ?? []),
      ),
    ),
  ];
}
