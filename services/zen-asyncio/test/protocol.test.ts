import { describe, expect, it } from 'vitest';
import { APHORISMS, answerFor, REPLIES, sampleQuestions } from '../src/index.js';

const ask = (q: string) => answerFor(Buffer.from(q, 'latin1'));

describe('the Zen protocol', () => {
  it('answers the book’s three aphorisms as zen_utils.py does', () => {
    expect(ask('Beautiful is better than?').bytes.toString()).toBe('Ugly.');
    expect(ask('Explicit is better than?').bytes.toString()).toBe('Implicit.');
    expect(ask('Simple is better than?').bytes.toString()).toBe('Complex.');
  });

  it('carries every comparative of the Zen of Python, each answer ending in a single full stop', () => {
    const pep20 = [
      ['Complex is better than?', 'Complicated.'],
      ['Flat is better than?', 'Nested.'],
      ['Sparse is better than?', 'Dense.'],
      ['Practicality beats?', 'Purity.'],
      ['Now is better than?', 'Never.'],
      ['Although never is often better than?', 'Right now.'],
    ];
    for (const [q, a] of pep20) expect(ask(q!).bytes.toString()).toBe(a);
    expect(APHORISMS).toHaveLength(9);
    for (const [q, a] of APHORISMS) {
      expect(q.indexOf('?')).toBe(q.length - 1);
      expect(a.indexOf('.')).toBe(a.length - 1);
      expect(ask(q).known).toBe(true);
    }
  });

  it('calls anything else an unknown aphorism, including a question with different case', () => {
    expect(ask('Ugly is better than?')).toMatchObject({ known: false });
    expect(ask('beautiful is better than?').bytes.toString()).toBe(REPLIES.unknown);
  });

  it('ignores whitespace before a question, as typed one per line into nc', () => {
    expect(ask('\r\nFlat is better than?').bytes.toString()).toBe('Nested.');
  });

  it('samples distinct questions like random.sample', () => {
    const three = sampleQuestions(3);
    expect(new Set(three).size).toBe(3);
    expect(() => sampleQuestions(10)).toThrow(/only 9 questions/);
  });

  it('keeps every error reply to one sentence ending in its only full stop', () => {
    for (const reply of [REPLIES.unknown, REPLIES.tooLong(4096), REPLIES.busy]) {
      expect(reply.indexOf('.')).toBe(reply.length - 1);
    }
  });
});
