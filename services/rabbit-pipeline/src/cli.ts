#!/usr/bin/env node
/**
 * rabbit-pipeline: the book's queuepi.py roles, each runnable as its own process, plus
 * `serve` (the container entry), `topology`, `dead-letters`, `consume` and `teardown`.
 */
import {
  defineCommand,
  defineOptions,
  logOptions,
  type OptionValues,
  runCli,
  say,
  serveCommand,
} from '@fopnp/net/cli';
import { clusterCommands } from './cluster/leaders.js';
import { BrokerRefusedError } from './errors.js';
import { brokerOptions, manifest, ROLES, type Role, roleOptions } from './manifest.js';
import { patternCommands } from './patterns/commands.js';
import type { Pipeline } from './pipeline.js';
import { pipelineNames, pipelineTopology, renderMermaid, renderTable } from './topology.js';

/** The commands' code, loaded when one runs, so `--help` loads no AMQP client or kit runtime code (issue 20). */
async function load() {
  const [kit, inspect, pipeline, roles, tally, topology] = await Promise.all([
    import('@fopnp/net'),
    import('./inspect.js'),
    import('./pipeline.js'),
    import('./roles.js'),
    import('./tally.js'),
    import('./topology.js'),
  ]);
  return { ...kit, ...inspect, ...pipeline, ...roles, ...tally, ...topology };
}

const logOption = logOptions('warn', 'log level (logs go to stderr; stdout keeps the book-style output)');
const common = { ...brokerOptions, ...logOption };
type Common = OptionValues<typeof common>;

/** Pipelines opened by the running command; `guard` closes them however it ends. */
const opened = new Set<Pipeline>();

async function open(values: Common): Promise<Pipeline> {
  const { createLogger, openPipeline } = await load();
  const logger = createLogger('rabbit-pipeline', {
    level: values.logLevel,
    pretty: false,
    destination: process.stderr,
  });
  const p = await openPipeline({ ...values, logger });
  opened.add(p);
  return p;
}

/**
 * Runs a command: AMQP errors (which carry the broker's numeric reply code) become a
 * BrokerRefusedError, which runCli's reportFatal prints as one line with exit 1, as it does
 * every other coded error. Whatever happens, the connection is closed, so the process can exit.
 */
