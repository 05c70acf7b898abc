/**
 * Where the bank keeps users, sessions and payments. SQLite (Node's built-in node:sqlite) for one
 * process; PostgreSQL when DATABASE_URL is set, so replicas behind a load balancer share
 * logins and payments. Both speak the same small async interface.
 */

export interface Payment {
  id: number;
  /** The user who paid. */
  payer: string;
  /** The account that received it. */
  payee: string;
  dollars: number;
  memo: string;
}

export interface Session {
  /** 32 random bytes, base64url: the value the signed cookie carries. */
  id: string;
  username: string;
  csrfToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface BankStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates the tables if missing. */
  init(): Promise<void>;
  countUsers(): Promise<number>;
  addUser(username: string, passwordHash: string): Promise<void>;
  passwordHashOf(username: string): Promise<string | undefined>;
  addPayment(payment: Omit<Payment, 'id'>): Promise<void>;
  /** Payments made or received by a user, newest first. */
  paymentsOf(username: string): Promise<Payment[]>;
  createSession(session: Session): Promise<void>;
  getSession(id: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<void>;
  deleteExpiredSessions(now: number): Promise<void>;
  /** For readiness: throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The book's bank.py data, so a fresh bank has something to show. */
export const DEMO_USERS = [
  { username: 'brandon', password: 'atigdng' },
  { username: 'sam', password: 'xyzzy' },
] as const;

export const DEMO_PAYMENTS: Omit<Payment, 'id'>[] = [
  { payer: 'brandon', payee: 'psf', dollars: 125, memo: 'Registration for PyCon' },
  { payer: 'brandon', payee: 'liz', dollars: 200, memo: 'Payment for writing that code' },
  { payer: 'sam', payee: 'brandon', dollars: 25, memo: 'Gas money-thanks for the ride!' },
  { payer: 'brandon', payee: 'sam', dollars: 25, memo: 'Lunch at The Kirk' },
];
