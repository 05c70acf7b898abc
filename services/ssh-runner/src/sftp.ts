/**
 * SFTP transfers (the book's sftp_get.py) with progress and an end-to-end checksum: the
 * local file's SHA-256 is compared with the remote one (`sha256sum` on the server, or the
 * file read back over SFTP when the server has no such command).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Client, SFTPWrapper } from 'ssh2';
import { ChecksumMismatchError, SftpError } from './errors.js';
import { shellQuote } from './exec.js';

export interface Progress {
  transferred: number;
  total: number;
}

export interface TransferResult {
  bytes: number;
  sha256: string;
  verified: 'sha256sum' | 'read-back';
  durationMs: number;
}

function sftpOf(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

async function hashStream(stream: NodeJS.ReadableStream): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of stream) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function remoteSha256(
  client: Client,
  sftp: SFTPWrapper,
  path: string,
): Promise<{ sha: string; how: TransferResult['verified'] }> {
  const viaCommand = await new Promise<string | null>((resolve) => {
    client.exec(`sha256sum -- ${shellQuote(path)}`, (err, ch) => {
      if (err) return resolve(null);
      let out = '';
      let code: number | null = null;
      ch.on('data', (d: Buffer) => {
        out += d;
      });
      ch.stderr.resume();
      ch.on('exit', (c: number | null) => {
        code = c;
      });
      ch.on('close', () => resolve(code === 0 ? (out.split(/\s/)[0] ?? null) : null));
    });
  });
  if (viaCommand && /^[0-9a-f]{64}$/.test(viaCommand)) return { sha: viaCommand, how: 'sha256sum' };
  return { sha: await hashStream(sftp.createReadStream(path)), how: 'read-back' };
}

/** The end-to-end check after a transfer: the local file's SHA-256 must equal the remote one. */
async function compareChecksums(
  client: Client,
  sftp: SFTPWrapper,
  localPath: string,
  remotePath: string,
): Promise<Pick<TransferResult, 'sha256' | 'verified'>> {
  const local = await hashStream(createReadStream(localPath));
  const remote = await remoteSha256(client, sftp, remotePath);
  if (local !== remote.sha) throw new ChecksumMismatchError(remotePath, local, remote.sha);
  return { sha256: local, verified: remote.how };
}

function sftpError(err: unknown, what: string): SftpError {
  const e = err as { code?: number; message?: string };
  const reason =
    e.code === 2 ? 'no such file' : e.code === 3 ? 'permission denied' : (e.message ?? String(err));
  return new SftpError(what, reason);
}

export async function getFile(
  client: Client,
  remotePath: string,
  localPath: string,
  onProgress?: (p: Progress) => void,
): Promise<TransferResult> {
  const started = Date.now();
  const sftp = await sftpOf(client);
  try {
    const stat = await new Promise<{ size: number }>((resolve, reject) =>
      sftp.stat(remotePath, (err, s) =>
        err ? reject(sftpError(err, `cannot stat remote ${remotePath}`)) : resolve(s),
      ),
    );
    await new Promise<void>((resolve, reject) =>
      sftp.fastGet(
        remotePath,
        localPath,
        { step: (transferred, _chunk, total) => onProgress?.({ transferred, total }) },
        (err) => (err ? reject(sftpError(err, `cannot get ${remotePath}`)) : resolve()),
      ),
    );
    const { sha256, verified } = await compareChecksums(client, sftp, localPath, remotePath);
    return { bytes: stat.size, sha256, verified, durationMs: Date.now() - started };
  } finally {
    sftp.end();
  }
}

export async function putFile(
  client: Client,
  localPath: string,
  remotePath: string,
  onProgress?: (p: Progress) => void,
): Promise<TransferResult> {
  const started = Date.now();
  const sftp = await sftpOf(client);
  try {
    await new Promise<void>((resolve, reject) =>
      sftp.fastPut(
        localPath,
        remotePath,
        { step: (transferred, _chunk, total) => onProgress?.({ transferred, total }) },
        (err) => (err ? reject(sftpError(err, `cannot put ${remotePath}`)) : resolve()),
      ),
    );
    const { sha256, verified } = await compareChecksums(client, sftp, localPath, remotePath);
    const size = await new Promise<number>((resolve, reject) =>
      sftp.stat(remotePath, (err, s) => (err ? reject(err) : resolve(s.size))),
    );
    return { bytes: size, sha256, verified, durationMs: Date.now() - started };
  } finally {
    sftp.end();
  }
}

/** Progress printer: one line per 10% step when not a terminal, an updating line on one. */
export function progressPrinter(
  label: string,
  write: (s: string) => void,
  tty: boolean,
): (p: Progress) => void {
  let lastDecile = -1;
  const mib = (n: number) => (n / 1048576).toFixed(1);
  return ({ transferred, total }) => {
    const pct = total ? Math.floor((transferred / total) * 100) : 100;
    const line = `${label}: ${mib(transferred)} / ${mib(total)} MiB (${pct}%)`;
    if (tty) write(`\r${line}${transferred >= total ? '\n' : ''}`);
    else if (Math.floor(pct / 10) > lastDecile) {
      lastDecile = Math.floor(pct / 10);
      write(`${line}\n`);
    }
  };
}
