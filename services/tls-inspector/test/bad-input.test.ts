/**
 * Bad input to the CLI: a port that speaks plain HTTP (Python's http.server), a closed
 * port, a peer that accepts and never speaks, missing and malformed certificate files.
 * Each gives exactly one line on stderr, nothing on stdout, and exit code 1.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type BackgroundProcess,
  freePort,
  runNode,
  startProcess,
  stopAll,
  waitForHttp,
} from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, PEERS_DIR, startSilentServer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';

let pki: Pki;
let http: BackgroundProcess;
let httpPort: number;
let silent: Awaited<ReturnType<typeof startSilentServer>>;

beforeAll(async () => {
  pki = await makePki();
  httpPort = await freePort();
  http = startProcess('python3', ['-m', 'http.server', String(httpPort), '--bind', '127.0.0.1'], {
    cwd: pki.dir,
  });
  await waitForHttp(`http://127.0.0.1:${httpPort}/`);
  silent = await startSilentServer();
});

afterAll(async () => {
  await http?.stop();
  await silent?.close();
  await stopAll();
  pki?.cleanup();
});

async function oneLineFailure(args: string[], exitCode = 1): Promise<string> {
  const r = await runNode(CLI, args);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(exitCode);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('the CLI on bad input', () => {
  it('says the peer did not speak TLS when the port is plain HTTP', async () => {
    const line = await oneLineFailure(['127.0.0.1', String(httpPort)]);
    expect(line).toMatch(/^error: peer did not speak TLS at 127\.0\.0\.1:\d+ \(wrong version number\)/);
  });

  it('says the connection was refused on a closed port', async () => {
    const closed = await freePort();
    const line = await oneLineFailure(['127.0.0.1', String(closed)]);
    expect(line).toBe(
      `error: connection refused by 127.0.0.1:${closed}: is the server running on that port?`,
    );
  });

  it('gives up on a peer that accepts and never answers, within the handshake timeout', async () => {
    const started = Date.now();
    const line = await oneLineFailure(['127.0.0.1', String(silent.port), '--handshake-timeout-ms', '800']);
    const elapsed = Date.now() - started;
    expect(line).toMatch(
      /^error: TLS handshake with 127\.0\.0\.1:\d+ timed out after 800 ms: the peer accepted/,
    );
    expect(elapsed).toBeGreaterThanOrEqual(800);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('gives up connecting to a host that never answers the SYN, within the connect timeout', async () => {
    const full = startProcess('python3', [path.join(PEERS_DIR, 'full_backlog.py')]);
    try {
      const port = (await full.waitForOutput(/^(\d+)$/m))[1]!;
      const started = Date.now();
      const line = await oneLineFailure(['127.0.0.1', port, '--connect-timeout-ms', '700']);
      expect(line).toBe(`error: connecting to 127.0.0.1:${port} timed out after 700 ms`);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await full.stop('SIGKILL');
    }
  });

  it('names a missing certificate file', async () => {
    const missing = path.join(pki.dir, 'nope.pem');
    expect(await oneLineFailure(['localhost', '443', '-a', missing])).toBe(
      `error: cannot use certificate file ${missing}: no such file`,
    );
    expect(await oneLineFailure(['127.0.0.1', '0', '-s', missing])).toBe(
      `error: cannot use certificate file ${missing}: no such file`,
    );
  });

  it('names a malformed certificate file, and a certificate without its key', async () => {
    const garbage = path.join(pki.dir, 'garbage.pem');
    writeFileSync(garbage, 'this is not a certificate\n');
    expect(await oneLineFailure(['localhost', '443', '-a', garbage])).toBe(
      `error: cannot use certificate file ${garbage}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)`,
    );
    const broken = path.join(pki.dir, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n');
    expect(await oneLineFailure(['localhost', '443', '-a', broken])).toMatch(
      new RegExp(`^error: cannot use certificate file ${broken}: certificate 1 is malformed`),
    );
    expect(await oneLineFailure(['localhost', '443', '-c', pki.caCert])).toBe(
      `error: cannot use certificate file ${pki.caCert}: no private key in it: append the key to the file or pass --key`,
    );
    expect(await oneLineFailure(['127.0.0.1', '0', '-s', pki.serverCert, '--key', pki.expiredKey])).toMatch(
      /^error: cannot use certificate file .*expired\.key: the key does not fit the certificate/,
    );
  });

  it('refuses a timeout longer than a Node timer can wait (it would fire after 1 ms), exit 2', async () => {
    const r = await runNode(CLI, ['127.0.0.1', '443', '--handshake-timeout-ms', '3000000000']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: invalid value for --handshake-timeout-ms: 3000000000 is outside 1..2147483647\n',
    );
  });

  it('rejects -c together with -s, as the book does, as a usage error (exit 2)', async () => {
    expect(await oneLineFailure(['127.0.0.1', '0', '-s', pki.serverPem, '-c', pki.clientPem], 2)).toBe(
      'error: you cannot specify both -c and -s',
    );
  });

  it('calls port 99999 a usage error (exit 2) and names the valid range', async () => {
    expect(await oneLineFailure(['127.0.0.1', '99999'], 2)).toBe(
      'error: invalid PORT "99999": expected a TCP port number 1..65535',
    );
  });

  it('prints its version, and names the option a misspelled one probably meant', async () => {
    const version = await runNode(CLI, ['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^tls-inspector \d+\.\d+\.\d+ \(Node v\d+\.\d+\.\d+\)\n$/);
    expect(await oneLineFailure(['127.0.0.1', '443', '--connect-timeout', '5'], 2)).toBe(
      'error: invalid value for --connect-timeout: unknown option; did you mean --connect-timeout-ms? (see --help)',
    );
  });
});
