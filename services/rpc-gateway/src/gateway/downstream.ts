/**
 * One downstream service as the gateway sees it: a name, an address, a per-call timeout
 * and a circuit breaker (cockatiel: well kept, typed, and its breaker counts timeouts as
 * failures when the timeout policy is wrapped inside it). Every failure leaves here as a
 * ServiceError that names the service and its address.
 */
import { classifyError, type Logger, NetError, TimeoutError } from '@fopnp/net';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { DEFAULT_BREAKER } from '../config.js';
import { RPC_ERRORS, ServiceError } from '../errors.js';

export interface BreakerOptions {
  /** Per-call deadline in ms, connection included. @default DEFAULT_BREAKER.timeoutMs (2000) */
  timeoutMs?: number;
  /** Consecutive failures that open the circuit. @default DEFAULT_BREAKER.failureThreshold (5) */
  failureThreshold?: number;
  /** Time the circuit stays open before one trial call is let through. @default DEFAULT_BREAKER.resetAfterMs (10000) */
  resetAfterMs?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

export class Downstream {
  readonly timeoutMs: number;
  private readonly breaker;
  private readonly policy;
  private stateListeners: ((state: BreakerState) => void)[] = [];

  constructor(
    /** The compose service name, used in every error: "zen-asyncio". */
    readonly service: string,
    /** Where it is looked for: "zen-asyncio:1061" or a URL. */
    readonly target: string,
    options: BreakerOptions = {},
    private readonly logger?: Logger,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_BREAKER.timeoutMs;
    // A service that answers "no" to a bad request is healthy: only transport failures,
    // timeouts and broken replies count against the breaker.
    this.breaker = circuitBreaker(
      handleWhen((err) => !(err instanceof ServiceError && err.code === RPC_ERRORS.codes.SERVICE_REJECTED)),
      {
        halfOpenAfter: options.resetAfterMs ?? DEFAULT_BREAKER.resetAfterMs,
        breaker: new ConsecutiveBreaker(options.failureThreshold ?? DEFAULT_BREAKER.failureThreshold),
      },
    );
    this.breaker.onStateChange((s) => {
      const state = STATE_NAMES[s];
      this.logger?.warn({ service: this.service, target: this.target, state }, `circuit ${state}`);
      for (const l of this.stateListeners) l(state);
    });
    this.policy = wrap(this.breaker, timeout(this.timeoutMs, TimeoutStrategy.Aggressive));
  }

  get state(): BreakerState {
    return STATE_NAMES[this.breaker.state];
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.stateListeners.push(listener);
  }

  /**
   * Runs one call: `fn` gets an AbortSignal that fires at the deadline (close sockets on
   * it). Resolves with its result or rejects with a ServiceError.
   */
  async call<T>(what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(({ signal }) => fn(signal));
    } catch (err) {
      throw this.explain(what, err);
    }
  }

  private explain(what: string, err: unknown): ServiceError {
    if (err instanceof ServiceError) return err;
    if (err instanceof BrokenCircuitError) {
      return new ServiceError(
        'CIRCUIT_OPEN',
        this.service,
        this.target,
        `circuit open after repeated failures; not calling ${what} until a trial call succeeds`,
        { cause: err },
      );
    }
    if (err instanceof TaskCancelledError || err instanceof TimeoutError) {
      return new ServiceError(
        'SERVICE_TIMEOUT',
        this.service,
        this.target,
        `${what} did not complete within ${this.timeoutMs} ms`,
        { cause: err },
      );
    }
    const classified = err instanceof NetError ? err : classifyError(err, this.target);
    return new ServiceError('SERVICE_UNAVAILABLE', this.service, this.target, classified.message, {
      cause: err,
    });
  }
}
