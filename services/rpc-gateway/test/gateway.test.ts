/**
 * The gateway against the real services, each started here from its own built CLI
 * (`node ../<svc>/dist/src/cli.js serve`) on free ports, and the real RabbitMQ on
 * 127.0.0.1:5672 with an exchange made for this run and deleted after. Then the failure
 * paths: a stopped service, a hung (SIGSTOPped) one, an open breaker, and recovery.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import {
  type BackgroundProcess,
  freePort,
  run,
  scrapeMetrics,
  startServe,
  stopAll,
  waitForHttp,
} from '@fopnp/net/testing';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonRpcClient, XmlRpcClient } from '../src/client.js';
import { Gateway } from '../src/gateway/gateway.js';
import type { XmlRpcStruct } from '../src/xmlrpc/values.js';
import { CLI, type Listening, listen, serviceCli } from './helpers.js';

interface Started {
  proc: BackgroundProcess;
  port: number;
  healthPort: number;
  env: NodeJS.ProcessEnv;
}

/** Starts a sibling service's `serve` and waits until its /readyz says ready. */
async function startService(name: string, extraEnv: NodeJS.ProcessEnv = {}, port?: number): Promise<Started> {
  const env = { LOG_LEVEL: 'warn', ...(port === undefined ? {} : { PORT: String(port) }), ...extraEnv };
  const started = await startServe(serviceCli(name), env);
  await waitForHttp(`${started.healthUrl}/readyz`, { timeoutMs: 20_000 }).catch((err) => {
    throw new Error(`${name} did not become ready: ${err.message}\n${started.proc.output()}`);
  });
  return { proc: started.proc, port: started.port, healthPort: started.healthPort, env };
}

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Connects to the machine's RabbitMQ, waiting while it is down: other packages' tests
 * (rabbit-pipeline's broker restart) may stop and start it while this suite runs.
 */
async function brokerConnection(timeoutMs = 60_000): Promise<amqp.ChannelModel> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await amqp.connect(AMQP_URL);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const exchange = `rpc-gateway-test-${randomUUID()}`;
const CALL_TIMEOUT_MS = 1000;
const services: Record<string, Started> = {};
let gateway: Started;
let xml: XmlRpcClient;
let json: JsonRpcClient;
let demoTlsPort: number;

beforeAll(async () => {
  demoTlsPort = await freePort();
  const [zen, farewell, cache, tls] = await Promise.all([
    startService('zen-asyncio'),
    startService('tcp-farewell'),
    startService('redis-cache', {
      REDIS_URL: 'redis://127.0.0.1:6379',
      CACHE_NAMESPACE: `rpcgw-test-${randomUUID()}`,
    }),
    startService('tls-inspector', { DEMO_TLS_PORT: String(demoTlsPort), ALLOW_CIDRS: '127.0.0.0/8' }),
  ]);
  Object.assign(services, { zen, farewell, cache, tls });
  const env = {
    LOG_LEVEL: 'warn',
    ZEN_ADDRESS: `127.0.0.1:${zen.port}`,
    FAREWELL_ADDRESS: `127.0.0.1:${farewell.port}`,
    CACHE_URL: `http://127.0.0.1:${cache.port}`,
    TLS_INSPECTOR_URL: `http://127.0.0.1:${tls.port}`,
    AMQP_URL,
    QUEUE_EXCHANGE: exchange,
    CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS),
    BREAKER_FAILURES: '3',
    BREAKER_RESET_MS: '1500',
  };
  const { proc, port, healthPort, healthUrl } = await startServe(CLI, env);
  await waitForHttp(`${healthUrl}/readyz`, { timeoutMs: 20_000 });
  gateway = { proc, port, healthPort, env };
  xml = new XmlRpcClient(`http://127.0.0.1:${port}/RPC2`);
  json = new JsonRpcClient(`http://127.0.0.1:${port}/jsonrpc`);
}, 90_000);

afterAll(async () => {
  try {
    const conn = await brokerConnection();
    const ch = await conn.createChannel();
    await ch.deleteExchange(exchange);
    await conn.close();
  } finally {
    await Promise.all([gateway?.proc.stop(), ...Object.values(services).map((s) => s.proc.stop())]);
    await stopAll();
  }
});

