/**
 * Coded errors of rabbit-pipeline. Each message says what happened and what to change.
 */

export const ERROR_CODES = {
  RP_ERR_RPC_TIMEOUT: 'RP_ERR_RPC_TIMEOUT',
  RP_ERR_RPC_INTERRUPTED: 'RP_ERR_RPC_INTERRUPTED',
  RP_ERR_MALFORMED_MESSAGE: 'RP_ERR_MALFORMED_MESSAGE',
  RP_ERR_PUBLISH_NACKED: 'RP_ERR_PUBLISH_NACKED',
  RP_ERR_PUBLISH_FAILED: 'RP_ERR_PUBLISH_FAILED',
  RP_ERR_CLOSED: 'RP_ERR_CLOSED',
  RP_ERR_BROKER_UNREACHABLE: 'RP_ERR_BROKER_UNREACHABLE',
  RP_ERR_BROKER_REFUSED: 'RP_ERR_BROKER_REFUSED',
  RP_ERR_TALLY_STATE: 'RP_ERR_TALLY_STATE',
} as const;
export type PipelineErrorCode = keyof typeof ERROR_CODES;

export class PipelineError extends Error {
  readonly exitCode: number = 1;
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Nobody answered a request within the deadline: is the responder (pythagoras) running? */
export class RpcTimeoutError extends PipelineError {
  constructor(
    readonly queue: string,
    readonly timeoutMs: number,
  ) {
    super(
      'RP_ERR_RPC_TIMEOUT',
      `no reply from queue "${queue}" within ${timeoutMs} ms: is its responder running? (raise RPC_TIMEOUT_MS if it is slow)`,
    );
  }
}

/** The connection dropped while a request was out: its reply queue is gone with it. */
export class RpcInterruptedError extends PipelineError {
  constructor(readonly queue: string) {
    super(
      'RP_ERR_RPC_INTERRUPTED',
      `connection lost while waiting for a reply from "${queue}": the request is retried`,
    );
  }
}

/** A body the consumer cannot parse: never retried, dead-lettered at once. */
export class MalformedMessageError extends PipelineError {
  constructor(
    readonly queue: string,
    detail: string,
  ) {
    super('RP_ERR_MALFORMED_MESSAGE', `malformed message on "${queue}": ${detail}`);
  }
}

/** The broker refused a message (basic.nack) more often than we retry. */
export class PublishNackedError extends PipelineError {
  constructor(exchange: string, routingKey: string) {
    super(
      'RP_ERR_PUBLISH_NACKED',
      `broker refused (nacked) a message to exchange "${exchange || '(default)'}" key "${routingKey}": check the broker's disk and memory alarms`,
    );
  }
}

/** The broker closed the channel over a message: e.g. its exchange does not exist. */
export class PublishFailedError extends PipelineError {
  constructor(exchange: string, reason: string) {
    super(
      'RP_ERR_PUBLISH_FAILED',
      `cannot publish to exchange "${exchange}": ${reason} (declare it first, or check --prefix)`,
    );
  }
}

/** The broker refused an operation on a queue or exchange (AMQP channel error). */
export class BrokerRefusedError extends PipelineError {
  constructor(
    readonly replyCode: number,
    reason: string,
  ) {
    super('RP_ERR_BROKER_REFUSED', `RabbitMQ refused: ${reason}`);
  }
}

/** Work handed to a publisher, consumer or RPC client after close(). */
export class ClosedError extends PipelineError {
  constructor(what: string) {
    super('RP_ERR_CLOSED', `${what} is closed: create a new one`);
  }
}

/**
 * The first connection failed and retries are used up. The message names the cause: a
 * broker that answered but refused the login (403 ACCESS_REFUSED) or the virtual host
 * (530 NOT_ALLOWED) is running, so "is it running?" would send the user the wrong way.
 */
export class BrokerUnreachableError extends PipelineError {
  constructor(url: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? options.cause.message : String(options?.cause ?? '');
    const detail = reason ? ` (${reason})` : '';
    let user = 'guest';
    let vhost = '/';
    try {
      const u = new URL(url);
      user = decodeURIComponent(u.username) || user;
      vhost = decodeURIComponent(u.pathname.slice(1)) || vhost;
    } catch {
      // not a URL: keep the defaults amqplib uses
    }
    const message = /ACCESS[-_]REFUSED/.test(reason)
      ? `RabbitMQ at ${url} refused the login of user "${user}" (403 ACCESS_REFUSED): ` +
        'wrong user name or password? set them in AMQP_URL or --amqp-url'
      : /NOT[-_]ALLOWED/.test(reason)
        ? `RabbitMQ at ${url} refused user "${user}" access to virtual host "${vhost}" (530 NOT_ALLOWED): ` +
          "check the vhost in AMQP_URL or --amqp-url and the user's permissions"
        : `cannot reach RabbitMQ at ${url}${detail}: is it running? set AMQP_URL or --amqp-url`;
    super('RP_ERR_BROKER_UNREACHABLE', message, options);
  }
}

/** tally's state file cannot be read or written: tally refuses to start rather than lose counts. */
export class TallyStateError extends PipelineError {
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'RP_ERR_TALLY_STATE',
      `tally state file ${file}: ${detail} (set TALLY_STATE_FILE or --tally-state-file)`,
      options,
    );
  }
}

/** Hides the password of an amqp URL for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
