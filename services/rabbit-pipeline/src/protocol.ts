/**
 * The wire format of queuepi.py's messages, kept as the book has them where it can be:
 * a point is a string of 2·B binary digits (B = 32), its coordinates interleaved (even
 * digits are x, odd digits are y); a decision is "Y" or "N". The sum-of-squares request
 * is JSON, like the book's send_json, with the numbers as decimal strings because
 * 32-bit squares pass 2^53, past what a JSON number keeps exactly.
 */
import { randomBytes } from 'node:crypto';
import { MalformedMessageError } from './errors.js';

/**
 * Largest body a consumer reads by default (MAX_MESSAGE_BYTES): a point is 64 bytes, a
 * decision 1, a sum-of-squares request or reply under 100. With the default prefetch of 64
 * a queue's consumer holds at most 4 MiB of bodies.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/** Bits of precision in each coordinate (the book's B). */
export const B = 32;
const POINT_PATTERN = new RegExp(`^[01]{${2 * B}}$`);

/** `digits` random binary digits, as the book's ones_and_zeros(). */
export function onesAndZeros(digits = 2 * B): string {
  const bytes = randomBytes(Math.ceil(digits / 8));
  let out = '';
  for (const byte of bytes) out += byte.toString(2).padStart(8, '0');
  return out.slice(0, digits);
}

/** The topic routing key of a point: its first two bits as words ("0.1"). */
export function routingKeyOf(bits: string): string {
  return `${bits[0]}.${bits[1]}`;
}

export function parsePoint(body: Buffer, queue: string): string {
  const bits = body.toString('latin1');
  if (!POINT_PATTERN.test(bits)) {
    throw new MalformedMessageError(
      queue,
      `expected ${2 * B} binary digits, got ${JSON.stringify(bits.slice(0, 40))}${bits.length > 40 ? '…' : ''} (${body.length} bytes)`,
    );
  }
  return bits;
}

/** Splits interleaved digits into the coordinates (the book's bits[::2], bits[1::2]). */
export function coordinates(bits: string): [bigint, bigint] {
  let x = '';
  let y = '';
  for (let i = 0; i < bits.length; i += 2) {
    x += bits[i];
    y += bits[i + 1];
  }
  return [BigInt(`0b${x}`), BigInt(`0b${y}`)];
}

/** A point is inside the quarter circle when x² + y² < (2^B)². */
export function isInside(sumOfSquares: bigint, bits = B): boolean {
  return sumOfSquares < 1n << BigInt(2 * bits);
}

export type Decision = 'Y' | 'N';

export function parseDecision(body: Buffer, queue: string): Decision {
  const s = body.toString('latin1');
  if (s === 'Y' || s === 'N') return s;
  throw new MalformedMessageError(
    queue,
    `expected "Y" or "N", got ${JSON.stringify(s.slice(0, 40))} (${body.length} bytes)`,
  );
}

export function encodeSumRequest(numbers: readonly bigint[]): Buffer {
  return Buffer.from(JSON.stringify(numbers.map(String)));
}

export function parseSumRequest(body: Buffer, queue: string): bigint[] {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new MalformedMessageError(queue, `request is not JSON (${body.length} bytes)`);
  }
  if (!Array.isArray(value) || value.length > 16 || !value.every((v) => /^-?\d{1,40}$/.test(String(v)))) {
    throw new MalformedMessageError(queue, 'expected a JSON array of up to 16 integers as decimal strings');
  }
  return value.map((v) => BigInt(String(v)));
}

/** The pythagoras reply: the sum of squares, or why the request was refused. */
export type SumReply = { sum: string } | { error: string };

export function sumOfSquares(numbers: readonly bigint[]): bigint {
  return numbers.reduce((acc, n) => acc + n * n, 0n);
}

export function parseSumReply(body: Buffer): bigint {
  const reply = JSON.parse(body.toString('utf8')) as SumReply;
  if ('error' in reply) throw new Error(`pythagoras refused the request: ${reply.error}`);
  return BigInt(reply.sum);
}
