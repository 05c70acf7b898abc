// One process of the cross-process stampede test: waits for "go" on stdin, then fires
// CONCURRENCY concurrent getOrLoad calls on one key and prints what its loader did.
// Runs the built library (turbo builds before it tests).
import { createInterface } from 'node:readline';
import { Cache, SingleTopology } from '../../dist/src/index.js';

const [url, namespace, key, concurrency, delayMs] = process.argv.slice(2);
// Generous Redis timeouts: on a loaded CI machine a call over the 1 s default would fail
// open and call the loader a second time, which is not what this test is about (the lock).
const cache = new Cache({
  topology: new SingleTopology(url, { commandTimeoutMs: 5_000 }),
  namespace,
  opTimeoutMs: 5_000,
});
await cache.started();
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const _ of lines) break;
let loaderCalls = 0;
const loader = async () => {
  loaderCalls++;
  await new Promise((r) => setTimeout(r, Number(delayMs)));
  return { loadedBy: process.pid };
};
const results = await Promise.all(
  Array.from({ length: Number(concurrency) }, () => cache.getOrLoadDetailed(key, loader)),
);
const sources = {};
for (const r of results) sources[r.source] = (sources[r.source] ?? 0) + 1;
const values = new Set(results.map((r) => JSON.stringify(r.value)));
process.stdout.write(`${JSON.stringify({ loaderCalls, sources, values: [...values] })}\n`);
await cache.close();
