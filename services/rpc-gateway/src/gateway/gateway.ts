/**
 * The gateway methods: RPC calls that reach the other fopnp services over their own
 * protocols. Each downstream has its own timeout and circuit breaker (downstream.ts), and
 * every failure reaches the caller as a fault / error naming the service.
 */
import { InvalidConfigError, type Logger } from '@fopnp/net';
import { InvalidParamsError } from '../errors.js';
import type { RpcMethod } from '../methods.js';
import { AmqpPublisher, redactAmqpUrl } from './amqp.js';
import { type BreakerOptions, type BreakerState, Downstream } from './downstream.js';
import { failed, parseJsonReply, rejected, request } from './http.js';
import { askZen, parseHostPort, sayFarewell, type TcpAddress } from './tcp.js';

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

/** Keys the cache service accepts in a URL path segment. */
const MAX_KEY_LENGTH = 512;

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
    this.zenAddr = checked('ZEN_ADDRESS', () => parseHostPort(config.zenAddress, 1061));
    this.farewellAddr = checked('FAREWELL_ADDRESS', () => parseHostPort(config.farewellAddress, 1060));
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
      queue: new Downstream('rabbitmq', redactAmqpUrl(config.amqpUrl), b, logger),
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

  private cacheUrl(key: string, query = ''): URL {
    return new URL(`cache/${encodeURIComponent(key)}${query}`, withSlash(this.cacheBase));
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
          if (Buffer.byteLength(q, 'latin1') > 4096 || /[^\x00-\xff]/.test(q))
            throw new InvalidParamsError('zen.ask(question): at most 4096 Latin-1 characters');
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
        call: ([key]) => this.cacheGet(key as string),
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
        call: ([key, value, ttl]) => this.cacheSet(key as string, value, ttl as number | undefined),
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
        call: ([host, port]) => this.tlsInspect(host as string, (port as number | undefined) ?? 443),
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

  private checkKey(method: string, key: string): void {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH)
      throw new InvalidParamsError(`${method}: key must be 1 to ${MAX_KEY_LENGTH} characters`);
    // URL resolution turns a path segment of . or .. (even %2e%2e) into a move up:
    // cache/.. would be a request to the service's root, not for that key.
    if (key === '.' || key === '..')
      throw new InvalidParamsError(`${method}: key cannot be "." or ".." (not a URL path segment)`);
  }

  private async cacheGet(key: string): Promise<unknown> {
    this.checkKey('cache.get(key)', key);
    const down = this.downstreams.cache;
    return request(
      down,
      'cache.get',
      this.cacheUrl(key),
      { headers: { accept: 'application/json' } },
      (reply) => {
        // A miss is 404 FOPNP_REDIS_CACHE_ERR_NOT_FOUND; any other 404 (no such route) means a
        // wrong CACHE_URL, reported rather than taken for a miss.
        if (reply.status === 404 && reply.body.includes('FOPNP_REDIS_CACHE_ERR_NOT_FOUND')) return null;
        if (reply.status >= 400 && reply.status < 500) throw rejected(down, reply);
        if (reply.status !== 200) throw failed(down, reply);
        return parseJsonReply(down, reply);
      },
    );
  }

  private async cacheSet(key: string, value: unknown, ttl: number | undefined): Promise<boolean> {
    this.checkKey('cache.set(key, value, [ttlSeconds])', key);
    if (ttl !== undefined && ttl <= 0) throw new InvalidParamsError('cache.set: ttlSeconds must be positive');
    const down = this.downstreams.cache;
    const query = ttl === undefined ? '' : `?ttlMs=${ttl * 1000}`;
    const body = JSON.stringify(Buffer.isBuffer(value) ? value.toString('base64') : value);
    return request(
      down,
      'cache.set',
      this.cacheUrl(key, query),
      { method: 'PUT', body, headers: { 'content-type': 'application/json' } },
      (reply) => {
        if (reply.status >= 400 && reply.status < 500) throw rejected(down, reply);
        if (reply.status < 200 || reply.status >= 300) throw failed(down, reply);
        return true;
      },
    );
  }

  private async tlsInspect(host: string, port: number): Promise<unknown> {
    if (host.length === 0 || host.length > 253)
      throw new InvalidParamsError('tls.inspect(host, [port]): bad host');
    if (port < 1 || port > 65535)
      throw new InvalidParamsError('tls.inspect(host, [port]): port must be 1 to 65535');
    const down = this.downstreams.tls;
    const url = new URL('inspect', withSlash(this.tlsBase));
    url.searchParams.set('host', host);
    url.searchParams.set('port', String(port));
    return request(down, 'tls.inspect', url, { headers: { accept: 'application/json' } }, (reply) => {
      // tls-inspector reports an unreachable or non-TLS *target* as 502/504: that is the
      // target's failure, not the inspector's, so it must not open the inspector's breaker.
      if ((reply.status >= 400 && reply.status < 500) || reply.status === 502 || reply.status === 504)
        throw rejected(down, reply);
      if (reply.status !== 200) throw failed(down, reply);
      return parseJsonReply(down, reply);
    });
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

function withSlash(u: URL): URL {
  return u.pathname.endsWith('/') ? u : new URL(`${u.pathname}/`, u);
}
