/**
 * Opening an authenticated SSH connection with ssh2. The TCP part goes through
 * @fopnp/net's connect, so refused ports, unknown names and timeouts come back as the
 * same error classes every other CLI prints.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { connect as tcpConnect } from '@fopnp/net';
import { Client, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import {
  AuthenticationError,
  ConnectionFailedError,
  HandshakeTimeoutError,
  InvalidArgumentError,
} from './errors.js';
import type { KnownHosts } from './known-hosts.js';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
}

export interface AuthOptions {
  /** Private key file (-i). */
  identityFile?: string;
  /** Passphrase for the key, from the environment (SSH_KEY_PASSPHRASE), never a flag. */
  passphrase?: string;
  /** ssh-agent socket; @default process.env.SSH_AUTH_SOCK */
  agent?: string;
  /** Password from the environment (SSH_PASSWORD), never a flag. */
  password?: string;
}

export interface ConnectOptions extends AuthOptions {
  knownHosts: KnownHosts;
  /** TCP connect + SSH handshake + auth. @default 10000 */
  timeoutMs?: number;
  /** Keepalive interval so a dead peer is noticed. @default 15000 */
  keepaliveMs?: number;
}

/** The remote user: the one asked for, else the local login name (as ssh does). */
export function defaultUser(user: string | undefined): string {
  return user ?? userInfo().username;
}

/** Parses `user@host:port`, `host:port`, `[v6]:port` or `host`. */
export function parseTarget(spec: string, defaults: { user: string; port: number }): SshTarget {
  let rest = spec;
  let user = defaults.user;
  const at = rest.lastIndexOf('@');
  if (at > 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let port = defaults.port;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) return { user, host: v6[1]!, port: v6[2] ? Number(v6[2]) : port };
  const colon = rest.lastIndexOf(':');
  if (colon > 0 && rest.indexOf(':') === colon) {
    port = Number(rest.slice(colon + 1));
    rest = rest.slice(0, colon);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidArgumentError(`bad port in "${spec}"`);
  return { user, host: rest, port };
}

/** ssh2's default host-key algorithms, in its order of preference. */
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** The algorithms with the known key types first (an ssh-rsa key signs as rsa-sha2-* too). */
export function hostKeyAlgorithms(knownTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const preferred = HOST_KEY_ALGORITHMS.filter((a) =>
    knownTypes.some((t) => t === a || (t === 'ssh-rsa' && a.startsWith('rsa-sha2-'))),
  );
  return [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))];
}

/** The key type is the first string inside the SSH public-key blob. */
function keyTypeOf(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString();
}

export async function openSsh(target: SshTarget, options: ConnectOptions): Promise<Client> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const knownTypes = options.knownHosts.knownKeyTypes(target.host, target.port);
  const sock = await tcpConnect(target.host, target.port, { timeoutMs });
  const client = new Client();
  let hostKeyError: Error | undefined;
  const methods: string[] = [];
  const config: ConnectConfig = {
    sock,
    username: target.user,
    readyTimeout: timeoutMs,
    keepaliveInterval: options.keepaliveMs ?? 15_000,
    hostVerifier: (key: Buffer) => {
      try {
        options.knownHosts.verify(target.host, target.port, keyTypeOf(key), key.toString('base64'));
        return true;
      } catch (err) {
        hostKeyError = err as Error;
        return false;
      }
    },
  };
  if (knownTypes.length > 0) config.algorithms = { serverHostKey: hostKeyAlgorithms(knownTypes) };
  if (options.identityFile) {
    try {
      config.privateKey = readFileSync(options.identityFile);
    } catch (err) {
      sock.destroy();
      throw new InvalidArgumentError(
        `cannot read identity file ${options.identityFile}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
    if (options.passphrase) config.passphrase = options.passphrase;
    methods.push('publickey');
  }
  const agent = options.agent ?? process.env.SSH_AUTH_SOCK;
  if (agent) {
    config.agent = agent;
    methods.push('agent');
  }
  if (options.password) {
    config.password = options.password;
    methods.push('password');
  }
  return new Promise((resolve, reject) => {
    client.once('ready', () => {
      client.removeAllListeners('error');
      client.on('error', () => {}); // later errors surface on channels
      resolve(client);
    });
    client.once('error', (err: Error & { level?: string }) => {
      sock.destroy();
      if (hostKeyError) reject(hostKeyError);
      else if (err.level === 'client-authentication')
        reject(new AuthenticationError(target.user, target.host, methods.join(', ') || 'none'));
      else if (err.level === 'client-timeout')
        reject(new HandshakeTimeoutError(`${target.host}:${target.port}`, timeoutMs));
      else reject(new ConnectionFailedError(`${target.host}:${target.port}`, err.message, { cause: err }));
    });
    try {
      client.connect(config);
    } catch (err) {
      sock.destroy();
      const message = (err as Error).message;
      // ssh2 says "Encrypted private OpenSSH key detected, but no passphrase given" (or
      // that it cannot decrypt): name the one place a passphrase comes from.
      const hint = /passphrase|decrypt/i.test(message)
        ? ' (the passphrase comes from SSH_KEY_PASSPHRASE)'
        : '';
      reject(new InvalidArgumentError(`cannot use the SSH options: ${message}${hint}`));
    }
  });
}
