#!/usr/bin/env node
/**
 * udp-broadcaster: book ch. 2's udp_broadcast.py (`server`, `client`), udp_remote.py's
 * retransmitting client (`request`), big_sender.py (`big`) and the long-running `serve`.
 * The book-style commands print what the book's scripts print.
 */
import net from 'node:net';
import {
  complain,
  defineCommand,
  defineOptions,
  InvalidConfigError,
  MAX_TIMER_MS,
  portOption,
  runCli,
  say,
  serveCommand,
} from '@fopnp/net/cli';
import type { BigSendResult } from './big.js';
import { manifest } from './manifest.js';
import { isAscii, MAX_IPV4_UDP_PAYLOAD, MAX_IPV6_UDP_PAYLOAD } from './protocol.js';

/** The commands' code, loaded when one runs, so `--help` loads no socket or kit runtime code (issue 20). */
async function load() {
  const [kit, big, client, server] = await Promise.all([
    import('@fopnp/net'),
    import('./big.js'),
    import('./client.js'),
    import('./server.js'),
  ]);
  /** The book prints str repr for text it decoded; non-ASCII shows as bytes instead of crashing. */
  const show = (data: Buffer) => (isAscii(data) ? kit.pyRepr(data, { asBytes: false }) : kit.pyRepr(data));
  return { ...kit, ...big, ...client, ...server, show };
}

const port = portOption(manifest, 'UDP port');

/** The book encodes its text as ASCII; so do we, refusing what would not survive that. */
function asciiText(option: string, text: string): string {
  if (!/^[\x00-\x7f]*$/.test(text))
    throw new InvalidConfigError(option, 'must be ASCII text, as in the book');
  return text;
}

const server = defineCommand({
  description: 'print every datagram and answer it with its length (udp_broadcast.py + udp_remote.py server)',
  positionals: [
    {
      name: 'HOST',
      description: 'address to listen on: 0.0.0.0 hears everything, a broadcast address only broadcasts',
    },
  ],
  options: defineOptions({ port, dropRate: { ...manifest.options.dropRate, env: undefined } }),
  async run({ values, positionals }) {
    const { resolveAll, createDatagramServer, bindSocket, pyAddress, show } = await load();
    const host = positionals.HOST || '0.0.0.0';
    const address = net.isIP(host) ? host : (await resolveAll(host))[0]!.address;
    const socket = createDatagramServer({
      family: net.isIPv6(address) ? 6 : 4,
      dropRate: values.dropRate,
      events: {
        received(source, data, dropped) {
          if (dropped) say(`Pretending to drop packet from ${source.name}`);
          else say(`The client at ${source.name} says ${show(data)}`);
          if (!isAscii(data))
            complain(`warning: ${data.length}-byte datagram from ${source.name} is not ASCII`);
        },
        failed: (err) => complain(`error: ${err.message}`),
      },
    });
    const bound = await bindSocket(socket, values.port, address);
    say(`Listening at ${pyAddress(bound.address, bound.port)}`);
  },
});

const client = defineCommand({
  description: "udp_broadcast.py's client: send one datagram with SO_BROADCAST set",
  positionals: [{ name: 'NETWORK', description: 'broadcast address, e.g. 10.0.0.255, or <broadcast>' }],
  options: defineOptions({
    port,
    text: { type: 'string', default: 'Broadcast datagram!', description: 'what to send (ASCII)' },
    listenMs: {
      type: 'int',
      default: 0,
      min: 0,
      max: MAX_TIMER_MS,
      description: 'then print the replies heard for this long (the book does not wait)',
    },
  }),
  async run({ values, positionals }) {
    const { sendBroadcast, show } = await load();
    const result = await sendBroadcast(positionals.NETWORK, values.port, {
      text: asciiText('--text', values.text),
      listenMs: values.listenMs,
      onReply: (reply) => say(`Reply from ${reply.from}: ${show(reply.data)}`),
    });
    if (values.listenMs) say(`${result.replies.length} replies in ${values.listenMs} ms`);
  },
});

