/**
 * ssh-runner's own errors, declared with the kit's `defineErrors`. Network failures before
 * SSH starts (refused, unresolvable, connect timeouts) use the shared classes from
 * @fopnp/net; these are the SSH-specific ones.
 */
import { defineErrors, NetError } from '@fopnp/net';

export const SSH_ERRORS = defineErrors('ssh-runner', {
  /**
   * A host list, target, PORT, HOST:PATH or identity file that cannot be used: a usage error,
   * exit 2. In
   * service mode it comes from the jobs file, never from a client: a 500.
   */
  INVALID_ARGUMENT: { exitCode: 2, message: (detail: string) => detail },
  UNKNOWN_HOST_KEY: {
    statusCode: 502,
    message: (host: string, keyType: string, fingerprint: string, knownHosts: string) =>
      `host key for ${host} is not known (${keyType} ${fingerprint}); refusing to connect. ` +
      `Check the fingerprint out of band, then add it to ${knownHosts} or rerun with --host-key-policy accept-new`,
  },
  CHANGED_HOST_KEY: {
    statusCode: 502,
    message: (host: string, keyType: string, fingerprint: string, knownHosts: string, line: number) =>
      [
        '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
        '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
        '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
        'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
        'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
        `The ${keyType} host key for ${host} has changed; the key sent by the remote host is`,
        `${fingerprint}.`,
        `Offending key in ${knownHosts}:${line}`,
        `Host key verification failed: remove the old key (ssh-keygen -R '${host}') only if you know why it changed.`,
      ].join('\n'),
  },
  REVOKED_HOST_KEY: {
    statusCode: 502,
    message: (host: string, keyType: string, fingerprint: string, knownHosts: string) =>
      `host key for ${host} (${keyType} ${fingerprint}) is marked as revoked in ${knownHosts}; refusing to connect`,
  },
  AUTHENTICATION: {
    statusCode: 502,
    message: (user: string, host: string, methods: string) =>
      `authentication failed for ${user}@${host} (tried: ${methods}): check the key (-i), ssh-agent, or SSH_PASSWORD`,
  },
  HANDSHAKE_TIMEOUT: {
    statusCode: 504,
    message: (target: string, timeoutMs: number) =>
      `SSH handshake with ${target} timed out after ${timeoutMs} ms`,
  },
  CONNECTION_FAILED: {
    statusCode: 502,
    message: (target: string, reason: string) => `SSH connection to ${target} failed: ${reason}`,
  },
  COMMAND_TIMEOUT: {
    statusCode: 504,
    message: (host: string, seconds: number) =>
      `command on ${host} still running after ${seconds} s: killed it`,
  },
  SFTP: { statusCode: 502, message: (what: string, reason: string) => `${what}: ${reason}` },
  CHECKSUM_MISMATCH: {
    statusCode: 502,
    message: (path: string, local: string, remote: string) =>
      `checksum mismatch for ${path}: local ${local}, remote ${remote}`,
  },
  /** The service's HTTP API: a request target that is not a URL path. */
  MALFORMED_TARGET: { statusCode: 400, message: () => 'malformed request target' },
  /** The service's HTTP API: no API_TOKEN configured, so every call is refused. */
  NO_API_TOKEN: {
    statusCode: 503,
    message: () => 'API_TOKEN is not set on the server: the job runner refuses every call',
  },
  /** The service's HTTP API: a missing or wrong bearer token. */
  UNAUTHORIZED: { statusCode: 401, message: () => 'missing or wrong bearer token' },
  /** The service's HTTP API: a path it does not have. */
  NO_ROUTE: {
    statusCode: 404,
    message: () => 'no such endpoint; use GET /jobs or POST /run/:group/:command',
  },
  /** The service's HTTP API: a job run asked for with another method than POST. */
  METHOD_NOT_ALLOWED: { statusCode: 405, message: () => 'use POST to run a job' },
  /** The service's HTTP API: a job path with a broken %-escape. */
  BAD_JOB_PATH: { statusCode: 400, message: () => 'malformed %-escape in the job path' },
  /** The service's HTTP API: a host group or command not in the jobs file. */
  UNDECLARED: {
    statusCode: 404,
    message: (what: string, name: string) => `${what} "${name}" is not declared`,
  },
});

