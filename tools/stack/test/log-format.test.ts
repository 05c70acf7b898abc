import { describe, expect, it } from 'vitest';
import { defaultLogFormat, formatLine, useColor } from '../src/log-format.js';

const line = JSON.stringify({
  level: 'warn',
  time: '2026-12-06T23:40:19.499Z',
  service: 'rabbit-pipeline',
  name: 'rabbit-pipeline',
  role: 'judge',
  msg: 'broker connection lost',
  detail: 'amqp://guest:***@127.0.0.1:5672',
  attempt: 2,
});

describe("the stack's log lines", () => {
  it('turn a pino JSON line into time, level, message and key=value, with the role for the prefix', () => {
    expect(formatLine(line, false)).toEqual({
      text: '23:40:19.499 WARN  broker connection lost detail=amqp://guest:***@127.0.0.1:5672 attempt=2',
      role: 'judge',
    });
    expect(formatLine(line, true).text).toContain('\x1b[33mWARN \x1b[0m');
  });

  it('leave anything that is not a pino line as it is', () => {
    expect(formatLine('plain text', false)).toEqual({ text: 'plain text' });
    expect(formatLine('{not json', false)).toEqual({ text: '{not json' });
  });

  it('are readable on a terminal and JSON otherwise; NO_COLOR turns colours off', () => {
    expect(defaultLogFormat(true)).toBe('pretty');
    expect(defaultLogFormat(false)).toBe('json');
    expect(useColor(true, {})).toBe(true);
    expect(useColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(false, {})).toBe(false);
  });
});
