/**
 * The gateway methods: RPC calls that reach the other fopnp services over their own
 * protocols. Each downstream has its own timeout and circuit breaker (downstream.ts), and
 * every failure reaches the caller as a fault / error naming the service.
 */
import { InvalidConfigError, type Logger } from '@fopnp/net';
import { FAREWELL_PORT } from '@fopnp/tcp-farewell/protocol';
import { DEFAULT_MAX_QUESTION_BYTES, ZEN_PORT } from '@fopnp/zen-asyncio/protocol';
import { InvalidParamsError } from '../errors.js';
import type { RpcMethod } from '../methods.js';
import { AmqpPublisher, amqpTarget } from './amqp.js';
import { cacheGet, cacheSet } from './cache.js';
import { type BreakerOptions, type BreakerState, Downstream } from './downstream.js';
import { askZen, parseHostPort, sayFarewell, type TcpAddress } from './tcp.js';
import { tlsInspect } from './tls.js';

/** Where the downstream services are; DEFAULT_GATEWAY_CONFIG (config.ts) holds the defaults. */
export interface GatewayConfig {
  /** zen-asyncio's TCP address. */
  zenAddress: string;
  /** tcp-farewell's TCP address. */
  farewellAddress: string;
  /** redis-cache's HTTP base URL. */
  cacheUrl: string;
  /** tls-inspector's HTTP base URL. */
  tlsInspectorUrl: string;
  /** RabbitMQ. */
  amqpUrl: string;
  /** Exchange queue.publish publishes to (declared durable, topic). */
  queueExchange: string;
  breaker: BreakerOptions;
}

export class Gateway {
  readonly downstreams: Record<'zen' | 'cache' | 'queue' | 'tls' | 'farewell', Downstream>;
  private readonly zenAddr: TcpAddress;
  private readonly farewellAddr: TcpAddress;
  private readonly cacheBase: URL;
  private readonly tlsBase: URL;
  private readonly publisher: AmqpPublisher;

  constructor(
    private readonly config: GatewayConfig,
    logger?: Logger,
  ) {
    this.zenAddr = checked('ZEN_ADDRESS', () => parseHostPort(config.zenAddress, ZEN_PORT));
    this.farewellAddr = checked('FAREWELL_ADDRESS', () =>
      parseHostPort(config.farewellAddress, FAREWELL_PORT),
    );
    this.cacheBase = checked('CACHE_URL', () => httpUrl(config.cacheUrl));
    this.tlsBase = checked('TLS_INSPECTOR_URL', () => httpUrl(config.tlsInspectorUrl));
    checked('AMQP_URL', () => {
      if (!/^amqps?:$/.test(new URL(config.amqpUrl).protocol))
        throw new Error('expected amqp://user:pass@host:port');
    });
    const b = config.breaker;
    this.downstreams = {
      zen: new Downstream('zen-asyncio', config.zenAddress, b, logger),
      cache: new Downstream('redis-cache', this.cacheBase.host, b, logger),
      queue: new Downstream('rabbitmq', amqpTarget(config.amqpUrl), b, logger),
      tls: new Downstream('tls-inspector', this.tlsBase.host, b, logger),
      farewell: new Downstream('tcp-farewell', config.farewellAddress, b, logger),
    };
    this.publisher = new AmqpPublisher(
      this.downstreams.queue,
      { url: config.amqpUrl, exchange: config.queueExchange },
      logger,
    );
  }

  /** Each downstream's circuit state, for gateway.status and readiness. */
  states(): Record<string, { target: string; circuit: BreakerState }> {
    return Object.fromEntries(
      Object.values(this.downstreams).map((d) => [d.service, { target: d.target, circuit: d.state }]),
    );
  }

  async close(): Promise<void> {
    await this.publisher.close();
  }

