import pg from 'pg';
import type { BankStore, Payment, Session } from './store.js';

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** PostgreSQL through a `pg` pool; every connection starts with search_path = the schema. */
export class PgStore implements BankStore {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;

  constructor(
    connectionString: string,
    private readonly schema = 'public',
  ) {
    this.pool = new pg.Pool({
      connectionString,
      max: 10,
      connectionTimeoutMillis: 5_000,
      options: `-c search_path=${quoteIdent(schema)}`,
    });
    // An idle client losing its server must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
  }

  async init(): Promise<void> {
    await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
    await this.pool.query(`
      CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS payments (
        id BIGSERIAL PRIMARY KEY, payer TEXT NOT NULL, payee TEXT NOT NULL,
        dollars INTEGER NOT NULL CHECK (dollars > 0), memo TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS payments_payer ON payments (payer);
      CREATE INDEX IF NOT EXISTS payments_payee ON payments (payee);
      CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY, username TEXT NOT NULL, csrf_token TEXT NOT NULL, expires_at BIGINT NOT NULL);`);
  }
  async countUsers(): Promise<number> {
    const r = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM users');
    return Number(r.rows[0]!.n);
  }
  async addUser(username: string, passwordHash: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO users (username, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [username, passwordHash],
    );
  }
  async passwordHashOf(username: string): Promise<string | undefined> {
    const r = await this.pool.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE username = $1',
      [username],
    );
    return r.rows[0]?.password_hash;
  }
  async addPayment(p: Omit<Payment, 'id'>): Promise<void> {
    await this.pool.query('INSERT INTO payments (payer, payee, dollars, memo) VALUES ($1, $2, $3, $4)', [
      p.payer,
      p.payee,
      p.dollars,
      p.memo,
    ]);
  }
  async paymentsOf(username: string): Promise<Payment[]> {
    const r = await this.pool.query<Payment & { id: string }>(
      'SELECT id, payer, payee, dollars, memo FROM payments WHERE payer = $1 OR payee = $1 ORDER BY id DESC',
      [username],
    );
    return r.rows.map((row) => ({ ...row, id: Number(row.id) }));
  }
  async createSession(s: Session): Promise<void> {
    await this.pool.query(
      'INSERT INTO sessions (id, username, csrf_token, expires_at) VALUES ($1, $2, $3, $4)',
      [s.id, s.username, s.csrfToken, s.expiresAt],
    );
  }
  async getSession(id: string): Promise<Session | undefined> {
    const r = await this.pool.query<{ id: string; username: string; csrf_token: string; expires_at: string }>(
      'SELECT * FROM sessions WHERE id = $1',
      [id],
    );
    const row = r.rows[0];
    return (
      row && {
        id: row.id,
        username: row.username,
        csrfToken: row.csrf_token,
        expiresAt: Number(row.expires_at),
      }
    );
  }
  async deleteSession(id: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE id = $1', [id]);
  }
  async deleteExpiredSessions(now: number): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE expires_at < $1', [now]);
  }
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
  /** Drops the schema and everything in it (tests use a schema of their own). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`);
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}
