/**
 * Bad input: every hostile or broken request gets a fault (or an HTTP error with a fault
 * body), quickly, and the server goes on serving. The billion-laughs and external-entity
 * documents are refused at their DOCTYPE, before any entity could be expanded.
 */
import http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMethodResponse } from '../src/xmlrpc/parse.js';
import { Fault } from '../src/xmlrpc/values.js';
import { type Listening, listen, PEERS } from './helpers.js';

let server: Listening;
beforeAll(async () => {
  server = await listen({ maxBodyBytes: 64 * 1024 });
});
afterAll(() => server.close());

async function post(body: string | Buffer, url = server.url): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  return { status: res.status, text: await res.text() };
}

/** Posts a document and returns its fault (failing the test if it was not a fault). */
async function faultOf(body: string | Buffer): Promise<{ code: number; message: string; status: number }> {
  const { status, text } = await post(body);
  const reply = parseMethodResponse(text);
  if (!('fault' in reply)) throw new Error(`expected a fault, got ${text}`);
  return { code: reply.fault.faultCode, message: reply.fault.faultString, status };
}

const call = (inner: string) =>
  `<?xml version="1.0"?><methodCall><methodName>remote_repr</methodName><params><param>${inner}</param></params></methodCall>`;

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>remote_repr</methodName><params><param><value><string>&lol9;</string></value></param></params></methodCall>`;

describe('hostile XML', () => {
  it('refuses a billion-laughs document at its DOCTYPE, in milliseconds', async () => {
    const started = performance.now();
    const f = await faultOf(billionLaughs);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(f.code).toBe(-32700);
    expect(f.message).toContain('DOCTYPE');
  });

  it('refuses an external entity (XXE) without reading the file', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${call('<value><string>&xxe;</string></value>').replace('<?xml version="1.0"?>', '')}`;
    const { text } = await post(xxe);
    expect(text).not.toContain('root:');
    expect(parseMethodResponse(text)).toMatchObject({ fault: { faultCode: -32700 } });
  });

  it('refuses an entity reference that no DTD defines', async () => {
    const f = await faultOf(call('<value><string>&undefined;</string></value>'));
    expect(f.code).toBe(-32700);
    expect(f.message).toMatch(/undefined entity/i);
  });

  it('decodes only the predefined entities and character references', async () => {
    const { text } = await post(
      call('<value><string>&lt;&amp;&gt;&quot;&apos;&#x263A;&#65;</string></value>'),
    );
    expect(parseMethodResponse(text)).toEqual({ value: '<&>"\'☺A' });
  });

  it('refuses nesting deeper than the limit', async () => {
    const depth = 40;
    const inner =
      '<value><array><data>'.repeat(depth) +
      '<value><int>1</int></value>' +
      '</data></array></value>'.repeat(depth);
    const f = await faultOf(call(inner));
    expect(f.code).toBe(-32600);
    expect(f.message).toContain('nested deeper than 64 elements');
  });
});

