import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { AddressInUseError } from '../src/errors.js';
import { boundAddress, listen } from '../src/listen.js';
import { redactUrl } from '../src/redact.js';
import { withTimeout } from '../src/resolve.js';
import { waitForHttp, waitForPort } from '../src/wait.js';

const servers: net.Server[] = [];
const dir = mkdtempSync(join(tmpdir(), 'net-listen-'));
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function track<S extends net.Server>(s: S): S {
  servers.push(s);
  return s;
}

/** The accept-queue length the kernel reports for a listening socket (ss's Send-Q). */
function kernelBacklog(port: number): number {
  const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
  return Number(line.split(/\s+/)[2]);
}

describe('listen', () => {
  it('passes the backlog to the kernel, and leaves Node’s default when none is given', async () => {
    const port = await listen(track(net.createServer()), 0, '127.0.0.1', { backlog: 7 });
    expect(kernelBacklog(port)).toBe(7);
    const plain = await listen(track(net.createServer()), 0, '127.0.0.1');
    // The kernel caps a backlog at net.core.somaxconn.
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    expect(kernelBacklog(plain)).toBe(Math.min(511, somaxconn));
  });

  it('listens with a TLS server and names the port in the error when it is taken', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    const server = track(
      tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => s.end('hello\n')),
    );
    const port = await listen(server, 0, '127.0.0.1', { what: 'demo TLS port', backlog: 16 });
    expect(boundAddress(server)).toMatchObject({ address: '127.0.0.1', port });
    expect(kernelBacklog(port)).toBe(16);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        let text = '';
        s.on('data', (d) => {
          text += d;
        });
        s.on('end', () => resolve(text));
      });
      s.on('error', reject);
    });
    expect(reply).toBe('hello\n');
    const second = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) });
    const taken = listen(second, port, '127.0.0.1', 'demo TLS port');
    await expect(taken).rejects.toBeInstanceOf(AddressInUseError);
    await expect(taken).rejects.toThrow(`127.0.0.1:${port} (demo TLS port)`);
  });
});

describe('withTimeout', () => {
  it('passes through a value or an error that comes in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 1_000, 'x')).resolves.toBe(42);
    await expect(withTimeout(Promise.reject(new Error('boom')), 1_000, 'x')).rejects.toThrow('boom');
  });
});

describe('redactUrl', () => {
  it('hides a password and keeps everything else', () => {
    expect(redactUrl('amqp://u:p4ss@h:5672/v')).toBe('amqp://u:***@h:5672/v');
    expect(redactUrl('redis://:secret@cache:6379/')).toBe('redis://:***@cache:6379');
    expect(redactUrl('redis://cache:6379')).toBe('redis://cache:6379');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});

describe('wait helpers', () => {
  it('waitForPort gives up with a message naming the port', async () => {
    const server = track(net.createServer());
    const port = await listen(server, 0, '127.0.0.1');
    await waitForPort(port);
    await new Promise<void>((r) => server.close(() => r()));
    await expect(waitForPort(port, '127.0.0.1', 200)).rejects.toThrow(`port 127.0.0.1:${port} did not open`);
    await expect(waitForHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 200 })).rejects.toThrow(
      'did not answer 200',
    );
  });
});
