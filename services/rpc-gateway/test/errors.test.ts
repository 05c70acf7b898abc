/** The coded errors: unique codes, each in the range its protocol reserves. */
import { describe, expect, it } from 'vitest';
import { RPC_ERRORS, RpcError, ServiceError } from '../src/errors.js';
import { manifest } from '../src/manifest.js';

describe('error codes', () => {
  it('are unique, prefixed, and in the JSON-RPC server-error range (or -32602)', () => {
    const numbers = Object.values(RPC_ERRORS.specs).map((e) => e.rpcCode);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const e of RPC_ERRORS.entries()) {
      const { rpcCode } = RPC_ERRORS.specs[e.name as keyof typeof RPC_ERRORS.specs];
      expect(e.code).toMatch(/^FOPNP_RPC_GATEWAY_ERR_[A-Z_]+$/);
      expect(rpcCode === -32602 || (rpcCode <= -32000 && rpcCode >= -32099)).toBe(true);
      expect(new RpcError({ ...e, message: 'x' }).rpcCode).toBe(rpcCode);
    }
  });

  it('name the service and its address in every downstream failure', () => {
    const e = new ServiceError(
      'SERVICE_TIMEOUT',
      'zen-asyncio',
      'zen-asyncio:1061',
      'zen.ask did not complete within 2000 ms',
    );
    expect(e.message).toBe('zen-asyncio (zen-asyncio:1061): zen.ask did not complete within 2000 ms');
    expect(e.rpcCode).toBe(-32011);
  });
});

describe('manifest', () => {
  it('declares port 7001 and health port 9108 with the compose service names as defaults', () => {
    expect(manifest.options.port.default).toBe(7001);
    expect(manifest.options.healthPort.default).toBe(9108);
    expect(manifest.options.zenAddress.default).toBe('zen-asyncio:1061');
    expect(manifest.options.cacheUrl.default).toBe('http://redis-cache:8005');
    expect(manifest.options.tlsInspectorUrl.default).toBe('http://tls-inspector:8003');
    expect(manifest.options.farewellAddress.default).toBe('tcp-farewell:1060');
    expect(manifest.options.amqpUrl.default).toBe('amqp://guest:guest@rabbitmq:5672');
  });
});