const request = defineCommand({
  description: "udp_remote.py's client: request, then resend with a doubling wait until a reply or give up",
  positionals: [{ name: 'HOST', description: 'server host name or address' }],
  options: defineOptions({
    port,
    text: { type: 'string', default: 'This is another message', description: 'request text (ASCII)' },
    initialWaitMs: {
      type: 'int',
      default: 100,
      min: 1,
      max: MAX_TIMER_MS,
      description: 'first wait for a reply',
    },
    maxWaitMs: {
      type: 'int',
      default: 2000,
      min: 1,
      max: MAX_TIMER_MS,
      description: 'the doubling wait is capped here',
    },
    attempts: { type: 'int', default: 5, min: 1, max: 100, description: 'sends before giving up' },
  }),
  async run({ values, positionals }) {
    const { requestWithBackoff, show } = await load();
    const reply = await requestWithBackoff(positionals.HOST, values.port, {
      text: asciiText('--text', values.text),
      initialWaitMs: values.initialWaitMs,
      maxWaitMs: values.maxWaitMs,
      attempts: values.attempts,
      onConnected: (name) => say(`Client socket name is ${name}`),
      onWait: (ms) => say(`Waiting up to ${ms / 1000} seconds for a reply`),
    });
    say(`The server says ${show(reply)}`);
  },
});

const big = defineCommand({
  description: "big_sender.py: send one oversized datagram and report the link's MTU",
  positionals: [{ name: 'HOST', description: 'destination host name or address' }],
  options: defineOptions({
    port,
    size: { type: 'int', default: 65_000, min: 1, max: 10_000_000, description: 'datagram size in bytes' },
  }),
  async run({ values, positionals }) {
    const { sendBigDatagram } = await load();
    const result = await sendBigDatagram(positionals.HOST, values.port, values.size);
    const where = describePath(result);
    if (result.error) {
      say('Alas, the datagram did not make it');
      if (result.path) {
        // The book's line: its IP_MTU is the path MTU.
        say(`Actual MTU: ${result.path.mtu}`);
        say(
          `  ${where}; UDP over IPv${result.family} carries at most ${result.family === 4 ? MAX_IPV4_UDP_PAYLOAD : MAX_IPV6_UDP_PAYLOAD} bytes`,
        );
      }
      throw result.error;
    }
    say('The big datagram was sent!');
    if (result.fragments !== undefined) {
      say(
        result.fragments > 1
          ? `  ${result.size} bytes, ${where}: the kernel split it into ${result.fragments} IP fragments; losing any one loses the datagram`
          : `  ${result.size} bytes, ${where}: it fit in one IP packet`,
      );
    }
  },
});

/**
 * The path MTU and where it comes from: `path MTU 1500 (interface br0's MTU)`,
 * `path MTU 65535 (interface lo has MTU 65536; the kernel caps an IPv4 path at 65535)`,
 * `path MTU 1400 (the route's; interface eth0 has MTU 1500)`.
 */
function describePath(result: BigSendResult): string {
  const { path, link } = result;
  const iface = link ? `interface ${link.interface} has MTU ${link.mtu}` : 'interface unknown';
  if (!path) return `path MTU unknown (${iface})`;
  if (path.from === 'route') return `path MTU ${path.mtu} (the route's; ${iface})`;
  if (link && link.mtu !== path.mtu)
    return `path MTU ${path.mtu} (${iface}; the kernel caps an IPv4 path at ${path.mtu})`;
  return `path MTU ${path.mtu} (${link ? `interface ${link.interface}'s MTU` : 'unknown interface'})`;
}

const serve = serveCommand({
  manifest,
  start: async (ctx) => (await import('./service.js')).startService(ctx),
  description:
    'long-running UDP server: answers requests, counts datagrams by source, /healthz /readyz /metrics',
});

process.exitCode = await runCli({
  name: 'udp-broadcaster',
  description: `Book ch. ${manifest.chapter}: ${manifest.description}.`,
  commands: { server, client, request, big, serve },
});
