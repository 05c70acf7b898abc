/**
 * Test certificates made with the openssl CLI in a temporary directory: a CA, a server
 * certificate for localhost (DNS and IP SANs), an expired one, one for the wrong name, a
 * self-signed one, a client certificate, and a stapleable OCSP response for the server.
 * `openssl ca` (not `x509 -req`) is used because OpenSSL 3.0 can back-date only there.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '@fopnp/net/testing';

export interface Pki {
  dir: string;
  caCert: string;
  /** Server certificate for localhost/127.0.0.1 signed by the CA; key in serverKey. */
  serverCert: string;
  serverKey: string;
  /** serverCert + serverKey in one file, as the book's load_cert_chain takes it. */
  serverPem: string;
  expiredCert: string;
  expiredKey: string;
  wrongNameCert: string;
  wrongNameKey: string;
  selfSignedCert: string;
  selfSignedKey: string;
  /** Client certificate (CN=test-client) with its key in the same file. */
  clientPem: string;
  /** DER OCSP response saying serverCert is good, for s_server -status_file. */
  ocspResponse: string;
  cleanup(): void;
}

const CA_CONFIG = `[ca]
default_ca = test_ca
[test_ca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[wrongname]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`;

export async function makePki(): Promise<Pki> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tls-inspector-pki-'));
  const p = (name: string) => path.join(dir, name);
  const openssl = async (...args: string[]) => {
    const r = await run('openssl', args, { cwd: dir, timeoutMs: 20_000 });
    if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderr}`);
  };
  writeFileSync(p('ca.cnf'), CA_CONFIG);
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('serial'), '1000\n');
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    '/CN=fopnp Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const issue = async (name: string, cn: string, extensions: string, dates: string[]) => {
    await openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    );
    await openssl(
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.pem',
      '-keyfile',
      'ca.key',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.crt`,
      '-extensions',
      extensions,
      '-notext',
      ...dates,
    );
  };
  await issue('server', 'localhost', 'server', ['-days', '30']);
  await issue('expired', 'localhost', 'server', [
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200201000000Z',
  ]);
  await issue('wrongname', 'wrong.example', 'wrongname', ['-days', '30']);
  await issue('client', 'test-client', 'client', ['-days', '30']);
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'selfsigned.key',
    '-out',
    'selfsigned.crt',
    '-days',
    '30',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  );
  await openssl('ocsp', '-issuer', 'ca.pem', '-cert', 'server.crt', '-reqout', 'ocsp-req.der', '-no_nonce');
  await openssl(
    'ocsp',
    '-index',
    'index.txt',
    '-rsigner',
    'ca.pem',
    '-rkey',
    'ca.key',
    '-CA',
    'ca.pem',
    '-reqin',
    'ocsp-req.der',
    '-respout',
    'ocsp.der',
    '-ndays',
    '1',
  );
  const join = (out: string, ...parts: string[]) => {
    writeFileSync(p(out), parts.map((f) => readFileSync(p(f), 'utf8')).join(''));
    return p(out);
  };
  return {
    dir,
    caCert: p('ca.pem'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    serverPem: join('server.pem', 'server.crt', 'server.key'),
    expiredCert: p('expired.crt'),
    expiredKey: p('expired.key'),
    wrongNameCert: p('wrongname.crt'),
    wrongNameKey: p('wrongname.key'),
    selfSignedCert: p('selfsigned.crt'),
    selfSignedKey: p('selfsigned.key'),
    clientPem: join('client.pem', 'client.crt', 'client.key'),
    ocspResponse: p('ocsp.der'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
