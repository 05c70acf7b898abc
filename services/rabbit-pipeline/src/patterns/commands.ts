/**
 * The CLI's `pattern NAME` and `tap EXCHANGE [PATTERN]` commands. `cli.ts` passes its
 * shared broker options and its error guard in, so these commands report errors and
 * exit codes exactly as the pipeline's roles do.
 */
import { defineCommand, InvalidConfigError, type OptionSpecs, type OptionValues } from '@fopnp/net/cli';
import type { brokerOptions } from '../manifest.js';
import { renderPattern } from './render.js';
import type { PatternSession } from './session.js';
import { PATTERNS, type PatternName, patternTopology } from './topologies.js';

/** The patterns' code, loaded when a command runs, so the CLI's `--help` loads no AMQP client (issue 20). */
async function load() {
  const [kit, exchanges, requestReply, session, stream, tap, workQueue] = await Promise.all([
    import('@fopnp/net'),
    import('./exchanges.js'),
    import('./request-reply.js'),
    import('./session.js'),
    import('./stream.js'),
    import('./tap.js'),
    import('./work-queue.js'),
  ]);
  return { ...kit, ...exchanges, ...requestReply, ...session, ...stream, ...tap, ...workQueue };
}

/** The CLI's shared options: the broker's and its log level. */
type Common = typeof brokerOptions & { logLevel: OptionSpecs[string] };
type CommonValues = OptionValues<typeof brokerOptions> & { logLevel: string };

export interface CommandContext<C extends Common> {
  common: C;
  guard: (fn: () => Promise<number | undefined>) => Promise<number>;
  /** Resolves on SIGINT or SIGTERM. */
  untilSignal: () => Promise<unknown>;
}

interface PatternValues extends CommonValues {
  topology: boolean;
  format: 'table' | 'mermaid' | 'both';
  messages: number;
  workers: number;
  subscribers: number;
  heavyMs: number;
  lightMs: number;
  keep: boolean;
}

