/**
 * The backing services the stack needs (Redis, RabbitMQ, PostgreSQL): checked on their
 * ports, started from the machine's own servers when installed and down, otherwise a
 * message that says exactly how to get them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { type BackingService, type Logger, NetworkError, redisServerArgs, waitForPort } from '@fopnp/net';

export interface LocalServer {
  name: string;
  port: number;
  /** Started by us, so stopped by us. */
  startedHere: boolean;
  stop?: () => void;
  /** Its process group, when started here (the watchdog stops it if the stack is killed). */
  pgid?: number;
}

/** The pid a daemon wrote to its pid file (undefined when it did not). */
export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid file's pid, waited for (a daemon may answer on its port before it writes the file). */
export async function waitPid(file: string, timeoutMs = 3000): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = readPid(file);
    if (pid || Date.now() > deadline) return pid;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const SETUP_HINT = 'bash scripts/setup.sh (as root) installs and starts it on Debian/Ubuntu';

const KNOWN: Record<
  BackingService,
  { port: number; start?: (runDir: string) => (() => void) | undefined; pidFile?: string; howTo: string }
> = {
  redis: {
    port: 6379,
    start: (runDir) => startRedis(6379, ['--pidfile', join(runDir, 'redis-6379.pid')]),
    pidFile: 'redis-6379.pid',
    howTo: `${SETUP_HINT}; elsewhere install Redis, or run: redis-server --port 6379 --save "" --appendonly no`,
  },
  rabbitmq: {
    port: 5672,
    start: () => {
      if (!which('rabbitmq-server')) return undefined;
      spawnSync('rabbitmq-server', ['-detached'], { stdio: 'ignore' });
      spawnSync('rabbitmqctl', ['-q', 'await_startup'], { stdio: 'ignore', timeout: 120_000 });
      return () => spawnSync('rabbitmqctl', ['-q', 'stop'], { stdio: 'ignore', timeout: 60_000 });
    },
    howTo: `${SETUP_HINT}; elsewhere install RabbitMQ with its management plugin and start it on 127.0.0.1:5672`,
  },
  postgres: {
    port: 5432,
    howTo:
      'start PostgreSQL on 127.0.0.1:5432 (FOPNP_POSTGRES=1 bash scripts/setup.sh installs it on Debian/Ubuntu), or unset DATABASE_URL: the bank then keeps its SQLite file',
  },
};

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function startRedis(port: number, extra: string[] = []): (() => void) | undefined {
  if (!which('redis-server')) return undefined;
  execFileSync('redis-server', [...redisServerArgs(port), '--daemonize', 'yes', ...extra]);
  return () =>
    spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { stdio: 'ignore', timeout: 10_000 });
}

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/** True once the port accepts connections within `timeoutMs` (the test kit's poller). */
export function waitForPortOpen(port: number, timeoutMs: number): Promise<boolean> {
  return waitForPort(port, '127.0.0.1', timeoutMs).then(
    () => true,
    () => false,
  );
}

/** Ensures each needed backing service answers; throws with how-to text when one cannot. */
export async function ensureBacking(
  needs: Iterable<BackingService>,
  logger: Logger,
  runDir: string,
): Promise<LocalServer[]> {
  const servers: LocalServer[] = [];
  for (const name of new Set(needs)) {
    const known = KNOWN[name];
    if (await portOpen(known.port)) {
      servers.push({ name, port: known.port, startedHere: false });
      continue;
    }
    mkdirSync(runDir, { recursive: true });
    let stop: (() => void) | undefined;
    if (known.start) {
      logger.warn({ backing: name, port: known.port }, `${name} is down; trying to start it`);
      stop = known.start(runDir);
    }
    if (stop && (await waitForPortOpen(known.port, 60_000))) {
      const pgid = known.pidFile ? await waitPid(join(runDir, known.pidFile)) : undefined;
      servers.push({ name, port: known.port, startedHere: true, stop, ...(pgid ? { pgid } : {}) });
      continue;
    }
    throw new NetworkError(
      `${name} is not answering on 127.0.0.1:${known.port} and could not be started here: ${known.howTo}`,
    );
  }
  return servers;
}

/**
 * Compose gives http-app its own PostgreSQL role and database; on this machine they may
 * not exist yet. Creates them through the local server's superuser when psql can, else
 * says how.
 */
export function ensurePostgresDatabase(databaseUrl: string, logger: Logger): void {
  const url = new URL(databaseUrl);
  const role = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const db = url.pathname.replace(/^\//, '');
  if (!role || !db || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(role) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(db)) return;
  const psql = (sql: string) =>
    spawnSync(
      'psql',
      ['-h', url.hostname, '-p', url.port || '5432', '-U', 'postgres', '-d', 'postgres', '-tAc', sql],
      {
        encoding: 'utf8',
        timeout: 15_000,
      },
    );
  const probe = psql(`SELECT 1 FROM pg_database WHERE datname = '${db}'`);
  if (probe.status !== 0) {
    logger.warn(
      { db },
      `cannot check PostgreSQL database ${db} (${probe.stderr?.trim() || 'psql missing'}); create role ${role} and database ${db} yourself`,
    );
    return;
  }
  if (probe.stdout.trim() === '1') return;
  const quoted = password.replace(/'/g, "''");
  const roleExists = psql(`SELECT 1 FROM pg_roles WHERE rolname = '${role}'`).stdout.trim() === '1';
  if (!roleExists) psql(`CREATE ROLE ${role} LOGIN PASSWORD '${quoted}'`);
  const made = psql(`CREATE DATABASE ${db} OWNER ${role}`);
  if (made.status === 0)
    logger.info({ role, db }, 'created the PostgreSQL role and database compose declares');
  else logger.warn({ db }, `could not create database ${db}: ${made.stderr.trim()}`);
}