/** Runs Python's xmlrpc.client against the gateway with a few statements. */
async function python(body: string): Promise<string> {
  const script = `import sys, xmlrpc.client\nproxy = xmlrpc.client.ServerProxy(sys.argv[1], allow_none=True)\n${body}`;
  const r = await run('python3', ['-c', script, `http://127.0.0.1:${gateway.port}/RPC2`], {
    timeoutMs: 15_000,
  });
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('gateway methods against the real services', () => {
  it('zen.ask reaches zen-asyncio over TCP, from Python xmlrpc.client and JSON-RPC', async () => {
    expect(
      await python(
        "print(proxy.zen.ask('Beautiful is better than?'))\nprint(proxy.zen.ask('Although never is often better than?'))\nprint(proxy.zen.ask('Is this known?'))",
      ),
    ).toBe('Ugly.\nRight now.\nError: unknown aphorism.\n');
    expect(await json.call('zen.ask', { question: 'Simple is better than?' })).toBe('Complex.');
  });

  it("zen.ask refuses a question that is not one '?'-ended question", async () => {
    await expect(xml.call('zen.ask', 'No question mark')).rejects.toMatchObject({ faultCode: -32602 });
    await expect(xml.call('zen.ask', 'Two? questions?')).rejects.toMatchObject({ faultCode: -32602 });
  });

  it('farewell() does the tcp_sixteen.py exchange with tcp-farewell', async () => {
    expect(await python('print(proxy.farewell())')).toBe('Farewell, client\n');
    expect(await json.call('farewell')).toBe('Farewell, client');
  });

  it('cache.set and cache.get go through redis-cache, structs and misses included', async () => {
    expect(
      await python(
        "print(proxy.cache.set('book', {'title': 'Foundations', 'chapters': [18, 8], 'price': 39.99}))\nprint(proxy.cache.get('book'))\nprint(proxy.cache.get('never-set'))",
      ),
    ).toBe("True\n{'title': 'Foundations', 'chapters': [18, 8], 'price': 39.99}\nNone\n");
    expect(await json.call('cache.set', ['ttl-key', 'short-lived', 1])).toBe(true);
    expect(await json.call('cache.get', ['ttl-key'])).toBe('short-lived');
    await expect(json.call('cache.get', [''])).rejects.toMatchObject({ code: -32602 });
    await expect(json.call('cache.get', ['..'])).rejects.toMatchObject({ code: -32602 });
    await expect(xml.call('cache.set', '.', 'x')).rejects.toMatchObject({ faultCode: -32602 });
  });

  it('queue.publish publishes, confirmed, to the configured exchange on RabbitMQ', async () => {
    const conn = await brokerConnection();
    try {
      const ch = await conn.createChannel();
      await ch.assertExchange(exchange, 'topic', { durable: true });
      const { queue } = await ch.assertQueue('', { exclusive: true });
      await ch.bindQueue(queue, exchange, 'greetings.#');
      const received: amqp.ConsumeMessage[] = [];
      await ch.consume(queue, (m) => m && received.push(m), { noAck: true });
      const result = (await xml.call('queue.publish', 'greetings.text', 'Hi there, queue')) as XmlRpcStruct;
      expect(Object.fromEntries(result)).toEqual({ exchange, routingKey: 'greetings.text', bytes: 15n });
      await json.call('queue.publish', ['greetings.json', { n: 1, ok: true }]);
      await json.call('queue.publish', ['elsewhere', 'not bound here']);
      // Up to 5 s on a loaded machine; the loop ends as soon as both have arrived.
      for (let i = 0; i < 250 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(
        received.map((m) => [m.fields.routingKey, m.properties.contentType, m.content.toString()]),
      ).toEqual([
        ['greetings.text', 'text/plain; charset=utf-8', 'Hi there, queue'],
        ['greetings.json', 'application/json', '{"n":1,"ok":true}'],
      ]);
      expect(received[0]!.properties.deliveryMode).toBe(2);
    } finally {
      await conn.close();
    }
  });

  it('queue.publish recovers when its exchange is deleted under it', async () => {
    const conn = await brokerConnection();
    try {
      const ch = await conn.createChannel();
      expect(await xml.call('queue.publish', 'before', 'x')).toBeInstanceOf(Map);
      await ch.deleteExchange(exchange);
      // The broker closes the gateway's channel (404 on publish): a fault, then a new channel.
      await expect(xml.call('queue.publish', 'lost', 'x')).rejects.toMatchObject({
        faultString: expect.stringMatching(/^rabbitmq \(127\.0\.0\.1:5672\): .*channel closed/),
      });
      expect(await xml.call('queue.publish', 'after', 'x')).toBeInstanceOf(Map);
      await ch.checkExchange(exchange); // declared again by the new channel
    } finally {
      await conn.close();
    }
  });

  it('tls.inspect asks tls-inspector for a report on a real TLS endpoint', async () => {
    const report = (await json.call('tls.inspect', ['127.0.0.1', demoTlsPort])) as {
      peerCertificate: boolean;
      protocol: string;
      target: { port: number };
    };
    expect(report.peerCertificate).toBe(true);
    expect(report.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(report.target.port).toBe(demoTlsPort);
    const viaXml = (await xml.call('tls.inspect', '127.0.0.1', BigInt(demoTlsPort))) as XmlRpcStruct;
    expect(viaXml.get('peerCertificate')).toBe(true);
  });

  it("tls.inspect passes on the inspector's refusal without opening its breaker", async () => {
    const closed = await freePort();
    for (let i = 0; i < 4; i++) {
      await expect(xml.call('tls.inspect', '127.0.0.1', BigInt(closed))).rejects.toMatchObject({
        faultCode: -32014,
        faultString: expect.stringMatching(/^tls-inspector \(127\.0\.0\.1:\d+\): HTTP 50[24]: /),
      });
    }
    const status = (await json.call('gateway.status')) as Record<string, { circuit: string }>;
    expect(status['tls-inspector']!.circuit).toBe('closed');
  });

  it("tls.inspect of a target that never answers is the target's timeout, told before the gateway's deadline: the breaker stays closed", async () => {
    // Accepts and never says a word: a TLS handshake with it can only time out. The
    // inspector's own handshake timeout is 5 s, the gateway's call deadline 1 s.
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      for (let i = 0; i < 4; i++) {
        // BREAKER_FAILURES is 3: were these counted, the fourth would find the circuit open.
        await expect(json.call('tls.inspect', ['127.0.0.1', port])).rejects.toMatchObject({
          code: -32014,
          message: expect.stringMatching(
            /^tls-inspector \(127\.0\.0\.1:\d+\): HTTP 504: TLS handshake with 127\.0\.0\.1:\d+ timed out after \d+ ms/,
          ),
        });
      }
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
    const status = (await json.call('gateway.status')) as Record<string, { circuit: string }>;
    expect(status['tls-inspector']!.circuit).toBe('closed');
    const ready = (await (await fetch(`http://127.0.0.1:${gateway.healthPort}/readyz`)).json()) as {
      status: string;
    };
    expect(ready.status).toBe('ok');
  });

  it('introspection lists the gateway methods with signatures and help', async () => {
    const methods = (await xml.call('system.listMethods')) as string[];
    expect(methods).toEqual(
      expect.arrayContaining([
        'zen.ask',
        'cache.get',
        'cache.set',
        'queue.publish',
        'tls.inspect',
        'farewell',
      ]),
    );
    expect(await xml.call('system.methodSignature', 'cache.set')).toEqual([
      ['boolean', 'string', 'any'],
      ['boolean', 'string', 'any', 'int'],
    ]);
    expect(await xml.call('system.methodHelp', 'zen.ask')).toMatch(/zen-asyncio/);
  });
});

describe('when a downstream service fails', () => {
  it('a stopped service faults at once naming it, the breaker opens, and it recovers', async () => {
    const farewell = services.farewell!;
    await farewell.proc.stop();
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await expect(xml.call('farewell')).rejects.toMatchObject({
        faultCode: -32010,
        faultString: `tcp-farewell (127.0.0.1:${farewell.port}): connection refused by 127.0.0.1:${farewell.port}: is the server running on that port?`,
      });
      expect(performance.now() - started).toBeLessThan(CALL_TIMEOUT_MS);
    }
    // Three failures in a row: the circuit is open and calls fail without trying.
    const started = performance.now();
    await expect(xml.call('farewell')).rejects.toMatchObject({
      faultCode: -32012,
      faultString: expect.stringContaining('tcp-farewell (127.0.0.1:'),
    });
    expect(performance.now() - started).toBeLessThan(200);
    await expect(json.call('farewell')).rejects.toMatchObject({ code: -32012 });
    const metrics = (await scrapeMetrics(`http://127.0.0.1:${gateway.healthPort}`)).text;
    expect(metrics).toMatch(/rpc_gateway_circuit_open\{service="tcp-farewell"[^}]*\} 1/);
    const ready = (await (await fetch(`http://127.0.0.1:${gateway.healthPort}/readyz`)).json()) as {
      status: string;
    };
    expect(ready.status).toBe('degraded');

    // Back on the same port; after the reset delay one trial call closes the circuit.
    services.farewell = await startService('tcp-farewell', {}, farewell.port);
    await new Promise((r) => setTimeout(r, 1600));
    expect(await xml.call('farewell')).toBe('Farewell, client');
    const status = (await json.call('gateway.status')) as Record<string, { circuit: string }>;
    expect(status['tcp-farewell']!.circuit).toBe('closed');
  });

  it('a hung service (SIGSTOP) gives a timeout fault within the deadline', async () => {
    const zen = services.zen!;
    zen.proc.child.kill('SIGSTOP');
    try {
      const started = performance.now();
      await expect(xml.call('zen.ask', 'Beautiful is better than?')).rejects.toMatchObject({
        faultCode: -32011,
        faultString: `zen-asyncio (127.0.0.1:${zen.port}): zen.ask did not complete within ${CALL_TIMEOUT_MS} ms`,
      });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(CALL_TIMEOUT_MS + 500);
    } finally {
      zen.proc.child.kill('SIGCONT');
    }
    expect(await xml.call('zen.ask', 'Beautiful is better than?')).toBe('Ugly.');
  });

  it('a downstream reply that declares no length is still capped (4 MiB)', async () => {
    // A stand-in for redis-cache that streams a chunked body of up to 16 MiB.
    const endless = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 256 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const port = (endless.address() as AddressInfo).port;
    const local = await listen({
      gateway: new Gateway({
        zenAddress: '127.0.0.1:1',
        farewellAddress: '127.0.0.1:1',
        cacheUrl: `http://127.0.0.1:${port}`,
        tlsInspectorUrl: 'http://127.0.0.1:1',
        amqpUrl: 'amqp://guest:guest@127.0.0.1:1',
        queueExchange: exchange,
        breaker: { timeoutMs: 10_000, failureThreshold: 5, resetAfterMs: 60_000 },
      }),
    });
    try {
      await expect(new XmlRpcClient(local.url).call('cache.get', 'k')).rejects.toMatchObject({
        faultCode: -32013,
        faultString: `redis-cache (127.0.0.1:${port}): reply is larger than 4194304 bytes`,
      });
    } finally {
      await local.close();
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  describe('with RabbitMQ unreachable', () => {
    let local: Listening;
    beforeAll(async () => {
      const deadPort = await freePort();
      local = await listen({
        gateway: new Gateway({
          zenAddress: '127.0.0.1:1',
          farewellAddress: '127.0.0.1:1',
          cacheUrl: 'http://127.0.0.1:1',
          tlsInspectorUrl: 'http://127.0.0.1:1',
          amqpUrl: `amqp://guest:guest@127.0.0.1:${deadPort}`,
          queueExchange: exchange,
          breaker: { timeoutMs: 500, failureThreshold: 2, resetAfterMs: 60_000 },
        }),
      });
    });
    afterAll(() => local.close());

    it('queue.publish faults naming rabbitmq (never the password), then the breaker opens', async () => {
      const client = new XmlRpcClient(local.url);
      for (let i = 0; i < 2; i++) {
        const err = await client.call('queue.publish', 'k', 'm').catch((e) => e);
        expect(err).toMatchObject({
          faultCode: -32010,
          faultString: expect.stringMatching(/^rabbitmq \(127\.0\.0\.1:\d+\): connection refused/),
        });
        expect(err.faultString).not.toContain('guest');
      }
      await expect(client.call('queue.publish', 'k', 'm')).rejects.toMatchObject({ faultCode: -32012 });
    });
  });
});
