/**
 * Several brokers for one connection: the nodes of a RabbitMQ cluster, given as
 * comma-separated URLs in AMQP_URL (`amqp://u:p@h1:5672,amqp://u:p@h2:5672,…`). amqplib
 * connects to one address and its recovery reconnects to that same address; so the
 * connection is given a mutable target object (amqplib reads an object URL afresh on
 * every attempt) that `next()` points at the following node whenever a connection drops
 * or an attempt fails. A client whose node dies thus reconnects to a live one, going
 * round the list with amqplib's backoff between attempts.
 */

import { redactUrl } from '@fopnp/net';
import type { Options } from 'amqplib';

/** The URLs of a comma-separated list, blanks dropped. */
export function parseUrls(list: string): string[] {
  return list
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/** Each URL of a list with its password hidden. */
export function redactUrls(list: string): string {
  return parseUrls(list).map(redactUrl).join(',');
}

function toTarget(url: string, heartbeatSeconds: number): Options.Connect {
  const u = new URL(url);
  const heartbeat = u.searchParams.get('heartbeat');
  return {
    protocol: u.protocol.replace(/:$/, ''),
    hostname: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : u.protocol === 'amqps:' ? 5671 : 5672,
    username: decodeURIComponent(u.username || 'guest'),
    password: decodeURIComponent(u.password || 'guest'),
    vhost: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : '/',
    heartbeat: heartbeat === null ? heartbeatSeconds : Number(heartbeat),
  };
}

export class Endpoints {
  readonly urls: string[];
  /** What amqplib connects to: changed in place by `next()`. */
  readonly target: Options.Connect;
  private index = 0;

  constructor(
    list: string,
    private readonly heartbeatSeconds: number,
  ) {
    this.urls = parseUrls(list);
    if (this.urls.length === 0) this.urls.push(list);
    this.target = toTarget(this.urls[0]!, heartbeatSeconds);
  }

  /** The URL in use (or to be tried next). */
  get current(): string {
    return this.urls[this.index]!;
  }

  /** Points the target at the next node of the list. */
  next(): void {
    if (this.urls.length < 2) return;
    this.index = (this.index + 1) % this.urls.length;
    Object.assign(this.target, toTarget(this.current, this.heartbeatSeconds));
  }
}