async function guard(fn: () => Promise<number | undefined>): Promise<number> {
  try {
    return (await fn()) ?? 0;
  } catch (caught) {
    throw caught instanceof Error && typeof (caught as { code?: unknown }).code === 'number'
      ? new BrokerRefusedError((caught as unknown as { code: number }).code, caught.message)
      : caught;
  } finally {
    for (const p of opened) await p.close().catch(() => {});
    opened.clear();
  }
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

const out = say;

/** Runs consumer roles (and optionally bitsource and tally's HTTP port) until a signal. */
async function runRoles(roles: Role[], values: Common & OptionValues<typeof roleOptions>): Promise<number> {
  const { startRoleSet, formatTallyLine } = await load();
  const p = await open(values);
  const every = values.printEvery;
  const running = await startRoleSet(p, roles, {
    ...values,
    onDecision(t) {
      if (every > 0 && t.count % every === 0) out(formatTallyLine(t.snapshot()));
    },
    onTallyListening: (port) => out(`tally listening on http://${values.host}:${port}/estimate`),
  });
  const consumers = roles.filter((r) => r !== 'bitsource');
  if (consumers.length) out(`${consumers.join(', ')} consuming under prefix "${values.prefix}"`);
  const stopped = untilSignal().then(() => running.close());
  if (running.bitsource) out(`bitsource: ${await running.bitsource} points published and confirmed`);
  if (roles.length > 1 || !roles.includes('bitsource')) await stopped;
  await running.close();
  for (const [role, h] of Object.entries(running.handles)) {
    const { acked, retried, deadLettered } = h.stats;
    out(`${role}: ${acked} messages processed, ${retried} retried, ${deadLettered} dead-lettered`);
  }
  const { tally } = running;
  if (tally && tally.count > 0) out(formatTallyLine(tally.snapshot()));
  await p.close();
  return 0;
}

function roleCommand(role: Role, description: string) {
  const options =
    role === 'bitsource'
      ? { ...common, points: roleOptions.points, rate: roleOptions.rate }
      : role === 'tally'
        ? {
            ...common,
            port: roleOptions.port,
            host: roleOptions.host,
            printEvery: roleOptions.printEvery,
            tallyStateFile: roleOptions.tallyStateFile,
            tallyCheckpointMs: roleOptions.tallyCheckpointMs,
            tallyCheckpointEvery: roleOptions.tallyCheckpointEvery,
          }
        : common;
  return defineCommand({
    description,
    options,
    run: ({ values }) =>
      guard(() => runRoles([role], { ...roleOptionDefaults(), ...values } as Common & RoleValues)),
  });
}
type RoleValues = OptionValues<typeof roleOptions>;
/** The defaults of the role options a command does not take, from their one declaration. */
function roleOptionDefaults(): RoleValues {
  return Object.fromEntries(Object.entries(roleOptions).map(([k, spec]) => [k, spec.default])) as RoleValues;
}

const topologyOptions = defineOptions({
  prefix: brokerOptions.prefix,
  quorum: brokerOptions.quorum,
  format: {
    type: 'enum',
    choices: ['table', 'mermaid', 'both'],
    default: 'both',
    description: 'what to print',
  },
});

const serve = serveCommand({
  manifest,
  start: async (ctx) => (await import('./service.js')).startService(ctx),
  description: 'long-running service: the role named by ROLE, tally HTTP, health and metrics',
});

const cli = {
  name: 'rabbit-pipeline',
  description:
    "Book ch. 8: queuepi.py's roles over RabbitMQ. Start tally, pythagoras, judge and always-yes, then bitsource.",
  commands: {
    bitsource: roleCommand('bitsource', 'publish random points to the topic exchange (key = first two bits)'),
    'always-yes': roleCommand('always-yes', 'answer Y for every point whose first two bits are 00'),
    judge: roleCommand('judge', 'ask pythagoras for x²+y² (request/reply) and push Y or N'),
    pythagoras: roleCommand('pythagoras', 'reply with the sum of squares of the numbers asked'),
    tally: roleCommand('tally', 'count Y/N into an estimate of pi; serve it on HTTP /estimate'),
    all: defineCommand({
      description: 'run all five roles in this process',
      options: { ...common, ...roleOptions },
      run: ({ values }) => guard(() => runRoles([...ROLES], values)),
    }),
    serve: defineCommand({
      ...serve,
      // The broker's refusals (numeric AMQP codes) become coded errors, as for the roles.
      run: (args) => guard(async () => serve.run(args)),
    }),
    topology: defineCommand({
      description: 'print the declared exchanges, queues and bindings as tables and a Mermaid diagram',
      options: topologyOptions,
      run: ({ values }) => {
        const topo = pipelineTopology(values.prefix);
        const names = pipelineNames(values.prefix);
        const parts: string[] = [];
        if (values.format !== 'mermaid') {
          parts.push(
            renderTable(topo, { quorum: values.quorum, deadLetterExchange: names.deadLetterExchange }),
          );
        }
        if (values.format !== 'table') parts.push(`\`\`\`mermaid\n${renderMermaid(topo, names)}\`\`\`\n`);
        process.stdout.write(parts.join('\n'));
        return 0;
      },
    }),
    'dead-letters': defineCommand({
      description: 'show the messages in the dead-letter queue (left in place)',
      options: { ...common, max: { type: 'int', default: 20, min: 1, description: 'messages to show' } },
      run: ({ values }) =>
        guard(async () => {
          const { peek, describeDeadLetter } = await load();
          const p = await open(values);
          const ch = await p.broker.channel();
          const msgs = await peek(ch, p.names.deadLetters, values.max);
          for (const m of msgs.map(describeDeadLetter)) {
            out(
              `${m.queue}\t${m.reason}\tretries=${m.retries}\tid=${m.messageId ?? '-'}\t${JSON.stringify(m.body)}\t${m.error ?? ''}`,
            );
          }
          out(`${msgs.length} dead letter(s) shown from ${p.names.deadLetters}`);
          await ch.close();
          await p.close();
          return 0;
        }),
    }),
    consume: defineCommand({
      description: 'print each message of a queue (one line each) and ack it after printing',
      positionals: [{ name: 'queue', description: 'queue name (the prefix is not added)' }],
      options: {
        ...common,
        delayMs: { type: 'int', default: 0, min: 0, description: 'pause before each ack (to watch)' },
      },
      run: ({ values, positionals }) =>
        guard(async () => {
          const { ReliableConsumer } = await import('./consumer.js');
          const p = await open(values);
          const queue = positionals.queue;
          const consumer = await new ReliableConsumer(p.broker, {
            queue,
            prefetch: values.prefetch,
            maxRetries: 0,
            async handler(msg) {
              if (values.delayMs) await new Promise((r) => setTimeout(r, values.delayMs));
              // stdout is synchronous on a pipe or file on Linux: the line is out before the ack.
              out(msg.content.toString('utf8'));
            },
          }).start();
          await untilSignal();
          await consumer.close();
          await p.close();
          return 0;
        }),
    }),
    publish: defineCommand({
      description: 'publish one persistent message and wait for its confirm (try a malformed one)',
      positionals: [
        { name: 'routingKey', description: 'routing key (a queue name for the default exchange)' },
        { name: 'body', description: 'message body' },
      ],
      options: {
        ...common,
        exchange: { type: 'string', default: '', description: 'exchange (default: the default exchange)' },
      },
      run: ({ values, positionals }) =>
        guard(async () => {
          const p = await open(values);
          const key = positionals.routingKey;
          await p.publisher.publish(values.exchange, key, Buffer.from(positionals.body));
          await p.close();
          out(`confirmed: ${values.exchange || '(default exchange)'} → ${key}`);
          return 0;
        }),
    }),
    teardown: defineCommand({
      description: 'delete the exchanges and queues of a prefix (their messages are lost)',
      options: common,
      run: ({ values }) =>
        guard(async () => {
          const { deleteTopology } = await load();
          const p = await open(values);
          const ch = await p.broker.channel();
          await deleteTopology(ch, pipelineTopology(values.prefix));
          await ch.close();
          await p.close();
          out(`deleted the topology under prefix "${values.prefix}"`);
          return 0;
        }),
    }),
    ...patternCommands({ common, guard, untilSignal }),
    ...clusterCommands({ common, guard }),
  },
};

process.exitCode = await runCli(cli);
