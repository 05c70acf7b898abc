import { describe, expect, it } from 'vitest';
import { ServerBusyError, ZEN_ERRORS } from '../src/index.js';

describe('coded errors', () => {
  it('has unique codes, each equal to its key', () => {
    for (const [key, code] of Object.entries(ZEN_ERRORS.codes))
      expect(code).toBe(`FOPNP_ZEN_ASYNCIO_ERR_${key}`);
    expect(new Set(Object.values(ZEN_ERRORS.codes)).size).toBe(Object.keys(ZEN_ERRORS.codes).length);
  });

  it('tells the user of a busy server what to do', () => {
    const err = new ServerBusyError('example.org:1060');
    expect(err).toMatchObject({
      code: 'FOPNP_ZEN_ASYNCIO_ERR_SERVER_BUSY',
      exitCode: 1,
      name: 'ServerBusyError',
    });
    expect(err.message).toMatch(/try again later, or raise its --max-connections$/);
  });
});
