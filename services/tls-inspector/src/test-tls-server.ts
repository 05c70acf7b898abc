/**
 * The book's `test_tls.py -s`: a TLS server to point clients at, reporting what each
 * client negotiated. Safe defaults as in the book's safe_tls.py: TLS 1.2 at least,
 * forward-secret AEAD suites only, our cipher order, no renegotiation of old protocols.
 * Created, not listening: the caller listens (port 0 in tests).
 */
import { EventEmitter } from 'node:events';
import tls from 'node:tls';
import { boundAddress, listen } from '@fopnp/net';
import { certificateNames } from './certificate.js';
import { secretBits } from './cipher-suites.js';
import type { TlsVersion } from './connect.js';
import { describeVerifyError } from './inspect.js';

/** TLS 1.2 suites the server accepts: ECDHE key exchange, AES-GCM or ChaCha20-Poly1305. */
export const SAFE_CIPHERS = 'ECDHE+AESGCM:ECDHE+CHACHA20';

export interface TestServerOptions {
  cert: string;
  key: string;
  /** CA bundle: when set, clients are asked for a certificate, verified against it. */
  ca?: string;
  /** Refuse clients without a valid certificate (needs `ca`). @default false */
  requireClientCert?: boolean;
  /** @default 'TLSv1.2' */
  minVersion?: TlsVersion;
  /** @default SAFE_CIPHERS */
  ciphers?: string;
  /** @default ['http/1.1'] */
  alpn?: string[];
  /** Line sent to each client before closing; @default a summary of the session. */
  greeting?: (client: ClientReport) => string;
}

export interface ClientReport {
  remoteAddress: string;
  remotePort: number;
  protocol: string | null;
  cipher: { name: string; standardName: string; version: string; secretBits: number | null };
  servername: string | null;
  alpn: string | null;
  clientCertificate: boolean;
  names: string[];
  verified: boolean;
  verifyError: string | null;
}

export interface TestServerEvents {
  client: [ClientReport];
  /** One line for a client whose handshake failed (the server carries on). */
  clientError: [{ remoteAddress: string; message: string }];
}

export class TestTlsServer extends EventEmitter<TestServerEvents> {
  readonly server: tls.Server;

  constructor(options: TestServerOptions) {
    super();
    this.server = tls.createServer({
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      requestCert: Boolean(options.ca),
      rejectUnauthorized: Boolean(options.ca && options.requireClientCert),
      minVersion: options.minVersion ?? 'TLSv1.2',
      ciphers: options.ciphers ?? SAFE_CIPHERS,
      honorCipherOrder: true,
      ALPNProtocols: options.alpn ?? ['http/1.1'],
      handshakeTimeout: 10_000,
    });
    this.server.on('secureConnection', (socket) => {
      const report = describeClient(socket);
      this.emit('client', report);
      socket.on('error', () => {});
      const line = options.greeting?.(report) ?? `${report.protocol} ${report.cipher.name}`;
      socket.end(`${line}\n`);
    });
    this.server.on('tlsClientError', (err, socket) => {
      const e = err as NodeJS.ErrnoException & { reason?: string };
      this.emit('clientError', {
        remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
        message: e.reason ?? e.message,
      });
    });
  }

  /** Listens and resolves with the bound address (port 0 picks a free one). */
  async listen(port: number, host: string, backlog?: number): Promise<{ address: string; port: number }> {
    await listen(this.server, port, host, { what: 'TLS server', backlog });
    const a = boundAddress(this.server);
    return { address: a.address, port: a.port };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export function describeClient(socket: tls.TLSSocket): ClientReport {
  const peer = socket.getPeerCertificate();
  const hasCert = Boolean(peer?.raw);
  const cipher = socket.getCipher();
  return {
    remoteAddress: socket.remoteAddress ?? 'unknown',
    remotePort: socket.remotePort ?? 0,
    protocol: socket.getProtocol(),
    cipher: { ...cipher, secretBits: secretBits(cipher.standardName, cipher.name) },
    servername: (socket as tls.TLSSocket & { servername?: string | false }).servername || null,
    alpn: socket.alpnProtocol || null,
    clientCertificate: hasCert,
    names: hasCert ? certificateNames(peer) : [],
    verified: hasCert && socket.authorized,
    verifyError:
      hasCert && !socket.authorized ? describeVerifyError(String(socket.authorizationError)) : null,
  };
}
