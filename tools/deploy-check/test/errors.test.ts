/**
 * One test over every service's error table: codes unique across the project, of the form
 * FOPNP_<SERVICE>_ERR_<NAME> (the kit's FOPNP_ERR_<NAME>), and each listed in a table of its
 * owner's README; no README names a code that no table declares.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CODE_PATTERN,
  checkErrorCodes,
  checkReadmeErrors,
  codesInTables,
  type ErrorTableLike,
  errorTablesOf,
  readmeOf,
} from '../src/checks/errors.ts';
import { REPO_ROOT, serviceFolders } from '../src/manifests.ts';

let owned: { owner: string; dir: string; tables: ErrorTableLike[] }[];

beforeAll(async () => {
  const kit = path.join(REPO_ROOT, 'libs', 'net');
  owned = [{ owner: '', dir: kit, tables: await errorTablesOf(path.join(kit, 'src', 'errors.ts')) }];
  for (const folder of serviceFolders()) {
    const dir = path.join(REPO_ROOT, 'services', folder);
    owned.push({ owner: folder, dir, tables: await errorTablesOf(path.join(dir, 'src', 'errors.ts')) });
  }
});

describe('the error tables', () => {
  it('are found: the kit and every service that throws errors of its own', () => {
    const withTables = owned.filter((o) => o.tables.length > 0).map((o) => o.owner || 'libs/net');
    // tcp-farewell and udp-broadcaster only throw the kit's errors.
    expect(withTables).toEqual(
      expect.arrayContaining([
        'libs/net',
        'http-app',
        'rabbit-pipeline',
        'redis-cache',
        'rpc-gateway',
        'ssh-runner',
        'tls-inspector',
        'zen-asyncio',
      ]),
    );
  });

  it('declare unique, well-formed codes with their owner prefix, statuses and exit codes', () => {
    expect(checkErrorCodes(owned)).toEqual([]);
  });

  it('are each listed in a table of the owner README, which names no code of its own that is not declared', () => {
    for (const o of owned) expect(checkReadmeErrors(o.owner, o.tables, readmeOf(o.dir)), o.dir).toEqual([]);
  });

  it('hold every error code any README or doc names', () => {
    const declared = new Set(owned.flatMap((o) => o.tables.flatMap((t) => t.entries().map((e) => e.code))));
    const docs = [
      ...owned.map((o) => path.join(o.dir, 'README.md')),
      path.join(REPO_ROOT, 'README.md'),
      ...readdirSync(path.join(REPO_ROOT, 'docs')).map((f) => path.join(REPO_ROOT, 'docs', f)),
      path.join(REPO_ROOT, 'deploy', 'README.md'),
    ];
    const unknown: string[] = [];
    for (const file of docs.filter((f) => f.endsWith('.md') && existsSync(f))) {
      for (const [code] of readFileSync(file, 'utf8').matchAll(/\bFOPNP_[A-Z0-9_]+/g))
        if (CODE_PATTERN.test(code) && !declared.has(code))
          unknown.push(`${path.relative(REPO_ROOT, file)}: ${code}`);
    }
    expect(unknown).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const table: ErrorTableLike = {
    service: 'demo-svc',
    prefix: 'FOPNP_DEMO_SVC_ERR_',
    entries: () => [
      { name: 'BROKEN', code: 'FOPNP_DEMO_SVC_ERR_BROKEN', statusCode: 500, exitCode: 1 },
      { name: 'GONE', code: 'FOPNP_DEMO_SVC_ERR_GONE', statusCode: 404, exitCode: 1 },
    ],
  };

  it('find a code twice, a wrong prefix, and a bad status', () => {
    const other: ErrorTableLike = {
      service: 'other',
      prefix: 'FOPNP_OTHER_ERR_',
      entries: () => [
        { name: 'BROKEN', code: 'FOPNP_DEMO_SVC_ERR_BROKEN', statusCode: 700, exitCode: 1 },
        { name: 'lower', code: 'FOPNP_OTHER_ERR_lower', statusCode: 400, exitCode: 0 },
      ],
    };
    const problems = checkErrorCodes([
      { owner: 'demo-svc', tables: [table] },
      { owner: 'other', tables: [other] },
    ]);
    expect(problems).toEqual([
      'FOPNP_DEMO_SVC_ERR_BROKEN: expected FOPNP_OTHER_ERR_BROKEN',
      'FOPNP_DEMO_SVC_ERR_BROKEN: declared by both demo-svc and other',
      'FOPNP_DEMO_SVC_ERR_BROKEN: HTTP status 700 is not a status',
      'FOPNP_OTHER_ERR_lower: not of the form FOPNP_[SERVICE_]ERR_NAME',
      'FOPNP_OTHER_ERR_lower: exit code 0 is not 1..125',
    ]);
  });

  it('find a code missing from the README tables, and a README code no table declares', () => {
    const readme = [
      '| code | status |',
      '| --- | --- |',
      '| `FOPNP_DEMO_SVC_ERR_BROKEN` | 500 |',
      '',
      'Prose mentions `FOPNP_DEMO_SVC_ERR_GONE` and `FOPNP_DEMO_SVC_ERR_STALE`.',
    ].join('\n');
    expect([...codesInTables(readme)]).toEqual(['FOPNP_DEMO_SVC_ERR_BROKEN']);
    expect(checkReadmeErrors('demo-svc', [table], readme)).toEqual([
      'FOPNP_DEMO_SVC_ERR_GONE: declared but not in a table of the README',
      'FOPNP_DEMO_SVC_ERR_STALE: in the README but in no error table',
    ]);
  });
});
