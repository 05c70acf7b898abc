/**
 * Coded errors of zen-asyncio (the shared network errors come from @fopnp/net). Each
 * message says what happened and what to do about it.
 */
import { defineErrors, NetError } from '@fopnp/net';

export const ZEN_ERRORS = defineErrors('zen-asyncio', {
  SERVER_BUSY: {
    statusCode: 503,
    message: (target: string) =>
      `server ${target} is at its connection limit and refused us: try again later, or raise its --max-connections`,
  },
});
export type ZenErrorCode = (typeof ZEN_ERRORS.codes)[keyof typeof ZEN_ERRORS.codes];

/** Base of zen-asyncio's own errors. */
export class ZenError extends NetError {}

/** The server answered with its busy reply: it is at its connection limit. */
export class ServerBusyError extends ZenError {
  constructor(readonly target: string) {
    super(ZEN_ERRORS.describe('SERVER_BUSY', target));
  }
}
