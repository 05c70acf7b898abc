/**
 * Coded errors of rabbit-pipeline, declared with the kit's `defineErrors`. Each message says
 * what happened and what to change.
 */
import { defineErrors, NetError } from '@fopnp/net/cli';

export const PIPELINE_ERRORS = defineErrors('rabbit-pipeline', {
  /** Nobody answered a request within the deadline. */
  RPC_TIMEOUT: {
    statusCode: 504,
    message: (queue: string, timeoutMs: number) =>
      `no reply from queue "${queue}" within ${timeoutMs} ms: is its responder running? (raise RPC_TIMEOUT_MS if it is slow)`,
  },
  /** The connection dropped while a request was out. */
  RPC_INTERRUPTED: {
    statusCode: 503,
    message: (queue: string) =>
      `connection lost while waiting for a reply from "${queue}": the request is retried`,
  },
  /** A body the consumer cannot parse. */
  MALFORMED_MESSAGE: {
    statusCode: 400,
    message: (queue: string, detail: string) => `malformed message on "${queue}": ${detail}`,
  },
  /** A delivery whose body is over MAX_MESSAGE_BYTES: refused from its header, never read. */
  MESSAGE_TOO_LARGE: {
    statusCode: 413,
    message: (queue: string, size: number, limit: number) =>
      `message of ${size} bytes on "${queue}" is over the limit of ${limit} bytes: refused unread and dead-lettered (raise MAX_MESSAGE_BYTES / --max-message-bytes if such messages are expected)`,
  },
  PUBLISH_NACKED: {
    statusCode: 503,
    message: (exchange: string, routingKey: string) =>
      `broker refused (nacked) a message to exchange "${exchange || '(default)'}" key "${routingKey}": check the broker's disk and memory alarms`,
  },
  PUBLISH_FAILED: {
    statusCode: 502,
    message: (exchange: string, reason: string) =>
      `cannot publish to exchange "${exchange}": ${reason} (declare it first, or check --prefix)`,
  },
  CLOSED: { message: (what: string) => `${what} is closed: create a new one` },
  /** The first connection failed and retries are used up; a refused login or vhost says so. */
  BROKER_UNREACHABLE: {
    statusCode: 503,
    message: (url: string, reason: string) => {
      let user = 'guest';
      let vhost = '/';
      try {
        const u = new URL(url);
        user = decodeURIComponent(u.username) || user;
        vhost = decodeURIComponent(u.pathname.slice(1)) || vhost;
      } catch {
        // not a URL: keep the defaults amqplib uses
      }
      if (/ACCESS[-_]REFUSED/.test(reason))
        return (
          `RabbitMQ at ${url} refused the login of user "${user}" (403 ACCESS_REFUSED): ` +
          'wrong user name or password? set them in AMQP_URL or --amqp-url'
        );
      if (/NOT[-_]ALLOWED/.test(reason))
        return (
          `RabbitMQ at ${url} refused user "${user}" access to virtual host "${vhost}" (530 NOT_ALLOWED): ` +
          "check the vhost in AMQP_URL or --amqp-url and the user's permissions"
        );
      return `cannot reach RabbitMQ at ${url}${reason ? ` (${reason})` : ''}: is it running? set AMQP_URL or --amqp-url`;
    },
  },
  BROKER_REFUSED: { statusCode: 502, message: (reason: string) => `RabbitMQ refused: ${reason}` },
  /** `leaders` could not run rabbitmqctl, or rabbitmqctl could not ask the node. */
  RABBITMQCTL_FAILED: { statusCode: 502, message: (detail: string) => detail },
  TALLY_STATE: {
    message: (file: string, detail: string) =>
      `tally state file ${file}: ${detail} (set TALLY_STATE_FILE or --tally-state-file)`,
  },
  /** tally's HTTP API has no such path. */
  NO_ROUTE: { statusCode: 404, message: () => 'no such path; try /estimate or /' },
  /** tally's HTTP API only reads. */
  METHOD_NOT_ALLOWED: {
    statusCode: 405,
    message: (method: string) => `${method} is not allowed; use GET or HEAD`,
  },
});

export type PipelineErrorCode = (typeof PIPELINE_ERRORS.codes)[keyof typeof PIPELINE_ERRORS.codes];

/** Base of rabbit-pipeline's own errors. */
export class PipelineError extends NetError {}

/** Nobody answered a request within the deadline: is the responder (pythagoras) running? */
export class RpcTimeoutError extends PipelineError {
  constructor(
    readonly queue: string,
    readonly timeoutMs: number,
  ) {
    super(PIPELINE_ERRORS.describe('RPC_TIMEOUT', queue, timeoutMs));
  }
}

/** The connection dropped while a request was out: its reply queue is gone with it. */
export class RpcInterruptedError extends PipelineError {
  constructor(readonly queue: string) {
    super(PIPELINE_ERRORS.describe('RPC_INTERRUPTED', queue));
  }
}

/** A body the consumer cannot parse: never retried, dead-lettered at once. */
export class MalformedMessageError extends PipelineError {
  constructor(
    readonly queue: string,
    detail: string,
  ) {
    super(PIPELINE_ERRORS.describe('MALFORMED_MESSAGE', queue, detail));
  }
}

/** The broker refused a message (basic.nack) more often than we retry. */
/** A delivery over the size limit, refused before its body was read. */
export class MessageTooLargeError extends PipelineError {
  constructor(
    readonly queue: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(PIPELINE_ERRORS.describe('MESSAGE_TOO_LARGE', queue, size, limit));
  }
}

export class PublishNackedError extends PipelineError {
  constructor(exchange: string, routingKey: string) {
    super(PIPELINE_ERRORS.describe('PUBLISH_NACKED', exchange, routingKey));
  }
}

/** The broker closed the channel over a message: e.g. its exchange does not exist. */
export class PublishFailedError extends PipelineError {
  constructor(exchange: string, reason: string) {
    super(PIPELINE_ERRORS.describe('PUBLISH_FAILED', exchange, reason));
  }
}

/** The broker refused an operation on a queue or exchange (AMQP channel error). */
export class BrokerRefusedError extends PipelineError {
  constructor(
    readonly replyCode: number,
    reason: string,
  ) {
    super(PIPELINE_ERRORS.describe('BROKER_REFUSED', reason));
  }
}

/** Work handed to a publisher, consumer or RPC client after close(). */
export class ClosedError extends PipelineError {
  constructor(what: string) {
    super(PIPELINE_ERRORS.describe('CLOSED', what));
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
    super(PIPELINE_ERRORS.describe('BROKER_UNREACHABLE', url, reason), options);
  }
}

/** `leaders` could not run rabbitmqctl, or rabbitmqctl could not ask the node. */
export class RabbitmqctlError extends PipelineError {
  constructor(detail: string) {
    super(PIPELINE_ERRORS.describe('RABBITMQCTL_FAILED', detail));
  }
}

/** tally's state file cannot be read or written: tally refuses to start rather than lose counts. */
export class TallyStateError extends PipelineError {
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(PIPELINE_ERRORS.describe('TALLY_STATE', file, detail), options);
  }
}

/** A method tally's HTTP API does not answer. */
export class MethodNotAllowedError extends PipelineError {
  constructor(method: string) {
    super(PIPELINE_ERRORS.describe('METHOD_NOT_ALLOWED', method));
  }
}

/** A path tally's HTTP API does not have. */
export class NoRouteError extends PipelineError {
  constructor() {
    super(PIPELINE_ERRORS.describe('NO_ROUTE'));
  }
}