export type SshErrorCode = (typeof SSH_ERRORS.codes)[keyof typeof SSH_ERRORS.codes];

/** Base of ssh-runner's own errors. */
export class SshError extends NetError {}

/** A host list, target, PORT, HOST:PATH or identity file that cannot be used. */
export class InvalidArgumentError extends SshError {
  constructor(detail: string) {
    super(SSH_ERRORS.describe('INVALID_ARGUMENT', detail));
  }
}

/** The server's key is not in known_hosts and the policy is strict (OpenSSH's default). */
export class UnknownHostKeyError extends SshError {
  constructor(
    readonly host: string,
    keyType: string,
    readonly fingerprint: string,
    knownHosts: string,
  ) {
    super(SSH_ERRORS.describe('UNKNOWN_HOST_KEY', host, keyType, fingerprint, knownHosts));
  }
}

/** The server presented a different key than known_hosts holds (or a revoked one): possibly a man in the middle. */
export class ChangedHostKeyError extends SshError {
  constructor(
    readonly host: string,
    keyType: string,
    readonly fingerprint: string,
    knownHosts: string,
    line: number,
    kind: 'changed' | 'revoked' = 'changed',
  ) {
    super(
      kind === 'revoked'
        ? SSH_ERRORS.describe('REVOKED_HOST_KEY', host, keyType, fingerprint, knownHosts)
        : SSH_ERRORS.describe('CHANGED_HOST_KEY', host, keyType, fingerprint, knownHosts, line),
    );
  }
}

/** No accepted authentication method. */
export class AuthenticationError extends SshError {
  constructor(
    readonly user: string,
    readonly host: string,
    methods: string,
  ) {
    super(SSH_ERRORS.describe('AUTHENTICATION', user, host, methods));
  }
}

/** TCP connected, but the SSH handshake did not finish in time. */
export class HandshakeTimeoutError extends SshError {
  constructor(target: string, timeoutMs: number) {
    super(SSH_ERRORS.describe('HANDSHAKE_TIMEOUT', target, timeoutMs));
  }
}

/** Any other failure of the SSH connection, in ssh2's words. */
export class ConnectionFailedError extends SshError {
  constructor(target: string, reason: string, options?: { cause?: unknown }) {
    super(SSH_ERRORS.describe('CONNECTION_FAILED', target, reason), options);
  }
}

/** The remote command ran past its time limit and was killed. */
export class CommandTimeoutError extends SshError {
  constructor(
    readonly host: string,
    readonly seconds: number,
  ) {
    super(SSH_ERRORS.describe('COMMAND_TIMEOUT', host, seconds));
  }
}

/** An SFTP operation the server refused (no such file, permission denied, …). */
export class SftpError extends SshError {
  constructor(what: string, reason: string) {
    super(SSH_ERRORS.describe('SFTP', what, reason));
  }
}

/** The file arrived, but its SHA-256 differs on the two sides. */
export class ChecksumMismatchError extends SshError {
  constructor(path: string, local: string, remote: string) {
    super(SSH_ERRORS.describe('CHECKSUM_MISMATCH', path, local, remote));
  }
}

/** An error of the service's HTTP API that carries no details of its own. */
export class JobRequestError extends SshError {
  constructor(
    name:
      | 'MALFORMED_TARGET'
      | 'NO_API_TOKEN'
      | 'UNAUTHORIZED'
      | 'NO_ROUTE'
      | 'METHOD_NOT_ALLOWED'
      | 'BAD_JOB_PATH',
  ) {
    super(SSH_ERRORS.describe(name));
  }
}

/** A host group or command the jobs file does not declare. */
export class UndeclaredError extends SshError {
  constructor(
    what: 'host group' | 'command',
    name: string,
    readonly declared: string[],
  ) {
    super(SSH_ERRORS.describe('UNDECLARED', what, name));
  }
}
