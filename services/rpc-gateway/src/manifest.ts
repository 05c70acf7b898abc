import { defineOptions, defineService, httpLimitOptions, serviceOptions } from '@fopnp/net/cli';
import { DEFAULT_BREAKER, DEFAULT_GATEWAY_CONFIG, DEFAULT_SERVER_OPTIONS } from './config.js';

/** Options of the RPC server itself (also used by the book's `server` command). */
export const rpcOptions = defineOptions({
  allowNone: {
    type: 'boolean',
    env: 'ALLOW_NONE',
    default: DEFAULT_SERVER_OPTIONS.allowNone,
    description:
      "send null as XML-RPC <nil/> (Python's allow_none; its SimpleXMLRPCServer defaults to false)",
  },
  maxBodyBytes: {
    type: 'int',
    env: 'MAX_BODY_BYTES',
    default: DEFAULT_SERVER_OPTIONS.maxBodyBytes,
    min: 1024,
    description: 'largest request body accepted; bigger ones get HTTP 413 and a fault / error',
  },
  maxDepth: {
    type: 'int',
    env: 'MAX_XML_DEPTH',
    default: DEFAULT_SERVER_OPTIONS.maxDepth,
    min: 8,
    max: 1000,
    description: 'deepest XML element nesting accepted in an XML-RPC request',
  },
  authTokens: {
    type: 'list',
    env: 'AUTH_TOKENS',
    description:
      'bearer tokens with their allowed methods, TOKEN=METHOD|PREFIX* (comma-separated); none = no auth',
  },
  publicMethods: {
    type: 'list',
    env: 'PUBLIC_METHODS',
    default: [...DEFAULT_SERVER_OPTIONS.publicMethods],
    description: 'methods callable without a token when AUTH_TOKENS is set',
  },
  specExamples: {
    type: 'boolean',
    env: 'JSONRPC_SPEC_EXAMPLES',
    default: DEFAULT_SERVER_OPTIONS.specExamples,
    description: "serve the JSON-RPC 2.0 specification's example methods (subtract, sum, get_data, ...)",
  },
});

/** Where the gateway finds the other services (compose service names by default). */
export const gatewayOptions = defineOptions({
  gateway: {
    type: 'boolean',
    env: 'GATEWAY',
    default: true,
    description: 'serve the gateway methods (zen.ask, cache.*, queue.publish, tls.inspect, farewell)',
  },
  zenAddress: {
    type: 'string',
    env: 'ZEN_ADDRESS',
    default: DEFAULT_GATEWAY_CONFIG.zenAddress,
    description: "zen-asyncio's TCP address (host:port)",
  },
  farewellAddress: {
    type: 'string',
    env: 'FAREWELL_ADDRESS',
    default: DEFAULT_GATEWAY_CONFIG.farewellAddress,
    description: "tcp-farewell's TCP address (host:port)",
  },
  cacheUrl: {
    type: 'string',
    env: 'CACHE_URL',
    default: DEFAULT_GATEWAY_CONFIG.cacheUrl,
    description: "redis-cache's HTTP base URL",
  },
  tlsInspectorUrl: {
    type: 'string',
    env: 'TLS_INSPECTOR_URL',
    default: DEFAULT_GATEWAY_CONFIG.tlsInspectorUrl,
    description: "tls-inspector's HTTP base URL",
  },
  amqpUrl: {
    type: 'string',
    env: 'AMQP_URL',
    default: DEFAULT_GATEWAY_CONFIG.amqpUrl,
    description: 'RabbitMQ URL for queue.publish',
  },
  queueExchange: {
    type: 'string',
    env: 'QUEUE_EXCHANGE',
    default: DEFAULT_GATEWAY_CONFIG.queueExchange,
    description: 'exchange queue.publish publishes to (declared durable, type topic)',
  },
  callTimeoutMs: {
    type: 'int',
    env: 'CALL_TIMEOUT_MS',
    default: DEFAULT_BREAKER.timeoutMs,
    min: 1,
    description: 'deadline of one downstream call, connecting included',
  },
  breakerFailures: {
    type: 'int',
    env: 'BREAKER_FAILURES',
    default: DEFAULT_BREAKER.failureThreshold,
    min: 1,
    description: 'consecutive failures of a downstream service that open its circuit breaker',
  },
  breakerResetMs: {
    type: 'int',
    env: 'BREAKER_RESET_MS',
    default: DEFAULT_BREAKER.resetAfterMs,
    min: 1,
    description: 'how long an open circuit fails calls at once before letting a trial call through',
  },
});

/** rpc-gateway declared once: the CLI, `serve`, compose and k8s all read this. */
export const manifest = defineService({
  name: 'rpc-gateway',
  chapter: '18',
  description:
    'XML-RPC (POST /RPC2) and JSON-RPC 2.0 (POST /jsonrpc) with the book functions, and a gateway to the other services',
  command: ['serve'],
  ports: [{ name: 'rpc', protocol: 'tcp', option: 'port', public: true }],
  // Only queue.publish needs the broker; every other method works without it.
  needs: ['rabbitmq'],
  options: {
    host: {
      type: 'string',
      env: 'HOST',
      default: '0.0.0.0',
      description: 'address the RPC port binds',
    },
    port: {
      type: 'port',
      env: 'PORT',
      short: 'p',
      default: 7001,
      description: 'HTTP port of XML-RPC (/RPC2) and JSON-RPC (/jsonrpc)',
    },
    ...rpcOptions,
    ...gatewayOptions,
    ...serviceOptions(9108),
    ...httpLimitOptions(),
  },
  calls: [
    { service: 'zen-asyncio', port: 'zen', option: 'zenAddress' },
    { service: 'tcp-farewell', port: 'farewell', option: 'farewellAddress' },
    { service: 'redis-cache', port: 'http', option: 'cacheUrl' },
    { service: 'tls-inspector', port: 'http', option: 'tlsInspectorUrl' },
  ],
  deploy: {
    stateless: true,
    env: {
      // Published, the gateway is a way into every service behind it (tls.inspect probes
      // whatever tls-inspector may reach): anonymous callers get PUBLIC_METHODS only.
      AUTH_TOKENS: {
        value: 'dev-only-gateway-token-change-me=*',
        why: 'published, so never without tokens: anonymous callers get PUBLIC_METHODS only (dev value; k8s reads a Secret)',
      },
    },
  },
});
