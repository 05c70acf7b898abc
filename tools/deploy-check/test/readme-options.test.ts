/**
 * Each service README's options tables against its manifest: every env var declared has a
 * row showing its default, and no row names an env var the manifest does not declare.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineService, serviceOptions } from '@fopnp/net';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkReadmeOptions, optionRows } from '../src/checks/readme-options.ts';
import { type LoadedService, loadServices, REPO_ROOT } from '../src/manifests.ts';

let services: LoadedService[];

beforeAll(async () => {
  ({ services } = await loadServices());
});

describe('every README options table', () => {
  it('lists each declared env var with its default, and no env var the manifest lacks', () => {
    expect(services.length).toBeGreaterThanOrEqual(9);
    for (const s of services) {
      const readme = readFileSync(path.join(REPO_ROOT, 'services', s.folder, 'README.md'), 'utf8');
      expect(checkReadmeOptions(s.manifest, readme), s.folder).toEqual([]);
    }
  });
});

describe('the check itself', () => {
  const manifest = defineService({
    name: 'demo-svc',
    chapter: '1',
    description: 'demo',
    command: ['serve'],
    ports: [{ name: 'tcp', protocol: 'tcp', option: 'port' }],
    needs: [],
    options: {
      port: { type: 'port', env: 'PORT', default: 8080, description: 'port' },
      secret: { type: 'string', env: 'DEMO_SECRET', flag: false, description: 'secret' },
      ttlMs: { type: 'int', env: 'DEMO_TTL_MS', default: 60_000, description: 'ttl' },
      ...serviceOptions(9199),
    },
  });
  const table = (rows: string[]) =>
    ['| flag | env | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
  const complete = [
    '| `--port` | `PORT` | `8080` | port |',
    '| – | `DEMO_SECRET` | – | secret |',
    '| `--ttl-ms` | `DEMO_TTL_MS` | 60 000 | ttl |',
    '| `--health-port` | `HEALTH_PORT` | `9199` | health |',
    '| `--health-host` | `HEALTH_HOST` | `0.0.0.0` | health host |',
    '| `--log-level` | `LOG_LEVEL` | trace \\| debug \\| `info` | level |',
    '| `--shutdown-timeout-ms` | `SHUTDOWN_TIMEOUT_MS` | `10000` | deadline |',
  ];

  it('reads env and default columns, escaped pipes included', () => {
    expect(optionRows(table(complete)).map((r) => [r.env, r.default])).toContainEqual([
      'LOG_LEVEL',
      'trace \\| debug \\| info',
    ]);
    expect(checkReadmeOptions(manifest, table(complete))).toEqual([]);
  });

  it('finds a missing row, a wrong default, and a row the manifest does not declare', () => {
    const rows = complete
      .filter((r) => !r.includes('DEMO_SECRET'))
      .map((r) => r.replace('`8080`', '`8081`'))
      .concat('| `--gone` | `DEMO_GONE` | `1` | removed long ago |');
    expect(checkReadmeOptions(manifest, table(rows))).toEqual([
      'PORT: the README says the default is "8081", the manifest 8080',
      'DEMO_SECRET: declared, but in no options table of the README',
      `DEMO_GONE (README line ${rows.length + 2}): not declared in the manifest`,
    ]);
  });
});
