import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { startApp } from './helpers.ts';
import { CASES } from './httpbin/cases.ts';
import { differences } from './httpbin/compare.ts';
import { exchange, startHttpbin } from './httpbin/peer.ts';

it('dump', async () => {
  const [app, bin] = await Promise.all([startApp('sqlite', { maxDelaySeconds: 10 }), startHttpbin()]);
  const lines: string[] = [];
  for (const c of CASES) {
    const ex = { ...c, headers: { 'User-Agent': 'fopnp-differential/1', Accept: '*/*', ...c.headers } };
    const [o, t] = await Promise.all([exchange(app.url, ex), exchange(bin.url, ex)]);
    const d = differences(c, { answer: o, port: app.port }, { answer: t, port: bin.port });
    d.delete('access-control-allow-origin');
    d.delete('access-control-allow-credentials');
    if (d.size)
      lines.push(
        `## ${c.method ?? 'GET'} ${c.path} ${JSON.stringify(c.headers ?? {})}\n${JSON.stringify(Object.fromEntries(d))}`,
      );
  }
  writeFileSync('/tmp/httpbin-diff.txt', lines.join('\n'));
  await app.close();
  await bin.stop();
}, 120_000);
