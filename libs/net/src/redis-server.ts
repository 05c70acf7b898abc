/**
 * The command line of a throwaway `redis-server`, written once for every place that starts
 * one (the local stack's backing servers, tests and benchmarks): loopback only, its own
 * port, nothing persisted (no RDB snapshots, no append-only file), its files in `dir`.
 */
export interface RedisServerArgsOptions {
  /** Working directory (nodes.conf, a dump if one is asked for). @default the server's own */
  dir?: string;
  /** Address it binds. @default '127.0.0.1' */
  bind?: string;
}

/** `redis-server` arguments for an ephemeral server on `port`; append any others after them. */
export function redisServerArgs(port: number, options: RedisServerArgsOptions = {}): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    options.bind ?? '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    ...(options.dir ? ['--dir', options.dir] : []),
  ];
}
