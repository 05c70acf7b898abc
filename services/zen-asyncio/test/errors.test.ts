import { describe, expect, it } from 'vitest';
import { ServerBusyError, ZEN_ERROR_CODES } from '../src/index.js';

describe('coded errors', () => {
  it('has unique codes, each equal to its key', () => {
    for (const [key, code] of Object.entries(ZEN_ERROR_CODES)) expect(code).toBe(key);
    expect(new Set(Object.values(ZEN_ERROR_CODES)).size).toBe(Object.keys(ZEN_ERROR_CODES).length);
  });

  it('tells the user of a busy server what to do', () => {
    const err = new ServerBusyError('example.org:1060');
    expect(err).toMatchObject({ code: 'ZEN_ERR_SERVER_BUSY', exitCode: 1, name: 'ServerBusyError' });
    expect(err.message).toMatch(/try again later, or raise its --max-connections$/);
  });
});
