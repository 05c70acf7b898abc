/** Test helpers: an in-process app on a free port over SQLite or a throwaway PostgreSQL schema. */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { openBank } from '../src/bank/open.ts';
import { PgStore } from '../src/bank/pg-store.ts';
import type { BankStore } from '../src/bank/store.ts';
import { createHttpAppServer, type HttpAppServerOptions } from '../src/server.ts';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const DATABASES = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASES)[number];

export interface TestApp {
  url: string;
  port: number;
  store: BankStore;
  close(): Promise<void>;
}

/** A unique schema per run so developers sharing the database never see each other's rows. */
export function uniqueSchema(): string {
  return `http_app_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function startApp(
  db: DatabaseKind = 'sqlite',
  options: Partial<HttpAppServerOptions> = {},
  host = '127.0.0.1',
  /** Share an existing PostgreSQL schema (a second replica); the first app drops it. */
  sharedSchema?: string,
): Promise<TestApp & { schema: string }> {
  const schema = sharedSchema ?? uniqueSchema();
  const store = await openBank(
    db === 'postgres' ? { databaseUrl: PG_URL, databaseSchema: schema } : { sqlitePath: ':memory:' },
  );
  const app = await createHttpAppServer({ store, loginRateLimit: 1000, ...options });
  await app.listen({ port: 0, host });
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    store,
    schema,
    async close() {
      await app.close();
      if (store instanceof PgStore && !sharedSchema) await store.dropSchema();
      await store.close();
    },
  };
}

/** fetch with a cookie jar and no redirect following: what a browser does, step by step. */
export class Agent {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  postForm(path: string, form: Record<string, string>): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** The hidden csrf_token of the form on a page. */
  async csrfFrom(path: string): Promise<string> {
    const html = await (await this.get(path)).text();
    const m = /name="csrf_token" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no csrf_token on ${path}:\n${html}`);
    return m[1]!;
  }

  async login(username = 'brandon', password = 'atigdng', next = ''): Promise<Response> {
    const token = await this.csrfFrom('/bank/login');
    return this.postForm(`/bank/login${next}`, { csrf_token: token, username, password });
  }
}
