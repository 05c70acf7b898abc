/**
 * tls-inspector's smoke check. On one machine (the local stack sets ALLOW_PRIVATE) the API
 * inspects the service's own demo TLS server. In a container every address it could reach
 * is private, so there the check is the other half of the contract: the demo server
 * completes a handshake through its published port, and the API refuses a private target.
 */
import tls from 'node:tls';
import { defineSmoke, type SmokeTarget, smokeFetch } from '@fopnp/net';

async function inspectDemo(t: SmokeTarget): Promise<string> {
  const demo = t.port('demo-tls');
  const { status, json, text } = await smokeFetch(
    `http://${t.host}:${t.port('http')}/inspect?host=${t.host}&port=${demo}&servername=localhost`,
    { timeoutMs: 20_000 },
  );
  const report = json as { protocol?: string; cipher?: { name?: string } } | undefined;
  if (status !== 200 || !report?.protocol)
    throw new Error(`inspect answered ${status}: ${text.slice(0, 200)}`);
  return `inspected its demo TLS server on ${demo}: ${report.protocol}, ${report.cipher?.name ?? '?'}`;
}

async function handshakeAndRefusal(t: SmokeTarget): Promise<string> {
  const demo = t.port('demo-tls');
  const protocol = await new Promise<string>((resolve, reject) => {
    // The demo certificate is self-signed: this checks the handshake, not the chain.
    const s = tls.connect(
      { host: t.host, port: demo, servername: 'localhost', rejectUnauthorized: false },
      () => {
        resolve(s.getProtocol() ?? '?');
        s.end();
      },
    );
    s.setTimeout(10_000, () => s.destroy(new Error(`no TLS handshake on ${demo} within 10 s`)));
    s.once('error', reject);
  });
  const { status, text } = await smokeFetch(
    // Its own loopback: refused by the address check itself, before any connection or DNS.
    `http://${t.host}:${t.port('http')}/inspect?host=127.0.0.1&port=${t.env.DEMO_TLS_PORT ?? 1443}&servername=localhost`,
  );
  if (status !== 403)
    throw new Error(`inspecting a loopback address answered ${status}, not 403: ${text.slice(0, 200)}`);
  return `demo TLS server handshakes (${protocol}); the API refuses 127.0.0.1 (loopback) with 403`;
}

export const smoke = defineSmoke([
  {
    name: 'tls inspection',
    run: (t) => (t.env.ALLOW_PRIVATE === 'true' ? inspectDemo(t) : handshakeAndRefusal(t)),
  },
]);
