/**
 * The library's defaults, declared once and dependency-free: createRpcServer, the Gateway and
 * each Downstream fall back to them, and the option specs in manifest.ts (so --help, compose
 * and k8s) reference them (zen-asyncio's config.ts is the model).
 * The other services' ports come from their dependency-free `./protocol` exports.
 */
import { FAREWELL_PORT } from '@fopnp/tcp-farewell/protocol';
import { ZEN_PORT } from '@fopnp/zen-asyncio/protocol';

/** Defaults of createRpcServer's options. */
export const DEFAULT_SERVER_OPTIONS = {
  /** Write None as <nil/> (Python's allow_none). */
  allowNone: true,
  /** Largest request body in bytes (1 MiB). */
  maxBodyBytes: 1024 * 1024,
  /** Deepest XML element nesting. */
  maxDepth: 64,
  /** Methods anonymous callers may use when tokens are configured. */
  publicMethods: ['system.*'] as readonly string[],
  /** Serve the JSON-RPC specification's example methods. */
  specExamples: true,
} as const;

/** Where the gateway finds the other services: their compose service names and ports. */
export const DEFAULT_GATEWAY_CONFIG = {
  zenAddress: `zen-asyncio:${ZEN_PORT}`,
  farewellAddress: `tcp-farewell:${FAREWELL_PORT}`,
  cacheUrl: 'http://redis-cache:8005',
  tlsInspectorUrl: 'http://tls-inspector:8003',
  amqpUrl: 'amqp://guest:guest@rabbitmq:5672',
  /** Exchange queue.publish publishes to (declared durable, topic). */
  queueExchange: 'fopnp.gateway',
} as const;

/** Defaults of each downstream's timeout and circuit breaker. */
export const DEFAULT_BREAKER = {
  /** Per-call deadline in ms, connection included. */
  timeoutMs: 2_000,
  /** Consecutive failures that open the circuit. */
  failureThreshold: 5,
  /** Time the circuit stays open before one trial call is let through. */
  resetAfterMs: 10_000,
} as const;