describe('broken requests', () => {
  it.each([
    ['garbage', 'hello, server', -32700, /not well formed/],
    ['an unclosed document', '<methodCall><methodName>x</methodName>', -32700, /not well formed/],
    ['an empty body', '', -32700, /root element/],
    ['a wrong root element', '<methodResponse><params/></methodResponse>', -32600, /expected <methodCall>/],
    [
      'an element XML-RPC does not have',
      '<methodCall><methodName>x</methodName><foo/></methodCall>',
      -32600,
      /<foo> is not allowed inside <methodCall>/,
    ],
    ['a non-integer int', call('<value><int>12abc</int></value>'), -32600, /not an integer/],
    ['a boolean other than 0 or 1', call('<value><boolean>true</boolean></value>'), -32600, /only 0 and 1/],
    [
      'a member without a name',
      call('<value><struct><member><value>1</value></member></struct></value>'),
      -32600,
      /without <name>/,
    ],
    ['a value with two types', call('<value><int>1</int><string>x</string></value>'), -32600, /two types/],
    ['attributes', call('<value><int base="16">1</int></value>'), -32600, /attributes/],
    [
      'a processing instruction',
      `<?xml version="1.0"?><?evil x?>${call('<value>1</value>').slice(21)}`,
      -32600,
      /processing instruction/,
    ],
    [
      'a declared encoding other than UTF-8',
      `<?xml version="1.0" encoding="iso-8859-1"?><methodCall><methodName>a</methodName></methodCall>`,
      -32701,
      /unsupported encoding/,
    ],
    ['a missing methodName', '<methodCall><params/></methodCall>', -32600, /without <methodName>/],
  ])('answers %s with its fault code', async (_name, body, code, message) => {
    const f = await faultOf(body as string);
    expect(f.code).toBe(code);
    expect(f.message).toMatch(message as RegExp);
  });

  it('answers bytes that are not UTF-8 with fault -32702', async () => {
    const body = Buffer.concat([
      Buffer.from(call('<value><string>').replace('"1.0"?>', '"1.0"?>')),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('</string></value></param></params></methodCall>'),
    ]);
    const f = await faultOf(body);
    expect(f.code).toBe(-32702);
  });

  it('answers an oversized body with HTTP 413 and a fault, without reading it all', async () => {
    const big = call(`<value><string>${'x'.repeat(100_000)}</string></value>`);
    const f = await faultOf(big);
    expect(f.status).toBe(413);
    expect(f.message).toBe('request body exceeds 65536 bytes');
  });

  it('counts a chunked body as it streams (no Content-Length to trust)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        server.url,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(413) : reject(err),
      );
      const chunk = Buffer.alloc(16 * 1024, 'y');
      let sent = 0;
      const pump = () => {
        while (sent < 20) {
          sent++;
          if (!req.write(chunk)) return req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
  });

  it('inflates a gzip body (as Python sends above encode_threshold) and refuses a gzip bomb', async () => {
    const script = `
import sys, xmlrpc.client
proxy = xmlrpc.client.ServerProxy(sys.argv[1])
proxy._ServerProxy__transport.encode_threshold = 0
print(proxy.addtogether('x' * 3000, 'y')[-3:])
`;
    const r = await run('python3', ['-c', script, server.url]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('xxy\n');
    const bomb = gzipSync(Buffer.from(call(`<value><string>${'z'.repeat(1_000_000)}</string></value>`)));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await fetch(server.url, {
      method: 'POST',
      body: bomb,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(413);
    expect(parseMethodResponse(await res.text())).toMatchObject({
      fault: { faultString: 'request body inflates past 65536 bytes' },
    });
    const br = await fetch(server.url, { method: 'POST', body: 'x', headers: { 'content-encoding': 'br' } });
    expect(br.status).toBe(415);
  });

  it('answers GET with 405 and an unknown path with 404', async () => {
    expect((await fetch(server.url)).status).toBe(405);
    expect((await post(call('<value>1</value>'), server.url.replace('/RPC2', '/nope'))).status).toBe(404);
  });

  it('caps system.multicall at 1000 calls', async () => {
    const one =
      '<value><struct><member><name>methodName</name><value>addtogether</value></member><member><name>params</name><value><array><data><value><int>1</int></value></data></array></value></member></struct></value>';
    const body = (n: number) =>
      `<methodCall><methodName>system.multicall</methodName><params><param><value><array><data>${one.repeat(n)}</data></array></value></param></params></methodCall>`;
    const roomy = await listen(); // the default 1 MiB body limit: 1001 calls need ~230 KB
    try {
      const big = parseMethodResponse(
        await (await fetch(roomy.url, { method: 'POST', body: body(1001) })).text(),
      );
      expect(big).toEqual({
        fault: new Fault(-32600, 'system.multicall holds at most 1000 calls, got 1001'),
      });
      const ok = parseMethodResponse(
        await (await fetch(roomy.url, { method: 'POST', body: body(1000) })).text(),
      );
      expect((ok as { value: unknown[] }).value).toHaveLength(1000);
    } finally {
      await roomy.close();
    }
  });

  it('answers an unknown method and a wrong arity as Python does (fault 1)', async () => {
    const unknown = await faultOf('<methodCall><methodName>nope</methodName></methodCall>');
    expect(unknown).toMatchObject({ code: 1, message: `<class 'Exception'>:method "nope" is not supported` });
    const arity = await faultOf(
      '<methodCall><methodName>quadratic</methodName><params><param><value><int>1</int></value></param></params></methodCall>',
    );
    expect(arity.message).toBe(
      "<class 'TypeError'>:quadratic() missing 2 required positional arguments: 'b' and 'c'",
    );
  });

  it('JSON-RPC: malformed JSON, oversized body and a wrong arity are each an error', async () => {
    const bad = await post('{"jsonrpc": "2.0", "method": ', server.jsonUrl);
    expect(JSON.parse(bad.text).error.code).toBe(-32700);
    const big = await post(
      JSON.stringify({ jsonrpc: '2.0', method: 'lengths', params: ['x'.repeat(100_000)], id: 1 }),
      server.jsonUrl,
    );
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text).error.code).toBe(-32600);
    const arity = await post(
      JSON.stringify({ jsonrpc: '2.0', method: 'get_data', params: [1], id: 1 }),
      server.jsonUrl,
    );
    expect(JSON.parse(arity.text).error.code).toBe(-32602);
  });

  it('JSON-RPC: a result too deeply nested to write back is an Internal error with its id, alone and in a batch', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const one = await post(`{"jsonrpc":"2.0","method":"lengths","params":[${deep}],"id":7}`, server.jsonUrl);
    expect(one.status).toBe(200);
    expect(JSON.parse(one.text)).toMatchObject({ error: { code: -32603, message: 'Internal error' }, id: 7 });
    const batch = await post(
      `[{"jsonrpc":"2.0","method":"lengths","params":[${deep}],"id":1},{"jsonrpc":"2.0","method":"lengths","params":["ab"],"id":2}]`,
      server.jsonUrl,
    );
    expect(JSON.parse(batch.text)).toEqual([
      {
        jsonrpc: '2.0',
        error: {
          code: -32603,
          message: 'Internal error',
          data: expect.stringMatching(/cannot be written as JSON/),
        },
        id: 1,
      },
      { jsonrpc: '2.0', result: [[2, 'ab']], id: 2 },
    ]);
  });
});

describe('after all of that', () => {
  it('still serves Python xmlrpc.client the book calls', async () => {
    const hostile = Array.from({ length: 20 }, (_, i) => post(i % 2 ? billionLaughs : 'garbage'));
    await Promise.all(hostile);
    const r = await run('python3', [path.join(PEERS, 'book_clients.py'), server.url], { timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('=== xmlrpc_client.py\nxÿz\n55\n[0.0, 8.0]');
  });
});
