import { NetworkError } from '@fopnp/net';
import { hashPassword } from './passwords.js';
import { PgStore } from './pg-store.js';
import { SqliteStore } from './sqlite-store.js';
import { type BankStore, DEMO_PAYMENTS, DEMO_USERS } from './store.js';

export interface OpenBankOptions {
  /** postgres://…; unset = SQLite. */
  databaseUrl?: string | undefined;
  /** @default 'public' */
  databaseSchema?: string;
  /** @default ':memory:' */
  sqlitePath?: string;
  /** Create the book's users (and their payments) when the bank has none. @default true */
  seedDemoUsers?: boolean;
}

/** Opens the store DATABASE_URL asks for, creates its tables, and seeds the demo users. */
export async function openBank(opts: OpenBankOptions = {}): Promise<BankStore> {
  const store: BankStore = opts.databaseUrl
    ? new PgStore(opts.databaseUrl, opts.databaseSchema ?? 'public')
    : new SqliteStore(opts.sqlitePath ?? ':memory:');
  try {
    await store.init();
    if (opts.seedDemoUsers !== false && (await store.countUsers()) === 0) {
      for (const u of DEMO_USERS) await store.addUser(u.username, await hashPassword(u.password));
      for (const p of DEMO_PAYMENTS) await store.addPayment(p);
    }
  } catch (err) {
    await store.close().catch(() => {});
    const detail = err instanceof Error ? err.message || (err as { code?: string }).code : String(err);
    throw new NetworkError(
      `bank database unavailable: ${detail} (check ${opts.databaseUrl ? 'DATABASE_URL' : 'SQLITE_PATH'})`,
      { cause: err },
    );
  }
  return store;
}
