/**
 * What a service's manifest says about running it beyond its own options: the values a
 * shared deployment sets, its state, its variants in other compose profiles, the services
 * it calls and what it needs on one machine. tools/deploy-check writes docker-compose.yml
 * and k8s/ from these, tools/stack runs the local stack from them; neither names a service.
 */

/** A value a deployment gives an env var instead of its declared default, and why. */
export interface DeployedValue {
  value: string;
  /** Written beside the value in docker-compose.yml, so the reason travels with it. */
  why: string;
}

/**
 * Groups of extra backing servers the platform runs for a profile (tools/deploy-check
 * renders them in compose; tools/stack starts them locally):
 * - `redis-shards`: four independent Redis, `redis-shard-0..3:6379`;
 * - `redis-cluster`: a six-node Redis Cluster, `redis-node-0..5:6379`, formed by a one-shot job;
 * - `redis-sentinel`: a master `redis-sentinel-master:6379`, replicas `redis-sentinel-replica-0..1`
 *   and three sentinels `redis-sentinel-0..2:26379` watching it as master `fopnp`;
 * - `twemproxy`: nutcracker at `twemproxy:22121`, a ketama/fnv1a_64 pool over the four
 *   `redis-shards` (named shard0..3), which a variant lists beside it;
 * - `rabbitmq-cluster`: three RabbitMQ nodes, `rabbitmq-node-0..2:5672`, one cluster (each
 *   node finds the others by name at boot), for quorum queues.
 */
export type BackingGroup =
  | 'redis-shards'
  | 'redis-cluster'
  | 'redis-sentinel'
  | 'twemproxy'
  | 'rabbitmq-cluster';

/**
 * The twemproxy group's pool (nutcracker YAML): ketama over fnv1a_64 (twemproxy's defaults),
 * servers named shard0..N-1 so the ring does not depend on addresses (compose and the local
 * stack reach the shards at different ones), auto_eject_hosts off so clients can agree with it.
 */
export function twemproxyPoolYaml(listen: string, shards: readonly string[]): string[] {
  return [
    'pool:',
    `  listen: ${listen}`,
    '  redis: true',
    '  hash: fnv1a_64',
    '  distribution: ketama',
    '  auto_eject_hosts: false',
    '  timeout: 2000',
    '  servers:',
    ...shards.map((hostPort, i) => `    - ${hostPort}:1 shard${i}`),
  ];
}

/** A file the service keeps across restarts: a named volume in compose, an emptyDir in k8s. */
export interface StateVolume {
  /** Compose volume name. */
  volume: string;
  /** Env var of the option that holds the file's path. */
  env: string;
  /** File name inside the image's writable state directory (/var/lib/fopnp). */
  file: string;
  /** What surviving buys the user, e.g. "the tally's counts survive restarts and re-creation". */
  why: string;
}

export interface Resources {
  /** Compose `cpus`, e.g. "0.50". @default "0.50" */
  cpus: string;
  /** Compose `mem_limit` in M or G, e.g. "256M". @default "256M" */
  memory: string;
}

/** One more instance of the service, in a compose profile of its own. */
export interface DeploymentVariant {
  /** Compose service name, e.g. "redis-cache-sharded"; the service name on the network. */
  name: string;
  /** Compose profile (never "default"). Variants of one service in one profile run side by side. */
  profile: string;
  /** Env values beyond the service's deployment values (`deploy.env`, bind address, backing URLs). */
  env?: Record<string, DeployedValue>;
  /**
   * Publish the service's public ports on host port = container port + this offset
   * (a default instance already holds the declared port). Unset: nothing published.
   */
  hostPortOffset?: number;
  /** `docker compose up --scale NAME=N` works: no fixed host ports. */
  scalable?: boolean;
  /** Backing groups it waits for instead of its `needs`. */
  backing?: BackingGroup[];
  state?: StateVolume;
  resources?: Resources;
}

export interface Deployment {
  /**
   * Values for options with no default that a shared deployment must set (dev values;
   * names matching SECRET|PASSWORD|TOKEN go to a k8s Secret).
   */
  env?: Record<string, DeployedValue>;
  state?: StateVolume;
  /** No state of its own: prod scales it (HorizontalPodAutoscaler, PodDisruptionBudget). */
  stateless?: boolean;
  resources?: Resources;
  /** Profile → what it adds, in the user's words (docker-compose.yml's header). */
  profiles?: Record<string, string>;
  variants?: DeploymentVariant[];
}

/** Another service this one calls: compose depends_on and the k8s NetworkPolicy come from it. */
export interface ServiceCall {
  /** The called service's manifest name. */
  service: string;
  /** Name of the called service's declared port. */
  port: string;
  /** Option of this service that holds the address; its default must name `service:port`. */
  option: string;
}
