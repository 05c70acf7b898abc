/**
 * The Zen protocol of ch. 7 (`zen_utils.py`): the client sends a question ending in `?`
 * (`Beautiful is better than?`), the server answers with a sentence ending in `.`
 * (`Ugly.`). A connection carries any number of questions, and questions may arrive
 * pipelined back to back in one segment or split across many: `?` is the only boundary.
 */

/** Byte that ends every question. */
export const QUESTION_END = '?';
/** Byte that ends every answer (the book's client reads until it). */
export const ANSWER_END = '.';

/** The port the long-running service listens on (its manifest's default; clients such as rpc-gateway address it there). */
export const ZEN_PORT = 1061;

/** Longest question accepted, in bytes before the `?`. @default 4096 */
export const DEFAULT_MAX_QUESTION_BYTES = 4096;

/**
 * Every comparative of the Zen of Python (PEP 20), put as the book does: the first half
 * as the question, the second half as the answer. The book carries only the first three.
 */
export const APHORISMS: ReadonlyArray<readonly [question: string, answer: string]> = [
  ['Beautiful is better than?', 'Ugly.'],
  ['Explicit is better than?', 'Implicit.'],
  ['Simple is better than?', 'Complex.'],
  ['Complex is better than?', 'Complicated.'],
  ['Flat is better than?', 'Nested.'],
  ['Sparse is better than?', 'Dense.'],
  ['Practicality beats?', 'Purity.'],
  ['Now is better than?', 'Never.'],
  ['Although never is often better than?', 'Right now.'],
];

/** The error replies, each one sentence ending in `.` so a client reading to `.` stops. */
export const REPLIES = {
  unknown: 'Error: unknown aphorism.',
  tooLong: (limit: number) => `Error: question longer than ${limit} bytes without a question mark, closing.`,
  questionTimeout: (ms: number) => `Error: question not completed within ${ms} ms, closing.`,
  busy: 'Error: server busy (connection limit reached), try again later.',
} as const;

export interface Answer {
  /** The reply bytes, shared constants: never mutate. */
  bytes: Buffer;
  /** The same reply as a string (latin1), for joining several answers into one write. */
  text: string;
  known: boolean;
}

const KNOWN = new Map<string, Answer>(
  APHORISMS.map(([q, a]) => [q, { bytes: Buffer.from(a, 'latin1'), text: a, known: true }]),
);
const UNKNOWN: Answer = {
  bytes: Buffer.from(REPLIES.unknown, 'latin1'),
  text: REPLIES.unknown,
  known: false,
};

/**
 * The answer to one question (its bytes including the `?`). Leading whitespace is
 * ignored so that a person typing questions into `nc` or `socat`, one per line, is
 * understood; the book's server compares the raw bytes and would call those unknown.
 */
export function answerFor(question: Buffer): Answer {
  return answerForText(question.toString('latin1'));
}

/** answerFor of a question already decoded as latin1 (one character a byte). */
export function answerForText(question: string): Answer {
  let text = question;
  const first = text.charCodeAt(0);
  if (first === 0x20 || first === 0x0a || first === 0x0d || first === 0x09) text = text.trimStart();
  return KNOWN.get(text) ?? UNKNOWN;
}

/**
 * How many of APHORISMS the book's `zen_utils.py` knows (the first ones): its servers
 * answer anything else `Error: unknown aphorism.`, so our client asks only these unless
 * told the server is ours.
 */
export const BOOK_APHORISM_COUNT = 3;

/** The questions the server knows, in the book's order (`book`: only the book's three). */
export function questions(set: 'all' | 'book' = 'all'): string[] {
  const known = set === 'book' ? APHORISMS.slice(0, BOOK_APHORISM_COUNT) : APHORISMS;
  return known.map(([q]) => q);
}

/**
 * Picks `n` distinct questions at random (the book's `random.sample(aphorisms, 3)`), from
 * every comparative or (`set: 'book'`) from the book's three.
 */
export function sampleQuestions(
  n: number,
  random: () => number = Math.random,
  set: 'all' | 'book' = 'all',
): string[] {
  const pool = questions(set);
  if (n > pool.length) throw new RangeError(`only ${pool.length} questions are known, asked for ${n}`);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}
