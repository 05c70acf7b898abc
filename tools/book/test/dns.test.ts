/**
 * dns_basic.py and dns_mx.py beside ours, against a real DNS server on loopback: dnsmasq,
 * authoritative for .test (--local=/test/, no upstream), on a free port. The book's programs
 * ask the system's resolver; each runs through a small wrapper that points dnspython's
 * default resolver at the test's server and then runs the book's file unchanged (Debian's
 * /usr/bin/python3 with python3-dnspython; ci/prereqs.sh installs both packages).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BackgroundProcess, freePort, run, startProcess, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOK, BOOK_CLI } from './harness.js';

const DNSMASQ = '/usr/sbin/dnsmasq';
const tmp = mkdtempSync(path.join(tmpdir(), 'fopnp-book-dns-'));
const WRAPPER = path.join(tmp, 'with_test_dns.py');
let port: number;
let dnsmasq: BackgroundProcess;

beforeAll(async () => {
  writeFileSync(
    WRAPPER,
    [
      'import os, runpy, sys, warnings',
      'import dns.resolver',
      "warnings.simplefilter('ignore')  # dnspython 2 deprecates query(), which the book calls",
      'r = dns.resolver.Resolver(configure=False)',
      "r.nameservers = ['127.0.0.1']",
      "r.port = int(os.environ['TEST_DNS_PORT'])",
      'dns.resolver.default_resolver = r',
      'sys.argv = sys.argv[1:]',
      "runpy.run_path(sys.argv[0], run_name='__main__')",
      '',
    ].join('\n'),
  );
  port = await freePort('udp');
  dnsmasq = startProcess(DNSMASQ, [
    '--keep-in-foreground',
    '--log-facility=-',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--conf-file=/dev/null',
    '--pid-file=',
    '--user=root',
    '--local=/test/',
    '--mx-host=mail.test,mx2.mail.test,20',
    '--mx-host=mail.test,mx1.mail.test,10',
    '--host-record=mx1.mail.test,127.0.0.11',
    '--host-record=mx2.mail.test,127.0.0.12,::12',
    '--host-record=plain.test,127.0.0.13',
    '--cname=alias.test,plain.test',
  ]);
  await dnsmasq.waitForOutput(/started, version/);
});
afterAll(async () => {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

async function both(file: string, name: string): Promise<{ book: string; ours: string }> {
  const book = await run('/usr/bin/python3', [WRAPPER, path.join(BOOK, file), name], {
    env: { TEST_DNS_PORT: String(port) },
  });
  const ours = await run(process.execPath, [BOOK_CLI, 'run', file, name, '--server', `127.0.0.1:${port}`]);
  expect(ours.code, ours.stderr).toBe(0);
  return { book: book.stdout + book.stderr, ours: ours.stdout };
}

describe('dns_mx.py and ours against dnsmasq on loopback', () => {
  it('lists the MX hosts by preference with their addresses', async () => {
    const { book, ours } = await both('chapter04/dns_mx.py', 'mail.test');
    expect(ours).toBe(
      'This domain has 2 MX records\nPriority 10\n     mx1.mail.test has A address 127.0.0.11\n' +
        'Priority 20\n     mx2.mail.test has A address 127.0.0.12\n',
    );
    expect(ours).toBe(book);
  });

  it('falls back to the domain itself when it has no MX (RFC 5321, 5.1)', async () => {
    const { book, ours } = await both('chapter04/dns_mx.py', 'plain.test');
    expect(ours).toBe(
      'This domain has no explicit MX records\nAttempting to resolve it as an A, AAAA, or CNAME\n' +
        '     plain.test has A address 127.0.0.13\n',
    );
    expect(ours).toBe(book);
  });

  it('says a domain does not exist', async () => {
    const { book, ours } = await both('chapter04/dns_mx.py', 'nosuch.test');
    expect(ours).toBe('Error: No such domain nosuch.test\n');
    expect(ours).toBe(book);
  });
});

describe('dns_basic.py and ours against dnsmasq on loopback', () => {
  it('prints the same A and AAAA records', async () => {
    const { book, ours } = await both('chapter04/dns_basic.py', 'mx2.mail.test');
    expect(ours).toBe('mx2.mail.test. 0 IN A 127.0.0.12\nmx2.mail.test. 0 IN AAAA ::12\n');
    expect(ours).toBe(book);
  });

  it('prints the MX records of a mail domain', async () => {
    const { ours } = await both('chapter04/dns_basic.py', 'mail.test');
    expect(ours).toMatch(/^mail\.test\. 0 IN MX 10 mx1\.mail\.test\.$/m);
    expect(ours).toMatch(/^mail\.test\. 0 IN MX 20 mx2\.mail\.test\.$/m);
  });
});
