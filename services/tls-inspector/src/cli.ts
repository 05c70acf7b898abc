#!/usr/bin/env node
/**
 * The bin: `tls-inspector HOST PORT [-a CAFILE] [-c CERTFILE] [-C CIPHERS] [-p MINPROTOCOL]
 * [-s CERTFILE] [-v] [--json] [--scan]`, the book's test_tls.py, plus `tls-inspector serve`
 * for the HTTP API. A first argument that is not a command name means `inspect`.
 */
import { defineCommand, runCli, serveCommand } from '@fopnp/net/cli';
import { inspectOptions } from './cli-options.js';
import { manifest } from './manifest.js';

const commands = {
  inspect: defineCommand({
    description: 'connect to HOST PORT and report the TLS session (or, with -s, serve TLS there)',
    positionals: [
      { name: 'HOST', description: 'host name or IP address (with -s: the interface to listen on)' },
      { name: 'PORT', description: 'TCP port number (with -s, 0 picks a free one)' },
    ],
    options: inspectOptions,
    async run({ values, positionals }) {
      // Loaded when run, so `--help` loads no TLS, ASN.1 or logging code (issue 20).
      const { runClient, runServer } = await import('./cli-commands.js');
      return values.serverCert ? await runServer(values, positionals) : await runClient(values, positionals);
    },
  }),
  serve: serveCommand({
    manifest,
    description:
      'run the HTTP API (GET /inspect, GET /scan) and the demo TLS server, with health and metrics',
    // Loaded here so the inspect command does not pay for the service's imports.
    start: async (ctx) => (await import('./service.js')).startService(ctx),
  }),
};

const argv = process.argv.slice(2);
const first = argv[0];
const explicit =
  first === undefined || first in commands || ['-h', '--help', 'help', '--version', '-V'].includes(first);
process.exitCode = await runCli(
  {
    name: 'tls-inspector',
    description:
      "Inspect a TLS endpoint like the book's test_tls.py (ch. 6), scan it, serve TLS, or run the HTTP API.\n" +
      "'tls-inspector HOST PORT [options]' is short for 'tls-inspector inspect HOST PORT [options]'.",
    commands,
  },
  explicit ? argv : ['inspect', ...argv],
);
