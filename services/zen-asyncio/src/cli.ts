#!/usr/bin/env node
/**
 * zen-asyncio: the book's ch. 7 programs. `server HOST` and `client HOST` behave like
 * srv_asyncio2.py / srv_single.py and client.py (port 1060 as in the book); `serve` is
 * the long-running service with health and metrics (port 1061, health 9104).
 */
import { defineCommand, defineOptions, logOptions, runCli, serveCommand } from '@fopnp/net/cli';
import { DEFAULT_LIMITS, zenOptions } from './config.js';
import { manifest } from './manifest.js';

/** The commands' code, loaded when one runs, so `--help` loads no socket or kit runtime code (issue 20). */
async function load() {
  const [fs, kit, client, cluster, inetd, protocol, server, threads] = await Promise.all([
    import('node:fs'),
    import('@fopnp/net'),
    import('./client.js'),
    import('./cluster.js'),
    import('./inetd.js'),
    import('./protocol.js'),
    import('./server.js'),
    import('./threads.js'),
  ]);
  return {
    createWriteStream: fs.createWriteStream,
    ...kit,
    ...client,
    ...cluster,
    ...inetd,
    ...protocol,
    ...server,
    ...threads,
  };
}

/** The book's default port for the chapter's programs. */
const BOOK_PORT = 1060;

const logLevel = logOptions('info', 'log level of the server log (JSON lines on stdout unless a terminal)');

function limitsOf(v: {
  maxQuestionBytes: number;
  idleTimeoutMs: number;
  questionTimeoutMs: number;
  maxConnections: number;
}) {
  return {
    maxQuestionBytes: v.maxQuestionBytes,
    idleTimeoutMs: v.idleTimeoutMs,
    questionTimeoutMs: v.questionTimeoutMs,
    maxConnections: v.maxConnections,
  };
}

const server = defineCommand({
  description:
    'answer Zen questions on HOST (loop: srv_asyncio2.py; single: srv_single.py; cluster: pre-forked; threads: srv_threaded.py)',
  positionals: [{ name: 'host', description: 'IP or hostname to listen on' }],
  options: { ...zenOptions(BOOK_PORT), ...logLevel },
  async run({ values, positionals }) {
    const {
      createLogger,
      isClusterWorker,
      runClusterWorker,
      startClusterPrimary,
      formatHostPort,
      onShutdown,
      startThreads,
      createZenServer,
    } = await load();
    const host = positionals.host;
    const logger = createLogger(manifest.name, { level: values.logLevel });
    const limits = limitsOf(values);
    if (values.mode === 'cluster' && isClusterWorker()) {
      await runClusterWorker({ host, port: values.port, limits, logger });
      return 0;
    }
    if (values.mode === 'cluster') {
      const running = await startClusterPrimary({ host, port: values.port, workers: values.workers, logger });
      console.log(
        `Listening at ${formatHostPort(host, running.port)} (mode cluster, ${running.workers} workers)`,
      );
      onShutdown(() => running.close(), { logger });
      return 0;
    }
    if (values.mode === 'threads') {
      const running = await startThreads({
        host,
        port: values.port,
        threads: values.workers,
        limits,
        logger,
      });
      console.log(
        `Listening at ${formatHostPort(host, running.port)} (mode threads, ${running.threads} threads)`,
      );
      onShutdown(() => running.close(), { logger });
      return 0;
    }
    const zen = createZenServer({ mode: values.mode, ...limits, logger });
    const address = await zen.listen(values.port, host);
    console.log(`Listening at ${formatHostPort(host, address.port)} (mode ${values.mode})`);
    onShutdown(() => zen.close(), { logger });
    return 0;
  },
});

const client = defineCommand({
  description:
    "ask the book's three questions in random order and print each answer as it comes (client.py); --all asks every comparative this project's server knows",
  positionals: [{ name: 'host', description: 'IP or hostname of the server' }],
  options: defineOptions({
    port: { type: 'port', short: 'p', default: BOOK_PORT, description: 'TCP port of the server' },
    error: {
      type: 'boolean',
      short: 'e',
      description: 'cause an error: send half a question and hang up',
    },
    all: {
      type: 'boolean',
      description:
        "ask all nine comparatives in random order (this project's server; the book's servers know three)",
    },
    timeoutMs: {
      type: 'int',
      default: 10_000,
      min: 1,
      description: 'deadline for connecting and each answer',
    },
  }),
  async run({ values, positionals }) {
    const { sendHalfQuestion, sampleQuestions, APHORISMS, askQuestions } = await load();
    const host = positionals.host;
    const options = { timeoutMs: values.timeoutMs };
    if (values.error) {
      const half = await sendHalfQuestion(host, values.port, options);
      console.log(`sent ${JSON.stringify(half)} without its "?" and hung up`);
      return 0;
    }
    const asked = values.all ? sampleQuestions(APHORISMS.length) : sampleQuestions(3, Math.random, 'book');
    await askQuestions(host, values.port, asked, { ...options, onAnswer: (q, a) => console.log(q, a) });
    return 0;
  },
});

const { maxQuestionBytes, idleTimeoutMs, questionTimeoutMs } = zenOptions(BOOK_PORT);
const inetd = defineCommand({
  description:
    'serve the socket inetd hands over on descriptor 0 (in_zen1.py; --wait: the listening socket, in_zen2.py)',
  options: {
    ...defineOptions({
      wait: {
        type: 'boolean',
        description:
          "inetd's wait: descriptor 0 is the listening socket; exit after --linger-ms without a client",
      },
      lingerMs: {
        type: 'int',
        default: 8_000,
        min: 1,
        description: 'with --wait: leave after this long without a connection (the book: 8 s)',
      },
      logFile: {
        type: 'string',
        description:
          'append the JSON log here (stdout and stderr are the socket under inetd); default: no log',
      },
    }),
    maxQuestionBytes,
    idleTimeoutMs,
    questionTimeoutMs,
    ...logLevel,
  },
  async run({ values }) {
    const { createLogger, createWriteStream, silentLogger, runInetd } = await load();
    const logger = values.logFile
      ? createLogger(manifest.name, {
          level: values.logLevel,
          destination: createWriteStream(values.logFile, { flags: 'a' }),
        })
      : silentLogger();
    await runInetd({
      wait: values.wait ?? false,
      lingerMs: values.lingerMs,
      limits: {
        maxQuestionBytes: values.maxQuestionBytes,
        idleTimeoutMs: values.idleTimeoutMs,
        questionTimeoutMs: values.questionTimeoutMs,
        maxConnections: DEFAULT_LIMITS.maxConnections,
      },
      logger,
    });
    return 0;
  },
});

const service = serveCommand({
  manifest,
  start: async (ctx) => (await import('./service.js')).startService(ctx),
  description: 'run the long-running service with health and metrics (port 1061, health 9104)',
});
const serve = defineCommand({
  ...service,
  async run(args) {
    // In cluster mode the primary runs the service; each forked worker only serves the port.
    if (args.values.mode === 'cluster' && (await import('./cluster.js')).isClusterWorker()) {
      const { createLogger, runClusterWorker } = await load();
      const { values } = args;
      const logger = createLogger(manifest.name, { level: values.logLevel });
      await runClusterWorker({ host: values.host, port: values.port, limits: limitsOf(values), logger });
      return 0;
    }
    return service.run(args);
  },
});

process.exitCode = await runCli({
  name: 'zen-asyncio',
  description: manifest.description,
  commands: { server, client, serve, inetd },
});
