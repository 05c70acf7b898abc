/**
 * ssh-runner's own errors. Network failures (refused, unresolvable, timeouts) use the
 * shared classes from @fopnp/net; these are the SSH-specific ones.
 */
import { NetError } from '@fopnp/net';

export class SshError extends NetError {}

/** The server's key is not in known_hosts and the policy is strict (OpenSSH's default). */
export class UnknownHostKeyError extends SshError {
  constructor(
    readonly host: string,
    keyType: string,
    readonly fingerprint: string,
    knownHosts: string,
  ) {
    super(
      'FOPNP_ERR_NETWORK',
      `host key for ${host} is not known (${keyType} ${fingerprint}); refusing to connect. ` +
        `Check the fingerprint out of band, then add it to ${knownHosts} or rerun with --host-key-policy accept-new`,
    );
  }
}

/** The server presented a different key than known_hosts holds: possibly a man in the middle. */
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
      'FOPNP_ERR_NETWORK',
      kind === 'revoked'
        ? `host key for ${host} (${keyType} ${fingerprint}) is marked as revoked in ${knownHosts}; refusing to connect`
        : [
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
    super(
      'FOPNP_ERR_NETWORK',
      `authentication failed for ${user}@${host} (tried: ${methods}): check the key (-i), ssh-agent, or SSH_PASSWORD`,
    );
  }
}

/** The remote command ran past its time limit and was killed. */
export class CommandTimeoutError extends SshError {
  constructor(
    readonly host: string,
    readonly seconds: number,
  ) {
    super('FOPNP_ERR_TIMEOUT', `command on ${host} still running after ${seconds} s: killed it`);
  }
}
