/**
 * Prometheus metrics read from the server's plain counters at scrape time, so the hot
 * path pays one property increment per question, not a labelled metric update.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { ERROR_KINDS, type ZenStats } from './stats.js';

export function registerZenMetrics(registry: Registry, read: () => ZenStats): void {
  new Gauge({
    name: 'zen_open_connections',
    help: 'Client connections open now (all workers in cluster mode)',
    registers: [registry],
    collect() {
      this.set(read().openConnections);
    },
  });
  new Counter({
    name: 'zen_connections_accepted_total',
    help: 'Client connections accepted (excluding those refused at the connection limit)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read().connectionsAccepted);
    },
  });
  new Counter({
    name: 'zen_questions_answered_total',
    help: 'Known questions answered',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read().questionsAnswered);
    },
  });
  new Counter({
    name: 'zen_errors_total',
    help: 'Problems by kind: unknown_aphorism, question_too_long, question_timeout, idle_timeout, closed_mid_question, connection_limit, socket_error',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const errors = read().errors;
      this.reset();
      for (const kind of ERROR_KINDS) this.inc({ kind }, errors[kind]);
    },
  });
}
