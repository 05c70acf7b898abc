#!/usr/bin/env node
/**
 * fopnp-book: the book index. `fopnp-book` (or `pnpm book`) lists every program of the
 * book with our command that does the same; `fopnp-book run ch07/client.py 127.0.0.1`
 * runs ours with the book's arguments.
 */
import { defineCommand, reportFatal, runCli } from '@fopnp/net';
import { findRow, shortName } from './catalog.js';
import { formatIndex } from './list.js';
import { getname, stringcodes } from './programs/chapter01.js';
import { wwwPing } from './programs/chapter04.js';
import { blocksClient, blocksServer, streamerClient, streamerServer } from './programs/chapter05.js';
import { dnsBasic, dnsMx, resolverFor } from './programs/dns.js';
import { shell } from './programs/shell.js';
import { BOOK_ROWS, type RowStatus } from './rows.js';
import { runCounterpart } from './run.js';

/** blocks.py and streamer.py's arguments: [hostname] [-c] [-p port]. */
const chapter5 = {
  positionals: [
    { name: 'HOST', description: 'IP address or host name', required: false, default: '127.0.0.1' },
  ],
  options: {
    client: { type: 'boolean', short: 'c', description: 'run as the client' },
    port: { type: 'port', short: 'p', default: 1060, description: 'TCP port number' },
  },
} as const;

const dnsOptions = {
  server: {
    type: 'string',
    description: "DNS server to ask, HOST or HOST:PORT (default: the system's, as the book's)",
  },
} as const;

const STATUSES: readonly RowStatus[] = ['ours', 'missing', 'library', 'not-rebuilt', 'outside'];

const cli = {
  name: 'fopnp-book',
  description:
    "The book's programs (Foundations of Python Network Programming, 3rd ed., py3/) and the command here that does the same.",
  commands: {
    list: defineCommand({
      description: 'list every program of the book: chapter, file, our command, the README that explains it',
      options: {
        chapter: { type: 'int', description: 'only this chapter', min: 0, max: 18 },
        status: { type: 'enum', choices: STATUSES, description: 'only rows with this status' },
        differences: { type: 'boolean', description: 'also print what differs on purpose' },
        json: { type: 'boolean', description: 'print the rows as JSON' },
      },
      run({ values }) {
        const rows = BOOK_ROWS.filter(
          (r) =>
            (values.chapter === undefined || r.chapter === values.chapter) &&
            (values.status === undefined || r.status === values.status),
        );
        process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatIndex(rows, values));
        return 0;
      },
    }),
    show: defineCommand({
      description: "one book program's row, with what differs on purpose",
      positionals: [{ name: 'FILE', description: 'the book file, e.g. ch07/client.py' }],
      options: {},
      run({ positionals }) {
        const row = findRow(positionals.FILE);
        process.stdout.write(formatIndex([row], { differences: true }).split('\n\n')[0]!.concat('\n'));
        if (row.status === 'ours')
          process.stdout.write(
            `run it: fopnp-book run ${shortName(row.file)} ${(row.example ?? []).join(' ')}\n`,
          );
        return 0;
      },
    }),
    getname: defineCommand({
      description: "getname.py (ch. 1): a host name's IPv4 address, as socket.gethostbyname() gives it",
      positionals: [
        { name: 'HOST', description: 'the name to look up', required: false, default: 'maps.google.com' },
      ],
      options: {},
      run: ({ positionals }) => getname(positionals.HOST).then(() => 0),
    }),
    stringcodes: defineCommand({
      description:
        'stringcodes.py (ch. 1): bytes decoded from UTF-16, characters encoded to UTF-8 in eagle.txt',
      options: {},
      run: () => {
        stringcodes();
        return 0;
      },
    }),
    'www-ping': defineCommand({
      description: "www_ping.py (ch. 4): getaddrinfo with the book's flags, then connect to port 80",
      positionals: [{ name: 'HOST', description: 'host name or address to contact' }],
      options: {
        port: { type: 'port', short: 'p', default: 80, description: "TCP port (the book's is always 80)" },
      },
      run: ({ values, positionals }) => wwwPing(positionals.HOST, values.port),
    }),
    'dns-basic': defineCommand({
      description: "dns_basic.py (ch. 4): a name's A, AAAA, CNAME, MX and NS records",
      positionals: [{ name: 'NAME', description: 'the name to look up in DNS' }],
      options: dnsOptions,
      run: ({ values, positionals }) => dnsBasic(positionals.NAME, resolverFor(values.server)).then(() => 0),
    }),
    'dns-mx': defineCommand({
      description:
        "dns_mx.py (ch. 4): a mail domain's servers, by MX preference, else its own address (RFC 5321)",
      positionals: [{ name: 'DOMAIN', description: 'the domain you want to send mail to' }],
      options: dnsOptions,
      run: ({ values, positionals }) => dnsMx(positionals.DOMAIN, resolverFor(values.server)).then(() => 0),
    }),
    shell: defineCommand({
      description: "shell.py (ch. 16): run each line's words as a command with no shell between (show, exit)",
      options: {},
      run: () => shell().then(() => 0),
    }),
    blocks: defineCommand({
      description: 'blocks.py (ch. 5): length-prefixed blocks ended by an empty one (server, or -c client)',
      ...chapter5,
      run: ({ values, positionals }) =>
        (values.client ? blocksClient : blocksServer)(positionals.HOST, values.port).then(() => 0),
    }),
    streamer: defineCommand({
      description: 'streamer.py (ch. 5): a stream ended by closing it (server, or -c client)',
      ...chapter5,
      run: ({ values, positionals }) =>
        (values.client ? streamerClient : streamerServer)(positionals.HOST, values.port).then(() => 0),
    }),
    run: defineCommand({
      description:
        "run our counterpart of a book program with the book's arguments (fopnp-book run ch03/tcp_sixteen.py client 127.0.0.1 -p 1060)",
      positionals: [
        { name: 'FILE', description: 'the book file, e.g. ch07/client.py' },
        {
          name: 'ARGS',
          description: "the book program's arguments (its example when none)",
          variadic: true,
          required: false,
        },
      ],
      options: {},
      run: ({ positionals }) => runCounterpart(positionals.FILE, positionals.ARGS),
    }),
  },
};

const argv = process.argv.slice(2);
if (argv.length === 0) {
  process.exitCode = await runCli(cli, ['list']);
} else if (argv[0] === 'run' && argv[1] !== undefined && !argv[1].startsWith('-')) {
  // Everything after FILE is the book program's, options included (-p 1060, -e): passed on as given.
  try {
    process.exitCode = await runCounterpart(argv[1], argv.slice(2));
  } catch (e) {
    process.exitCode = reportFatal(e);
  }
} else {
  process.exitCode = await runCli(cli, argv);
}
