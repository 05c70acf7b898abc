/**
 * Bearer tokens and per-method access control, over both protocols, with Python's
 * xmlrpc.client sending the header (ServerProxy(headers=...)) as one of the callers.
 */

import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessControl } from '../src/auth.js';
import { JsonRpcCallError, JsonRpcClient, ProtocolError, XmlRpcClient } from '../src/client.js';
import { Fault } from '../src/xmlrpc/values.js';
import { type Listening, listen } from './helpers.js';

const ADMIN = 'admin-token-123';
const READER = 'reader-token-456';
let server: Listening;

beforeAll(async () => {
  server = await listen({
    authTokens: [`${ADMIN}=*`, `${READER}=addtogether|remote_*`],
    publicMethods: ['system.*', 'lengths'],
  });
});
afterAll(() => server.close());

describe('bearer-token access control', () => {
  it('lets an anonymous caller use public methods only', async () => {
    const anon = new XmlRpcClient(server.url);
    expect(await anon.call('system.listMethods')).toContain('quadratic');
    await expect(anon.call('quadratic', 1n, 2n, 1n)).rejects.toEqual(
      new Fault(
        -32001,
        'access denied: an anonymous caller may not call quadratic (send a bearer token whose allowed methods include it)',
      ),
    );
  });

  it('lets each token call exactly its allowed methods (exact names and prefixes)', async () => {
    const reader = new XmlRpcClient(server.url, { token: READER });
    expect(await reader.call('addtogether', 1n, 2n)).toBe(3n);
    expect(await reader.call('remote_repr', 'x')).toBe('x');
    await expect(reader.call('quadratic', 1n, 2n, 1n)).rejects.toMatchObject({ faultCode: -32001 });
    const admin = new XmlRpcClient(server.url, { token: ADMIN });
    expect(await admin.call('quadratic', 1n, 2n, 1n)).toEqual([-1]);
  });

  it('checks each call inside system.multicall on its own', async () => {
    const reader = new XmlRpcClient(server.url, { token: READER });
    const results = await reader.multicall([
      { method: 'addtogether', params: ['a', 'b'] },
      { method: 'quadratic', params: [1n, 2n, 1n] },
    ]);
    expect(results[0]).toBe('ab');
    expect(results[1]).toMatchObject({ faultCode: -32001 });
  });

  it('answers an unknown token with HTTP 401 and a Bearer challenge', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      body: '<methodCall><methodName>system.listMethods</methodName></methodCall>',
      headers: { authorization: 'Bearer wrong-token' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await expect(
      new XmlRpcClient(server.url, { token: 'nope-nope' }).call('system.listMethods'),
    ).rejects.toBeInstanceOf(ProtocolError);
  });

  it('applies the same rules to JSON-RPC', async () => {
    const anon = new JsonRpcClient(server.jsonUrl);
    expect(await anon.call('lengths', ['abc'])).toEqual([[3, 'abc']]);
    await expect(anon.call('subtract', [3, 1])).rejects.toMatchObject({ code: -32001 });
    expect(await new JsonRpcClient(server.jsonUrl, { token: ADMIN }).call('subtract', [3, 1])).toBe(2);
    await expect(
      new JsonRpcClient(server.jsonUrl, { token: READER }).call('subtract', [3, 1]),
    ).rejects.toBeInstanceOf(JsonRpcCallError);
  });

  it('works with Python xmlrpc.client sending the Authorization header', async () => {
    const script = `
import sys, xmlrpc.client
url, token = sys.argv[1], sys.argv[2]
proxy = xmlrpc.client.ServerProxy(url, headers=[('Authorization', 'Bearer ' + token)])
print(proxy.addtogether(20, 30, 4, 1))
try:
    proxy.quadratic(1, 2, 1)
except xmlrpc.client.Fault as f:
    print(f.faultCode)
`;
    const r = await run('python3', ['-c', script, server.url, READER]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('55\n-32001\n');
  });

  it('refuses badly formed token configuration, naming the option', () => {
    expect(() => new AccessControl(['short=*'], [])).toThrow(
      /AUTH_TOKENS: entry 1 must be TOKEN=METHOD\|PREFIX\*/,
    );
    expect(() => new AccessControl(['long-enough-token'], [])).toThrow(/AUTH_TOKENS/);
  });
});