  /** The methods, as declared to both protocols. */
  methods(): RpcMethod[] {
    return [
      {
        name: 'zen.ask',
        help: 'Ask zen-asyncio a Zen of Python question ending in \'?\' ("Beautiful is better than?"); returns its answer ("Ugly.").',
        params: [{ name: 'question', type: 'string' }],
        returns: 'string',
        call: ([question]) => {
          const q = question as string;
          if (!q.endsWith('?') || q.indexOf('?') !== q.length - 1)
            throw new InvalidParamsError("zen.ask(question): a question ends with its only '?'");
          if (Buffer.byteLength(q, 'latin1') > DEFAULT_MAX_QUESTION_BYTES || /[^\x00-\xff]/.test(q))
            throw new InvalidParamsError(
              `zen.ask(question): at most ${DEFAULT_MAX_QUESTION_BYTES} Latin-1 characters`,
            );
          return askZen(this.downstreams.zen, this.zenAddr, q);
        },
      },
      {
        name: 'farewell',
        help: "tcp_sixteen.py's exchange with tcp-farewell: sends 'Hi there, server' and returns the 16-octet reply, 'Farewell, client'.",
        params: [],
        returns: 'string',
        call: () => sayFarewell(this.downstreams.farewell, this.farewellAddr),
      },
      {
        name: 'cache.get',
        help: 'Read a key from redis-cache (GET /cache/:key). Returns the stored value, or nil when the key is missing.',
        params: [{ name: 'key', type: 'string' }],
        returns: 'any',
        call: ([key]) => cacheGet(this.downstreams.cache, this.cacheBase, key as string),
      },
      {
        name: 'cache.set',
        help: 'Store a value under a key in redis-cache (PUT /cache/:key), with an optional TTL in seconds. Returns true.',
        params: [
          { name: 'key', type: 'string' },
          { name: 'value', type: 'any' },
          { name: 'ttlSeconds', type: 'int', optional: true },
        ],
        returns: 'boolean',
        call: ([key, value, ttl]) =>
          cacheSet(this.downstreams.cache, this.cacheBase, key as string, value, ttl as number | undefined),
      },
      {
        name: 'queue.publish',
        help: `Publish a message to RabbitMQ exchange "${this.config.queueExchange}" with a routing key, persistent and confirmed by the broker. A string goes as text/plain, base64 as application/octet-stream, anything else as JSON. Returns {exchange, routingKey, bytes}.`,
        params: [
          { name: 'routingKey', type: 'string' },
          { name: 'message', type: 'any' },
        ],
        returns: 'struct',
        call: ([routingKey, message]) => {
          if (Buffer.byteLength(routingKey as string) > 255)
            throw new InvalidParamsError(
              'queue.publish(routingKey, message): routingKey longer than 255 bytes',
            );
          const [body, type] = Buffer.isBuffer(message)
            ? [message, 'application/octet-stream']
            : typeof message === 'string'
              ? [Buffer.from(message), 'text/plain; charset=utf-8']
              : [Buffer.from(JSON.stringify(message)), 'application/json'];
          return this.publisher.publish(routingKey as string, body, type);
        },
      },
      {
        name: 'tls.inspect',
        help: "Ask tls-inspector to inspect a TLS endpoint (GET /inspect?host=&port=) and return its report: certificate names, chain, protocol, cipher (book ch. 6's test_tls.py).",
        params: [
          { name: 'host', type: 'string' },
          { name: 'port', type: 'int', optional: true },
        ],
        returns: 'struct',
        call: ([host, port]) =>
          tlsInspect(this.downstreams.tls, this.tlsBase, host as string, (port as number | undefined) ?? 443),
      },
      {
        name: 'gateway.status',
        help: "Every downstream service the gateway reaches, with its address and its circuit breaker's state ('closed', 'open' or 'half-open').",
        params: [],
        returns: 'struct',
        call: () => this.states(),
      },
    ];
  }
}

/** Runs a parse of one configuration value; its failure names the variable to fix. */
function checked<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new InvalidConfigError(option, err instanceof Error ? err.message : String(err));
  }
}

function httpUrl(text: string): URL {
  const u = new URL(text);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`expected an http:// URL, got ${text}`);
  return u;
}
