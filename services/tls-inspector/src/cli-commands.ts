/**
 * What the `inspect` command does in its two roles: the book's client (report one
 * session, or --scan) and the book's `-s` server (report each client that connects).
 */
import type { OptionValues } from '@fopnp/net';
import type { inspectOptions } from './cli-options.js';
import { LEGACY_CIPHERS, type TlsVersion } from './connect.js';
import { UsageError } from './errors.js';
import { formatCertificates, formatClient, formatReport, formatScan, say } from './format.js';
import { inspect } from './inspect.js';
import { loadCaFile, loadCertAndKey } from './pem-files.js';
import { scan } from './scan.js';
import { TestTlsServer } from './test-tls-server.js';

type Values = OptionValues<typeof inspectOptions>;
type Positionals = Record<string, string | string[] | undefined>;

function portOf(positionals: Positionals, allowZero: boolean): number {
  const text = String(positionals.PORT);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535 || (port === 0 && !allowZero)) {
    throw new UsageError(`invalid PORT ${JSON.stringify(text)}: expected a TCP port number 1..65535`);
  }
  return port;
}

const out = (text: string) => process.stdout.write(text);

export async function runClient(values: Values, positionals: Positionals): Promise<number> {
  const host = String(positionals.HOST);
  const port = portOf(positionals, false);
  const ca = values.cafile ? loadCaFile(values.cafile) : undefined;
  const pair = values.certfile ? loadCertAndKey(values.certfile, values.key) : undefined;
  const target = { host, port, ...(values.servername ? { servername: values.servername } : {}) };
  const common = {
    ca,
    ...pair,
    alpn: values.alpn,
    connectTimeoutMs: values.connectTimeoutMs,
    handshakeTimeoutMs: values.handshakeTimeoutMs,
  };
  if (values.scan) {
    const report = await scan(target, common);
    out(values.json ? `${JSON.stringify(report, null, 2)}\n` : `\n${formatScan(report)}\n`);
    return 0;
  }
  const legacy = values.protocol === 'TLSv1' || values.protocol === 'TLSv1.1';
  const ciphers = values.ciphers ?? (legacy ? LEGACY_CIPHERS : undefined);
  const report = await inspect(target, {
    ...common,
    caFromFile: Boolean(ca),
    minVersion: values.protocol as TlsVersion,
    ciphers,
  });
  if (values.json) out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const text = formatReport(report, { ciphersOffered: ciphersOffered(values.ciphers, ciphers) });
    out(`\n${text}${values.verbose ? formatCertificates(report) : ''}\n`);
  }
  return 0;
}

export async function runServer(values: Values, positionals: Positionals): Promise<number> {
  if (values.certfile) throw new UsageError('you cannot specify both -c and -s');
  if (values.scan) throw new UsageError('--scan is for the client side; drop -s');
  if (values.requireClientCert && !values.cafile) {
    throw new UsageError('--require-client-cert needs -a CAFILE to verify client certificates with');
  }
  const host = String(positionals.HOST);
  const port = portOf(positionals, true);
  const pair = loadCertAndKey(values.serverCert!, values.key);
  const ca = values.cafile ? loadCaFile(values.cafile) : undefined;
  const server = new TestTlsServer({
    ...pair,
    ca,
    requireClientCert: values.requireClientCert,
    minVersion: values.protocol as TlsVersion,
    ...(values.ciphers ? { ciphers: values.ciphers } : {}),
  });
  const bound = await server.listen(port, host);
  out(`\n${say('Interface where we are listening', `${bound.address} port ${bound.port}`)}\n`);
  return await new Promise<number>((resolve) => {
    const stop = () => {
      server.close().then(() => resolve(0));
    };
    server.on('client', (client) => {
      out(values.json ? `${JSON.stringify(client)}\n` : `${formatClient(client)}\n`);
      if (values.once) stop();
    });
    server.on('clientError', (e) => out(`${say('Client handshake failed', e.remoteAddress, e.message)}\n\n`));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * The report's "Ciphers offered" line, shown unless -C was given: the book's test_tls.py
 * offers OpenSSL's ALL by default; ours offers Node's default list (no anonymous, export
 * or NULL suites), or the legacy list that -p TLSv1/TLSv1.1 needs.
 */
function ciphersOffered(given: string | undefined, offered: string | undefined): string | undefined {
  if (given) return undefined;
  if (offered) return `${offered} (for the old protocol -p asks for)`;
  return "Node's default list, not the book's ALL (-C ALL offers the book's)";
}
