import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostKeyAlgorithms, parseTarget } from '../src/connection.js';
import { ChangedHostKeyError, UnknownHostKeyError } from '../src/errors.js';
import { parseJobs } from '../src/jobs.js';
import { KnownHosts, knownHostsName } from '../src/known-hosts.js';
import { tempDir } from './helpers/sshd.js';

const dir = tempDir();
afterAll(() => dir.remove());
const KEY_A = Buffer.from('key-a-blob').toString('base64');
const KEY_B = Buffer.from('key-b-blob').toString('base64');

function file(name: string, text: string): string {
  const p = join(dir.path, name);
  writeFileSync(p, text);
  return p;
}

describe('known_hosts checking', () => {
  it('names hosts as OpenSSH does', () => {
    expect(knownHostsName('example.org', 22)).toBe('example.org');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  it('matches plain, wildcard and hashed (HashKnownHosts) entries', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[10.1.1.1]:2200').digest();
    const kh = new KnownHosts(
      file(
        'kh1',
        `# comment\nweb1,web2 ssh-ed25519 ${KEY_A}\n*.example.org ssh-ed25519 ${KEY_A}\n|1|${salt.toString('base64')}|${hash.toString('base64')} ssh-ed25519 ${KEY_B}\n`,
      ),
    );
    expect(kh.verify('web2', 22, 'ssh-ed25519', KEY_A).status).toBe('known');
    expect(kh.verify('db.example.org', 22, 'ssh-ed25519', KEY_A).status).toBe('known');
    expect(kh.verify('10.1.1.1', 2200, 'ssh-ed25519', KEY_B).status).toBe('known');
    expect(() => kh.verify('10.1.1.1', 2200, 'ssh-ed25519', KEY_A)).toThrow(ChangedHostKeyError);
  });

  it('refuses unknown hosts under strict and appends them once under accept-new', () => {
    const path = file('kh2', '');
    expect(() => new KnownHosts(path).verify('new-host', 22, 'ssh-ed25519', KEY_A)).toThrow(
      UnknownHostKeyError,
    );
    const kh = new KnownHosts(path, 'accept-new');
    expect(kh.verify('new-host', 22, 'ssh-ed25519', KEY_A).status).toBe('added');
    expect(kh.verify('new-host', 22, 'ssh-ed25519', KEY_A).status).toBe('known');
    expect(readFileSync(path, 'utf8')).toBe(`new-host ssh-ed25519 ${KEY_A}\n`);
    expect(() => kh.verify('new-host', 22, 'ssh-ed25519', KEY_B)).toThrow(
      /REMOTE HOST IDENTIFICATION HAS CHANGED/,
    );
  });

  it('skips a malformed hashed line, matches a hashed name case-insensitively, and appends after a last line without newline', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('web.example.org').digest();
    const path = file(
      'kh4',
      `|1|garbage ssh-ed25519 ${KEY_B}\n|1|${salt.toString('base64')}|${hash.toString('base64')} ssh-ed25519 ${KEY_A}`,
    );
    const kh = new KnownHosts(path, 'accept-new');
    expect(kh.verify('Web.Example.ORG', 22, 'ssh-ed25519', KEY_A).status).toBe('known');
    expect(kh.verify('db', 22, 'ssh-ed25519', KEY_B).status).toBe('added');
    expect(readFileSync(path, 'utf8').split('\n').slice(1)).toEqual([
      `|1|${salt.toString('base64')}|${hash.toString('base64')} ssh-ed25519 ${KEY_A}`,
      `db ssh-ed25519 ${KEY_B}`,
      '',
    ]);
    expect(kh.verify('web.example.org', 22, 'ssh-ed25519', KEY_A).status).toBe('known');
  });

  it('lists the key types known for a host so the client asks for those first', () => {
    const kh = new KnownHosts(
      file(
        'kh5',
        `[h]:2200 ecdsa-sha2-nistp256 ${KEY_A}\n@revoked [h]:2200 ssh-ed25519 ${KEY_B}\nh ssh-rsa ${KEY_A}\n`,
      ),
    );
    expect(kh.knownKeyTypes('h', 2200)).toEqual(['ecdsa-sha2-nistp256']);
    expect(kh.knownKeyTypes('H', 22)).toEqual(['ssh-rsa']);
    expect(hostKeyAlgorithms(['ssh-rsa']).slice(0, 4)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp256'])[0]).toBe('ecdsa-sha2-nistp256');
  });

  it("reads ~/ as the running user's home, as OpenSSH does", () => {
    expect(new KnownHosts('~/.ssh/known_hosts').path).toBe(join(homedir(), '.ssh', 'known_hosts'));
    expect(new KnownHosts('/etc/ssh/ssh_known_hosts').path).toBe('/etc/ssh/ssh_known_hosts');
  });

  it('honours @revoked markers', () => {
    const kh = new KnownHosts(file('kh3', `@revoked * ssh-ed25519 ${KEY_A}\n`), 'accept-new');
    expect(() => kh.verify('any', 22, 'ssh-ed25519', KEY_A)).toThrow(/marked as revoked/);
  });
});

describe('targets and job declarations', () => {
  it('parses user@host:port, [v6]:port and bare hosts', () => {
    const d = { user: 'me', port: 22 };
    expect(parseTarget('web1', d)).toEqual({ user: 'me', host: 'web1', port: 22 });
    expect(parseTarget('root@web1:2222', d)).toEqual({ user: 'root', host: 'web1', port: 2222 });
    expect(parseTarget('[::1]:2200', d)).toEqual({ user: 'me', host: '::1', port: 2200 });
    expect(() => parseTarget('web1:99999', d)).toThrow(/bad port/);
  });

  it('rejects malformed job files with the reason', () => {
    expect(() => parseJobs('{', 'jobs.json')).toThrow(/jobs.json: not valid JSON/);
    expect(() => parseJobs('{"hostGroups":{"web":[]}}')).toThrow(/must be a non-empty list/);
    expect(() => parseJobs('{"commands":{"bad name":"ls"}}')).toThrow(/command name "bad name"/);
    expect(() => parseJobs('{"hostGroups":{"web":["ok","web2:99999"]}}')).toThrow(
      /host group "web": bad port in "web2:99999"/,
    );
    expect(parseJobs('{"hostGroups":{"web":["a"]},"commands":{"up":"uptime"}}').commands.up).toBe('uptime');
  });
});
