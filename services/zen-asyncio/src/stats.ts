/**
 * Plain counters kept by the server on its hot path (a property increment per question);
 * service.ts exposes them as Prometheus metrics at scrape time, and cluster workers send
 * them to the primary, so the server itself never depends on a metrics library.
 */

/** Why a connection or a question went wrong; the `kind` label of zen_errors_total. */
export const ERROR_KINDS = [
  'unknown_aphorism',
  'question_too_long',
  'question_timeout',
  'idle_timeout',
  'closed_mid_question',
  'connection_limit',
  'socket_error',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ZenStats {
  openConnections: number;
  connectionsAccepted: number;
  questionsAnswered: number;
  errors: Record<ErrorKind, number>;
}

export function emptyStats(): ZenStats {
  return {
    openConnections: 0,
    connectionsAccepted: 0,
    questionsAnswered: 0,
    errors: Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>,
  };
}

/** Sums the stats of several workers (cluster mode). */
export function sumStats(all: Iterable<ZenStats>): ZenStats {
  const total = emptyStats();
  for (const s of all) {
    total.openConnections += s.openConnections;
    total.connectionsAccepted += s.connectionsAccepted;
    total.questionsAnswered += s.questionsAnswered;
    for (const k of ERROR_KINDS) total.errors[k] += s.errors[k] ?? 0;
  }
  return total;
}
