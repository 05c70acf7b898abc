import { DatabaseSync } from 'node:sqlite';
import type { BankStore, Payment, Session } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS payments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  payer TEXT NOT NULL, payee TEXT NOT NULL,
  dollars INTEGER NOT NULL CHECK (dollars > 0), memo TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS payments_payer ON payments (payer);
CREATE INDEX IF NOT EXISTS payments_payee ON payments (payee);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, username TEXT NOT NULL, csrf_token TEXT NOT NULL, expires_at INTEGER NOT NULL);
`;

interface SessionRow {
  id: string;
  username: string;
  csrf_token: string;
  expires_at: number;
}

/**
 * Node's built-in SQLite (`node:sqlite`, no native addon to compile). It is synchronous;
 * each call is a few microseconds, so it stays on the loop.
 */
export class SqliteStore implements BankStore {
  readonly kind = 'sqlite';
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = new DatabaseSync(path, { timeout: 5000 });
    this.db.exec('PRAGMA journal_mode = WAL');
  }

  async init(): Promise<void> {
    this.db.exec(SCHEMA);
  }
  async countUsers(): Promise<number> {
    return Number((this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n);
  }
  async addUser(username: string, passwordHash: string): Promise<void> {
    this.db.prepare('INSERT INTO users (username, password_hash) VALUES (?, ?)').run(username, passwordHash);
  }
  async passwordHashOf(username: string): Promise<string | undefined> {
    const row = this.db
      .prepare('SELECT password_hash FROM users WHERE username = ?')
      .get(username) as unknown as { password_hash: string } | undefined;
    return row?.password_hash;
  }
  async addPayment(p: Omit<Payment, 'id'>): Promise<void> {
    this.db
      .prepare('INSERT INTO payments (payer, payee, dollars, memo) VALUES (?, ?, ?, ?)')
      .run(p.payer, p.payee, p.dollars, p.memo);
  }
  async paymentsOf(username: string): Promise<Payment[]> {
    const rows = this.db
      .prepare(
        'SELECT id, payer, payee, dollars, memo FROM payments WHERE payer = ? OR payee = ? ORDER BY id DESC',
      )
      .all(username, username) as unknown as Payment[];
    // node:sqlite rows have a null prototype; hand out plain objects like the PostgreSQL store.
    return rows.map(({ id, payer, payee, dollars, memo }) => ({ id, payer, payee, dollars, memo }));
  }
  async createSession(s: Session): Promise<void> {
    this.db
      .prepare('INSERT INTO sessions (id, username, csrf_token, expires_at) VALUES (?, ?, ?, ?)')
      .run(s.id, s.username, s.csrfToken, s.expiresAt);
  }
  async getSession(id: string): Promise<Session | undefined> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as unknown as
      | SessionRow
      | undefined;
    return (
      row && { id: row.id, username: row.username, csrfToken: row.csrf_token, expiresAt: row.expires_at }
    );
  }
  async deleteSession(id: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
  }
  async deleteExpiredSessions(now: number): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
  }
  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }
  async close(): Promise<void> {
    this.db.close();
  }
}
