/**
 * Coded errors of zen-asyncio (the shared network errors come from @fopnp/net). Each
 * message says what happened and what to do about it.
 */

export const ZEN_ERROR_CODES = {
  ZEN_ERR_SERVER_BUSY: 'ZEN_ERR_SERVER_BUSY',
} as const;
export type ZenErrorCode = keyof typeof ZEN_ERROR_CODES;

export class ZenError extends Error {
  /** Exit code for a CLI that stops on this error. */
  readonly exitCode: number = 1;
  constructor(
    readonly code: ZenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server answered with its busy reply: it is at its connection limit. */
export class ServerBusyError extends ZenError {
  constructor(readonly target: string) {
    super(
      'ZEN_ERR_SERVER_BUSY',
      `server ${target} is at its connection limit and refused us: try again later, or raise its --max-connections`,
    );
  }
}
