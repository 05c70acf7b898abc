#!/usr/bin/env node
/**
 * tcp-farewell: the book's tcp_sixteen.py (`server`, `client`), tcp_deadlock.py
 * (`deadlock-server`, `deadlock-client`, and the fix, `streaming-client`) and the
 * long-running `serve`. The book-style commands print what the book's scripts print.
 */
import {
  complain,
  defineCommand,
  defineOptions,
  definePositional,
  InvalidConfigError,
  MAX_TIMER_MS,
  portOption,
  runCli,
  say,
  serveCommand,
} from '@fopnp/net/cli';
import type { TransferReport } from './deadlock/index.js';
import { manifest } from './manifest.js';

/** The commands' code, loaded when one runs, so `--help` loads no socket or kit runtime code (issue 20). */
async function load() {
  const [kit, client, deadlock, server] = await Promise.all([
    import('@fopnp/net'),
    import('./client.js'),
    import('./deadlock/index.js'),
    import('./server.js'),
  ]);
  return { ...kit, ...client, ...deadlock, ...server };
}

const port = portOption(manifest, 'TCP port');
const hostArgument = definePositional({
  name: 'HOST',
  description: 'interface to listen on, e.g. 127.0.0.1 or 0.0.0.0',
});
const serverHost = definePositional({ name: 'HOST', description: 'server host name or address' });
const bytecountArgument = definePositional({
  name: 'BYTECOUNT',
  description: 'how many bytes to send (rounded up to 16)',
});
const transferOptions = defineOptions({
  port,
  stallMs: {
    type: 'int',
    default: 2000,
    min: 1,
    max: MAX_TIMER_MS,
    description: 'report a stall when no byte moves either way for this long',
  },
});

function parseBytecount(raw: unknown): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidConfigError(
      'BYTECOUNT',
      `expected a positive whole number of bytes, got ${String(raw)}`,
    );
  }
  return n;
}

function printReceived(pyRepr: (data: Buffer) => string, report: TransferReport): void {
  say(`  The first data received says ${pyRepr(report.firstData)}`);
  say(`  ${report.bytesReceived} bytes received`);
}

const server = defineCommand({
  description: "tcp_sixteen.py's server: read 16 octets, answer 'Farewell, client', close",
  positionals: [hostArgument],
  options: defineOptions({ port, idleTimeoutMs: { ...manifest.options.idleTimeoutMs, env: undefined } }),
  async run({ values, positionals }) {
    const { createFarewellServer, pyRepr, listen, boundAddress, pyAddress } = await load();
    const farewell = createFarewellServer({
      idleTimeoutMs: values.idleTimeoutMs,
      events: {
        accepted(conn) {
          say(`We have accepted a connection from ${conn.peerName}`);
          say(`  Socket name: ${conn.socketName}`);
          say(`  Socket peer: ${conn.peerName}`);
        },
        message: (_conn, message) => say(`  Incoming sixteen-octet message: ${pyRepr(message)}`),
        replied: () => say('  Reply sent, socket closed'),
        extraBytes: (conn, count) =>
          complain(`error: client ${conn.peerName} sent ${count} bytes after its 16-octet message`),
        failed: (conn, err) => complain(`error: client ${conn.peerName}: ${err.message}`),
        closed: () => say('Waiting to accept a new connection'),
      },
    });
    await listen(farewell, values.port, positionals.HOST);
    const address = boundAddress(farewell);
    say(`Listening at ${pyAddress(address.address, address.port)}`);
    say('Waiting to accept a new connection');
  },
});

const client = defineCommand({
  description: "tcp_sixteen.py's client: send 'Hi there, server', print the 16-octet reply",
  positionals: [serverHost],
  options: defineOptions({
    port,
    timeoutMs: {
      type: 'int',
      default: 10_000,
      min: 1,
      max: MAX_TIMER_MS,
      description: 'deadline to connect, then to get the reply',
    },
  }),
  async run({ values, positionals }) {
    const { requestFarewell, pyRepr } = await load();
    const reply = await requestFarewell(positionals.HOST, values.port, {
      timeoutMs: values.timeoutMs,
      onConnected: (name) => say(`Client has been assigned socket name ${name}`),
    });
    say(`The server said ${pyRepr(reply)}`);
  },
});

