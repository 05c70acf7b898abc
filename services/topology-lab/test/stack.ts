/**
 * A real pipeline for the lab's tests: rabbit-pipeline's roles as separate processes under
 * a prefix no other run uses (the shared RabbitMQ), a Redis shard of our own on a free
 * port, all run by the lab's own ProcessControl behind its control endpoint — exactly
 * what the local stack does — and the lab's `serve` pointed at them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, listen, redisServerArgs } from '@fopnp/net';
import {
  cliTestKit,
  freePort,
  run,
  type ServeProcess,
  startServe,
  waitForHttp,
  waitForPort,
} from '@fopnp/net/testing';
import { deleteTopology, pipelineTopology } from '@fopnp/rabbit-pipeline';
import amqp from 'amqplib';
import { createControlServer } from '../src/control/endpoint.js';
import { ProcessControl, type UnitSpec } from '../src/control/units.js';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const MANAGEMENT = 'http://guest:guest@127.0.0.1:15672';
const PIPELINE_CLI = cliTestKit(new URL('../../rabbit-pipeline/test/', import.meta.url).href).CLI;
export const { CLI: LAB_CLI } = cliTestKit(import.meta.url);

/**
 * A TCP relay to the management API that the test can cut and restore: from the lab's
 * side, the broker's API going away and coming back, without stopping the shared broker.
 */
export class Relay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}
  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await listen(this.server, this.port, '127.0.0.1');
  }
  async cut(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
  }
}

/** A redis-server the control runs: on `port`, loopback only, no persistence, files in `dir`. */
export function redisUnit(name: string, port: number, dir: string, extra: string[] = []): UnitSpec {
  return {
    name,
    kind: 'redis',
    address: `127.0.0.1:${port}`,
    description: `redis-server on ${port}`,
    scalable: false,
    command: 'redis-server',
    args: [...redisServerArgs(port, { dir }), '--dbfilename', `${port}.rdb`, ...extra],
  };
}

export interface LabStack {
  prefix: string;
  control: ProcessControl;
  tallyPort: number;
  redisPort: number;
  clusterPort: number;
  relay: Relay;
  lab: ServeProcess;
  stop(): Promise<void>;
}

export async function startLabStack(): Promise<LabStack> {
  const prefix = `tl-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'topology-lab-test-'));
  const [tallyPort, redisPort, clusterPort, busPort, controlPort, relayPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env = { AMQP_URL, AMQP_PREFIX: prefix, LOG_LEVEL: 'warn' };
  const role = (name: string, extra: Partial<UnitSpec> = {}): UnitSpec => ({
    name,
    kind: 'role',
    description: `rabbit-pipeline ${name}`,
    scalable: false,
    command: process.execPath,
    args: [PIPELINE_CLI, name],
    env,
    ...extra,
  });
  const units: UnitSpec[] = [
    role('tally', {
      env: { ...env, PORT: String(tallyPort), TALLY_STATE_FILE: join(dir, 'tally.json'), PRINT_EVERY: '0' },
    }),
    role('pythagoras'),
    role('judge', { scalable: true }),
    // Takes 2 s a point (rabbit-pipeline's LATENCY_MS), so it holds its 64 prefetched points
    // unacked: the "kill a judge under load" scenario kills one of these.
    role('slow-judge', {
      scalable: true,
      initial: 0,
      args: [PIPELINE_CLI, 'judge'],
      env: { ...env, LATENCY_MS: '2000' },
    }),
    role('always-yes'),
    role('bitsource', { env: { ...env, RATE: '100', POINTS: '0' } }),
    redisUnit('redis-shard-0', redisPort, dir),
    // A one-node Redis Cluster (it is given every slot below): the page's slot map.
    redisUnit('redis-cluster-0', clusterPort, dir, [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      // The bus port defaults to port + 10000, which may be taken (the server then exits): choose it.
      '--cluster-port',
      String(busPort),
    ]),
  ];
  const logger = createLogger('test-control', { level: 'warn' });
  const control = new ProcessControl(units, logger);
  control.startInitial();
  await waitForPort(clusterPort);
  const slots = await run('redis-cli', ['-p', String(clusterPort), 'CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
  if (slots.stdout.trim() !== 'OK') throw new Error(`CLUSTER ADDSLOTSRANGE: ${slots.stdout}${slots.stderr}`);
  const token = randomBytes(16).toString('hex');
  const server = createControlServer(control, token);
  await listen(server, controlPort, '127.0.0.1');
  const relay = new Relay(relayPort, 15672);
  await relay.open();
  const lab = await startServe(LAB_CLI, {
    RABBITMQ_MANAGEMENT_URL: `http://guest:guest@127.0.0.1:${relayPort}`,
    AMQP_URL,
    AMQP_PREFIX: prefix,
    REDIS_URL: `redis://127.0.0.1:${redisPort},redis://127.0.0.1:${clusterPort}`,
    TALLY_URL: `http://127.0.0.1:${tallyPort}`,
    STACK_CONTROL_URL: `http://127.0.0.1:${controlPort}`,
    STACK_CONTROL_TOKEN: token,
    POLL_MS: '500',
    LOG_LEVEL: 'warn',
  });
  await waitForHttp(`${lab.healthUrl}/readyz`, { timeoutMs: 45_000 });
  return {
    prefix,
    control,
    tallyPort,
    redisPort,
    clusterPort,
    relay,
    lab,
    async stop() {
      await lab.proc.stop();
      await relay.cut();
      await control.stopAll();
      await new Promise<void>((r) => server.close(() => r()));
      await deleteUnder(prefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function deleteUnder(prefix: string): Promise<void> {
  const conn = await amqp.connect(AMQP_URL);
  try {
    const ch = await conn.createChannel();
    await deleteTopology(ch, pipelineTopology(prefix));
  } finally {
    await conn.close();
  }
}
