/**
 * The wire format of tcp_deadlock.py (book ch. 3): the client streams the 16-byte phrase
 * over and over, the server sends every byte back upper-cased. No framing: the reply is
 * as long as the request, which is what lets both sides fill their buffers.
 */

export const PHRASE: Buffer = Buffer.from('capitalize this!', 'ascii');
export const CAPITALIZED_PHRASE: Buffer = Buffer.from('CAPITALIZE THIS!', 'ascii');

/** How much of the repeated phrase the clients hand to one write. */
export const BLOCK_BYTES = 64 * 1024;

const phraseBlock = Buffer.alloc(BLOCK_BYTES, PHRASE);
const capitalizedBlock = Buffer.alloc(BLOCK_BYTES + CAPITALIZED_PHRASE.length, CAPITALIZED_PHRASE);

/** Rounds a byte count up to whole phrases, as the book's client does. */
export function roundToPhrases(bytecount: number): number {
  return Math.ceil(bytecount / PHRASE.length) * PHRASE.length;
}

/** The first `length` (at most BLOCK_BYTES) bytes of the repeated phrase. */
export function phraseBytes(length: number): Buffer {
  return phraseBlock.subarray(0, length);
}

/** ASCII upper-casing; other bytes pass unchanged (the book's server would crash on them). */
export function capitalize(data: Buffer): Buffer {
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i++) {
    const byte = out[i]!;
    if (byte >= 0x61 && byte <= 0x7a) out[i] = byte - 0x20;
  }
  return out;
}

/** Whether `chunk`, found at stream offset `offset`, is the capitalized phrase stream. */
export function isCapitalizedAt(chunk: Buffer, offset: number): boolean {
  for (let done = 0; done < chunk.length; done += BLOCK_BYTES) {
    const piece = chunk.subarray(done, done + BLOCK_BYTES);
    const start = (offset + done) % CAPITALIZED_PHRASE.length;
    if (!piece.equals(capitalizedBlock.subarray(start, start + piece.length))) return false;
  }
  return true;
}
