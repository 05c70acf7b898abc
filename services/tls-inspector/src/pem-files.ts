/**
 * Loading the PEM files the CLI and the service are given (-a CA, -c client certificate,
 * -s server certificate), as the book's load_cert_chain does: one file holding the
 * certificate chain and its private key, or the key in a file of its own. Every problem
 * becomes one CertificateFileError naming the file, checked before any connection is made.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { CertificateFileError } from './errors.js';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]+?-----END \1PRIVATE KEY-----/;

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const detail =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : String(code ?? err);
    throw new CertificateFileError(path, detail, { cause: err });
  }
}

function certificatesIn(path: string, text: string): string[] {
  const blocks = text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0)
    throw new CertificateFileError(path, 'no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)');
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new CertificateFileError(
        path,
        `certificate ${i + 1} is malformed (${err instanceof Error ? err.message : String(err)})`,
        { cause: err },
      );
    }
  }
  return blocks;
}

/** A CA bundle for -a: one or more certificates. */
export function loadCaFile(path: string): string {
  return certificatesIn(path, readText(path)).join('\n');
}

export interface CertAndKey {
  cert: string;
  key: string;
}

/**
 * A certificate chain and its private key, from one file (the book's style) or two.
 * Checks that the key belongs to the certificate.
 */
export function loadCertAndKey(certPath: string, keyPath?: string): CertAndKey {
  const certText = readText(certPath);
  const cert = certificatesIn(certPath, certText).join('\n');
  const keySource = keyPath ?? certPath;
  const keyText = keyPath ? readText(keyPath) : certText;
  const key = KEY_BLOCK.exec(keyText)?.[0];
  if (!key) {
    throw new CertificateFileError(
      keySource,
      keyPath ? 'no PEM private key in it' : 'no private key in it: append the key to the file or pass --key',
    );
  }
  try {
    tls.createSecureContext({ cert, key });
  } catch (err) {
    const reason = (err as { reason?: string }).reason ?? (err instanceof Error ? err.message : String(err));
    throw new CertificateFileError(
      keySource,
      `the key does not fit the certificate or is malformed (${reason})`,
      {
        cause: err,
      },
    );
  }
  return { cert, key };
}
