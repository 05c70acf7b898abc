/**
 * What a full inspection costs over a bare TLS handshake: N sequential `inspect()` calls
 * (resolve, connect, handshake, wait for the session ticket, chain and OCSP parsing)
 * against N sequential bare `tls.connect` handshakes to the same local server, in the
 * same process. Prints both rates and their ratio, plus the time of one full --scan.
 *
 *   node dist/bench/handshake.js [N]
 */
import tls from 'node:tls';
import { generateSelfSigned } from '../src/demo-cert.js';
import { inspect } from '../src/inspect.js';
import { scan } from '../src/scan.js';
import { TestTlsServer } from '../src/test-tls-server.js';

const N = Number(process.argv[2] ?? 300);

function bareHandshake(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}

async function rate(label: string, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const seconds = (performance.now() - start) / 1000;
  const perSecond = N / seconds;
  console.log(
    `${label.padEnd(34)} ${perSecond.toFixed(0).padStart(6)} /s  (${((seconds / N) * 1000).toFixed(2)} ms each)`,
  );
  return perSecond;
}

const pair = await generateSelfSigned(['localhost', '127.0.0.1']);
const server = new TestTlsServer(pair);
server.on('clientError', () => {});
const { port } = await server.listen(0, '127.0.0.1');

console.log(`${N} sequential connections to a local Node TLS server (ECDSA P-256, TLS 1.3)`);
const baseline = await rate('baseline: bare tls.connect', () => bareHandshake(port));
const ours = await rate('inspect(): full report', () => inspect({ host: '127.0.0.1', port }));
console.log(`ratio inspect/baseline: ${(ours / baseline).toFixed(2)}`);
const scanStart = performance.now();
const report = await scan({ host: '127.0.0.1', port });
console.log(
  `one scan: ${report.connections} connections in ${(performance.now() - scanStart).toFixed(0)} ms ` +
    `(${report.versions.filter((v) => v.accepted).length} versions accepted)`,
);
await server.close();