const out = (line: string) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`);

async function loggerOf(level: string) {
  const { createLogger } = await load();
  return createLogger('rabbit-pipeline', { level, pretty: false, destination: process.stderr });
}

async function runPattern(name: PatternName, s: PatternSession, v: PatternValues): Promise<string> {
  const {
    runWorkQueue,
    formatWorkQueueRuns,
    formatExchangeRun,
    runExchangePattern,
    formatRpcRun,
    runRequestReply,
    formatStreamRun,
    runStream,
  } = await load();
  switch (name) {
    case 'work-queue': {
      const o = {
        tasks: v.messages || 40,
        workers: v.workers,
        heavyMs: v.heavyMs,
        lightMs: v.lightMs,
        maxRetries: v.maxRetries,
        faults: { latencyMs: v.latencyMs, failRate: v.failRate },
      };
      // Fair dispatch first, then the same tasks with the large window.
      const fair = await runWorkQueue(s, 1, o);
      const large = await runWorkQueue(s, v.prefetch, o);
      return formatWorkQueueRuns([fair, large]);
    }
    case 'pubsub':
    case 'routing':
    case 'topics':
      return formatExchangeRun(await runExchangePattern(s, v.messages || 30));
    case 'rpc':
      return formatRpcRun(
        await runRequestReply(s, { calls: v.messages || 200, servers: v.workers, timeoutMs: v.rpcTimeoutMs }),
      );
    case 'stream':
      return formatStreamRun(await runStream(s, { before: v.messages || 100, after: 10 }));
  }
}

export function patternCommands<C extends Common>({ common, guard, untilSignal }: CommandContext<C>) {
  return {
    pattern: defineCommand({
      description: `run one of the RabbitMQ tutorials' patterns and print what happened (${PATTERNS.join(', ')})`,
      positionals: [{ name: 'name', description: PATTERNS.join(' | ') }],
      options: {
        ...common,
        topology: {
          type: 'boolean',
          default: false,
          description: 'print the topology (tables + Mermaid) and exit',
        },
        format: {
          type: 'enum',
          choices: ['table', 'mermaid', 'both'],
          default: 'both',
          description: 'with --topology: what to print',
        },
        messages: {
          type: 'int',
          default: 0,
          min: 0,
          description: 'messages (tasks, calls, events) to send (0 = the pattern default: 40, 30, 200, 100)',
        },
        workers: { type: 'int', default: 2, min: 1, max: 64, description: 'work-queue workers, rpc servers' },
        subscribers: { type: 'int', default: 3, min: 1, max: 64, description: 'pubsub subscriber queues' },
        heavyMs: {
          type: 'int',
          default: 40,
          min: 0,
          description: 'work-queue: cost of an even-numbered task',
        },
        lightMs: { type: 'int', default: 4, min: 0, description: 'work-queue: cost of an odd-numbered task' },
        keep: {
          type: 'boolean',
          default: false,
          description: 'leave the queues and exchanges on the broker (default: delete them after the run)',
        },
      },
      run: ({ values, positionals }) =>
        guard(async () => {
          const name = positionals.name;
          if (!(PATTERNS as readonly string[]).includes(name)) {
            throw new InvalidConfigError(
              'name',
              `unknown pattern "${name}"; expected one of: ${PATTERNS.join(', ')}`,
            );
          }
          const v = values as unknown as PatternValues;
          const topology = patternTopology(name as PatternName, v.prefix, { subscribers: v.subscribers });
          if (v.topology) {
            process.stdout.write(renderPattern(topology, v.format));
            return 0;
          }
          const { openPatternSession } = await load();
          const s = await openPatternSession(topology, {
            amqpUrl: v.amqpUrl,
            quorum: v.quorum,
            maxInFlight: v.maxInFlight,
            logger: await loggerOf(v.logLevel),
          });
          try {
            out(`${name} (the book's ZeroMQ ${topology.zeromq}) under prefix "${v.prefix}"`);
            out(await runPattern(name as PatternName, s, v));
            if (!v.keep) await s.teardown();
          } finally {
            await s.close();
          }
          return 0;
        }),
    }),
    tap: defineCommand({
      description: 'print every message that goes through an exchange, one line each, taking it from no one',
      positionals: [
        { name: 'exchange', description: 'exchange to tap (the prefix is not added)' },
        {
          name: 'pattern',
          description: 'binding pattern (topic: # = all; fanout: ignored; direct: the routing key)',
          required: false,
          default: '#',
        },
      ],
      options: {
        ...common,
        count: {
          type: 'int',
          default: 0,
          min: 0,
          description: 'exit after this many messages (0 = until a signal)',
        },
      },
      run: ({ values, positionals }) =>
        guard(async () => {
          const v = values as unknown as CommonValues & { count: number };
          const exchange = positionals.exchange;
          const pattern = positionals.pattern;
          const { Broker } = await import('../connection.js');
          const { Tap, formatTapLine } = await load();
          const broker = await Broker.connect({ url: v.amqpUrl, logger: await loggerOf(v.logLevel) });
          let enough!: () => void;
          const counted = new Promise<void>((r) => {
            enough = r;
          });
          try {
            const tap = new Tap(broker, {
              exchange,
              pattern,
              maxMessageBytes: v.maxMessageBytes,
              onMessage(msg, oversize) {
                out(formatTapLine(msg, new Date(), oversize));
                if (v.count > 0 && tap.seen >= v.count) enough();
              },
              onBound(queue) {
                process.stderr.write(
                  `tapping ${exchange} (pattern ${JSON.stringify(pattern)}) through ${queue}\n`,
                );
              },
            });
            await tap.start();
            await Promise.race([counted, untilSignal()]);
            await tap.close();
          } finally {
            await broker.close();
          }
          return 0;
        }),
    }),
  };
}