const serve = serveCommand({
  manifest,
  start: async (ctx) => (await import('./service.js')).startService(ctx),
  description: 'long-running farewell server for many clients at once, with /healthz, /readyz, /metrics',
});

const deadlockServer = defineCommand({
  description: "tcp_deadlock.py's server: echo every byte back upper-cased",
  positionals: [hostArgument],
  options: defineOptions({ port }),
  async run({ values, positionals }) {
    const { createCapitalizeServer, BLOCK_BYTES, listen, boundAddress, pyAddress } = await load();
    const capitalizer = createCapitalizeServer({
      accepted: (peer) => say(`Processing up to ${BLOCK_BYTES} bytes at a time from ${peer}`),
      finished(_peer, processed) {
        say(`  ${processed} bytes processed so far`);
        say('  Socket closed');
      },
      failed: (peer, processed, err) =>
        complain(`error: client ${peer} after ${processed} bytes processed: ${err.message}`),
    });
    await listen(capitalizer, values.port, positionals.HOST);
    const address = boundAddress(capitalizer);
    say(`Listening at ${pyAddress(address.address, address.port)}`);
  },
});

const deadlockClient = defineCommand({
  description: "tcp_deadlock.py's client: send everything, then read; a large BYTECOUNT stalls both sides",
  positionals: [serverHost, bytecountArgument],
  options: transferOptions,
  async run({ values, positionals }) {
    const { roundToPhrases, BLOCK_BYTES, sendThenReceive, pyRepr } = await load();
    const bytecount = parseBytecount(positionals.BYTECOUNT);
    const host = positionals.HOST;
    say(
      `Sending ${roundToPhrases(bytecount)} bytes of data, in chunks of 16 bytes (${BLOCK_BYTES} per write)`,
    );
    const report = await sendThenReceive(host, values.port, bytecount, { stallMs: values.stallMs });
    say(`  ${report.bytesSent} bytes sent`);
    if (report.stalled) {
      complain(
        `error: deadlock: ${report.bytesSent} of ${report.bytesToSend} bytes were sent, then no byte moved ` +
          `in either direction for ${values.stallMs} ms. The server is blocked sending replies we are not ` +
          'reading yet, and we are blocked sending data it has stopped reading while it waits. ' +
          'Read while writing: tcp-farewell streaming-client',
      );
      return 1;
    }
    say('Receiving all the data the server sends back');
    printReceived(pyRepr, report);
  },
});

const streamingClient = defineCommand({
  description: 'the deadlock fixed: the same transfer, reading the replies while still sending',
  positionals: [serverHost, bytecountArgument],
  options: transferOptions,
  async run({ values, positionals }) {
    const { roundToPhrases, sendWhileReceiving, pyRepr } = await load();
    const bytecount = parseBytecount(positionals.BYTECOUNT);
    const host = positionals.HOST;
    say(`Sending ${roundToPhrases(bytecount)} bytes of data while receiving the replies`);
    const report = await sendWhileReceiving(host, values.port, bytecount, { stallMs: values.stallMs });
    say(`  ${report.bytesSent} bytes sent`);
    printReceived(pyRepr, report);
    if (report.stalled) {
      complain(
        `error: no byte moved in either direction for ${values.stallMs} ms; the server stopped answering`,
      );
      return 1;
    }
    if (!report.replyCorrect || report.bytesReceived !== report.bytesSent) {
      complain(
        `error: the reply was not the capitalized request (${report.bytesReceived} of ${report.bytesSent} bytes)`,
      );
      return 1;
    }
    say('  Every byte came back capitalized, in order');
  },
});

process.exitCode = await runCli({
  name: 'tcp-farewell',
  description: `Book ch. ${manifest.chapter}: ${manifest.description}, and the tcp_deadlock.py stall.`,
  commands: {
    server,
    client,
    serve,
    'deadlock-server': deadlockServer,
    'deadlock-client': deadlockClient,
    'streaming-client': streamingClient,
  },
});
