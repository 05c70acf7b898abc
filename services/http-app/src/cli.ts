#!/usr/bin/env node
/**
 * http-app get URL [-v] [-H 'Name: value'] [--repeat N]   the chapter 9 client, curl -v style
 * http-app serve                                           echo server + bank (ch. 10-11)
 * http-app insecure-bank [--port 5000]                     the book's app_insecure.py, loopback only
 */
import { defineCommand, defineOptions, runCli, serveCommand } from '@fopnp/net/cli';
import { insecureBankCommand } from './insecure-bank/command.js';
import { manifest } from './manifest.js';

const getOptions = defineOptions({
  verbose: {
    type: 'boolean',
    short: 'v',
    description: 'print the connection, request and response heads (to stderr, like curl -v)',
  },
  header: { type: 'list', short: 'H', description: 'extra request header "Name: value" (repeatable)' },
  repeat: {
    type: 'int',
    default: 1,
    min: 1,
    max: 10_000,
    description: 'send the request N times over the keep-alive pool',
  },
  noKeepAlive: {
    type: 'boolean',
    flag: 'no-keepalive',
    description: 'open a new connection for every request (no pool)',
  },
  compressed: { type: 'boolean', description: 'ask for gzip and decode it (like curl --compressed)' },
  include: { type: 'boolean', short: 'i', description: 'print the response head before the body' },
  timeoutMs: { type: 'int', default: 10_000, min: 1, description: 'per-request deadline in milliseconds' },
});

const exitCode = await runCli({
  name: 'http-app',
  description: manifest.description,
  commands: {
    get: defineCommand({
      description: 'GET a URL, showing the wire like curl -v; --repeat shows keep-alive reuse',
      positionals: [{ name: 'URL', description: 'http:// URL to fetch' }],
      options: getOptions,
      async run({ values, positionals }) {
        // Loaded when run: `--help` loads only the kit's light part (issue 20).
        const { HttpClient, parseHeaderArg, parseHttpUrl } = await import('./client.js');
        const url = parseHttpUrl(positionals.URL);
        const headers = values.header.map(parseHeaderArg);
        const err = (line: string) => process.stderr.write(`${line}\n`);
        const client = new HttpClient({
          keepAlive: !values.noKeepAlive,
          timeoutMs: values.timeoutMs,
          trace: values.verbose ? err : undefined,
        });
        let failed = false;
        try {
          for (let i = 0; i < values.repeat; i++) {
            const res = await client.request(url, { headers, decompress: values.compressed });
            if (values.include) {
              process.stdout.write(`HTTP/${res.httpVersion} ${res.status} ${res.statusMessage}\r\n`);
              for (let h = 0; h + 1 < res.rawHeaders.length; h += 2) {
                process.stdout.write(`${res.rawHeaders[h]}: ${res.rawHeaders[h + 1]}\r\n`);
              }
              process.stdout.write('\r\n');
            }
            process.stdout.write(res.body);
            if (res.status >= 400) {
              // As curl --fail: exit 22, and one line saying why, since the body may be empty.
              failed = true;
              err(`error: ${url.href} answered ${res.status} ${res.statusMessage}`.trimEnd());
            }
          }
        } finally {
          client.close();
        }
        if (values.repeat > 1 || values.verbose) {
          err(
            `* ${client.requestsSent} request(s), ${client.connectionsOpened} connection(s) opened` +
              (values.noKeepAlive ? ' (no keep-alive)' : ' (keep-alive pool)'),
          );
        }
        return failed ? 22 : 0; // curl --fail's exit code for an HTTP error
      },
    }),
    'insecure-bank': insecureBankCommand,
    serve: serveCommand({
      manifest,
      start: async (ctx) => (await import('./service.js')).startService(ctx),
      description: 'run the echo server and the bank on PORT, health on HEALTH_PORT',
    }),
  },
});
process.exitCode = exitCode;
