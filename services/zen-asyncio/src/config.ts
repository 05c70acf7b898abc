/**
 * The server's options, declared once: the type with its defaults for the library, and
 * the option specs (flag, env var, default) shared by the `server` command and `serve`.
 */
import { defineOptions } from '@fopnp/net/cli';
import { DEFAULT_MAX_QUESTION_BYTES } from './protocol.js';

/** How conversations are scheduled. */
export const MODES = ['loop', 'single', 'cluster', 'threads'] as const;
export type Mode = (typeof MODES)[number];

export interface ZenLimits {
  /** Bytes a question may have before its `?`; more gets an error reply and a close. @default 4096 */
  maxQuestionBytes: number;
  /** A connection silent this long (no bytes either way) is closed; 0 disables. @default 60000 */
  idleTimeoutMs: number;
  /**
   * Time from a question's first byte to its `?`; past it the client gets an error reply and
   * a close (a client dripping a byte at a time resets the idle timer, never this). 0
   * disables. @default 10000
   */
  questionTimeoutMs: number;
  /** Concurrent connections; the next one gets a busy reply and is closed. @default 16384 */
  maxConnections: number;
}

export const DEFAULT_LIMITS: ZenLimits = {
  maxQuestionBytes: DEFAULT_MAX_QUESTION_BYTES,
  idleTimeoutMs: 60_000,
  questionTimeoutMs: 10_000,
  maxConnections: 16_384,
};

/** Options of the Zen server itself; `defaultPort` differs between `server` (book) and `serve`. */
export function zenOptions(defaultPort: number) {
  return defineOptions({
    port: {
      type: 'port',
      env: 'PORT',
      short: 'p',
      default: defaultPort,
      description: 'TCP port to listen on (0 = any free port)',
    },
    mode: {
      type: 'enum',
      env: 'ZEN_MODE',
      choices: MODES,
      default: 'loop',
      description:
        'loop: one event loop for all clients; single: one conversation at a time; cluster: one worker process per core; threads: one worker thread per core on a SO_REUSEPORT port (srv_threaded.py)',
    },
    workers: {
      type: 'int',
      env: 'ZEN_WORKERS',
      default: 0,
      min: 0,
      max: 256,
      description: 'cluster / threads mode: number of worker processes or threads (0 = one per core)',
    },
    maxQuestionBytes: {
      type: 'int',
      env: 'ZEN_MAX_QUESTION_BYTES',
      default: DEFAULT_LIMITS.maxQuestionBytes,
      min: 16,
      max: 1024 * 1024,
      description: 'longest question accepted (bytes before the ?); longer gets an error reply and a close',
    },
    idleTimeoutMs: {
      type: 'int',
      env: 'ZEN_IDLE_TIMEOUT_MS',
      default: DEFAULT_LIMITS.idleTimeoutMs,
      min: 0,
      description: 'close a connection silent this long (0 = never)',
    },
    questionTimeoutMs: {
      type: 'int',
      env: 'ZEN_QUESTION_TIMEOUT_MS',
      default: DEFAULT_LIMITS.questionTimeoutMs,
      min: 0,
      description:
        "time from a question's first byte to its ? (0 = no limit); past it: error reply and close",
    },
    maxConnections: {
      type: 'int',
      env: 'ZEN_MAX_CONNECTIONS',
      default: DEFAULT_LIMITS.maxConnections,
      min: 1,
      description: 'concurrent connections per process; the next one gets a busy reply and is closed',
    },
  });
}
