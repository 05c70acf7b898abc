/** The one error of this service's own: the request/reply client gave up. */
import { TimeoutError } from '@fopnp/net';

/** No reply after every retransmission (udp_remote.py's "I think the server is down"). */
export class NoReplyError extends TimeoutError {
  constructor(
    readonly target: string,
    readonly waitsMs: readonly number[],
  ) {
    const totalMs = waitsMs.reduce((a, b) => a + b, 0);
    super(`request to ${target}`, totalMs);
    const waits = waitsMs.map((ms) => `${ms / 1000}`).join(', ');
    this.message =
      `no reply from ${target} after ${waitsMs.length} attempts over ${totalMs / 1000} s ` +
      `(waited ${waits} s): I think the server is down`;
  }
}
