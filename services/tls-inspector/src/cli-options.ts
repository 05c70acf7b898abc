/** Options of the `inspect` command: the book's test_tls.py flags, and ours. */
import { defineOptions, MAX_TIMER_MS } from '@fopnp/net/cli';

export const inspectOptions = defineOptions({
  cafile: { type: 'string', short: 'a', description: "trust this CA (PEM) instead of Node's root CAs" },
  certfile: {
    type: 'string',
    short: 'c',
    description: 'client certificate (PEM, with its key unless --key) to present for mutual TLS',
  },
  ciphers: {
    type: 'string',
    short: 'C',
    description: 'OpenSSL cipher list to offer; TLS 1.3 suites (TLS_AES_…) may be included',
  },
  protocol: {
    type: 'enum',
    short: 'p',
    choices: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    default: 'TLSv1.2',
    description: 'minimum protocol version (below TLSv1.2 also lowers OpenSSL to @SECLEVEL=0 unless -C)',
  },
  serverCert: {
    type: 'string',
    short: 's',
    flag: 'server',
    description: 'run as a TLS server on HOST PORT with this certificate (PEM, with its key unless --key)',
  },
  key: { type: 'string', description: 'private key (PEM) when it is not in the -c/-s file' },
  servername: {
    type: 'string',
    description: 'name to send as SNI and check against the certificate [default HOST]',
  },
  alpn: { type: 'list', default: ['h2', 'http/1.1'], description: 'ALPN protocols to offer' },
  verbose: { type: 'boolean', short: 'v', description: "also print every certificate's details" },
  json: { type: 'boolean', description: 'print the report as JSON (fields in the README)' },
  scan: {
    type: 'boolean',
    description: 'try TLS 1.0 to 1.3 each on its own connection and list the cipher suites each accepts',
  },
  connectTimeoutMs: {
    type: 'int',
    default: 5_000,
    min: 1,
    max: MAX_TIMER_MS,
    description: 'deadline for resolving and TCP connect',
  },
  handshakeTimeoutMs: {
    type: 'int',
    default: 5_000,
    min: 1,
    max: MAX_TIMER_MS,
    description: 'deadline for the TLS handshake',
  },
  requireClientCert: {
    type: 'boolean',
    description: 'server mode: refuse clients without a certificate signed by the -a CA',
  },
  once: {
    type: 'boolean',
    description: "server mode: exit after the first client, as the book's server does",
  },
});
