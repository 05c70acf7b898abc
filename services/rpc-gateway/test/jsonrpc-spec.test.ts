/**
 * JSON-RPC 2.0: the specification's examples section as a table, sent verbatim over HTTP
 * (jsonrpc-spec-examples.txt holds the text as the specification prints it), then the
 * rest of the spec's rules, and Python's stdlib urllib as a client running the book's
 * jsonrpc_client.py call.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { here, type Listening, listen, PEERS } from './helpers.js';

interface Example {
  title: string;
  request: string;
  /** undefined: the server must send nothing. */
  response: string | undefined;
}

/** Splits the spec's text into request/response pairs ("-->" sent, "<--" received). */
function parseExamples(text: string): Example[] {
  const examples: Example[] = [];
  let title = '';
  let current: { dir: '-->' | '<--'; lines: string[] } | undefined;
  const blocks: { title: string; dir: '-->' | '<--'; text: string }[] = [];
  const flush = () => {
    if (current) blocks.push({ title, dir: current.dir, text: current.lines.join('\n') });
    current = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith('--> ') || line.startsWith('<-- ')) {
      flush();
      current = { dir: line.slice(0, 3) as '-->' | '<--', lines: [line.slice(4)] };
    } else if (
      current &&
      (line.startsWith(' ') || line === ']' || line.startsWith('{') || line.startsWith('  '))
    ) {
      current.lines.push(line);
    } else {
      flush();
      if (line.trim()) title = line.trim().replace(/:$/, '');
    }
  }
  flush();
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.dir !== '-->') continue;
    const next = blocks[i + 1];
    const reply = next?.dir === '<--' ? next.text : undefined;
    examples.push({
      title: b.title,
      request: b.text,
      response: reply?.startsWith('//') ? undefined : reply,
    });
  }
  return examples;
}

const examples = parseExamples(readFileSync(path.join(here, 'jsonrpc-spec-examples.txt'), 'utf8'));
let server: Listening;

beforeAll(async () => {
  server = await listen();
});
afterAll(() => server.close());

async function post(body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(server.jsonUrl, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, text: await res.text() };
}

describe('the JSON-RPC 2.0 specification examples, sent verbatim', () => {
  it('the table holds every example of the specification', () => {
    expect(examples).toHaveLength(15);
    expect(examples.filter((e) => e.response === undefined)).toHaveLength(3);
  });

  it.each(
    examples.map((e, i) => [`${i + 1}. ${e.title}: ${e.request.replace(/\s+/g, ' ').slice(0, 70)}`, e]),
  )('%s', async (_name, example) => {
    const { status, text } = await post(example.request);
    if (example.response === undefined) {
      expect(status).toBe(204);
      expect(text).toBe('');
    } else {
      expect(status).toBe(200);
      expect(JSON.parse(text)).toEqual(JSON.parse(example.response));
    }
  });
});

describe('JSON-RPC 2.0 rules beyond the examples', () => {
  const call = async (body: unknown) => JSON.parse((await post(JSON.stringify(body))).text);

  it('answers the book lengths() with [len, arg] pairs, counting code points as Python does', async () => {
    expect(
      await call({
        jsonrpc: '2.0',
        method: 'lengths',
        params: [[1, 2, 3], 27, { Sirius: -1.46, Rigel: 0.12 }, 'ÿ🐍', null, true],
        id: 7,
      }),
    ).toEqual({
      jsonrpc: '2.0',
      result: [
        [3, [1, 2, 3]],
        [null, 27],
        [2, { Sirius: -1.46, Rigel: 0.12 }],
        [2, 'ÿ🐍'],
        [null, null],
        [null, true],
      ],
      id: 7,
    });
  });

  it('rejects named params for a *args method and a wrong count with -32602 Invalid params', async () => {
    const named = await call({ jsonrpc: '2.0', method: 'lengths', params: { a: 1 }, id: 1 });
    expect(named.error.code).toBe(-32602);
    expect(named.error.message).toBe('Invalid params');
    const arity = await call({ jsonrpc: '2.0', method: 'subtract', params: [1], id: 2 });
    expect(arity.error).toMatchObject({ code: -32602, message: 'Invalid params' });
    expect(arity.error.data.message).toContain('subtract(minuend, subtrahend) takes 2 argument(s), got 1');
    const unknownName = await call({
      jsonrpc: '2.0',
      method: 'subtract',
      params: { minuend: 1, x: 2 },
      id: 3,
    });
    expect(unknownName.error.code).toBe(-32602);
  });

  it('keeps id types (string, number, null) and rejects an object id as an Invalid Request', async () => {
    expect((await call({ jsonrpc: '2.0', method: 'get_data', id: null })).id).toBeNull();
    expect((await call({ jsonrpc: '2.0', method: 'get_data', id: 'x' })).id).toBe('x');
    expect((await call({ jsonrpc: '2.0', method: 'get_data', id: 2.5 })).id).toBe(2.5);
    expect(await call({ jsonrpc: '2.0', method: 'get_data', id: { a: 1 } })).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request' },
      id: null,
    });
  });

  it('rejects a request without "jsonrpc": "2.0", params that are not structured, and rpc.* names', async () => {
    expect((await call({ method: 'get_data', id: 1 })).error.code).toBe(-32600);
    expect((await call({ jsonrpc: '1.0', method: 'get_data', id: 1 })).error.code).toBe(-32600);
    expect((await call({ jsonrpc: '2.0', method: 'sum', params: 3, id: 1 })).error.code).toBe(-32600);
    expect((await call({ jsonrpc: '2.0', method: 'rpc.discover', id: 1 })).error.code).toBe(-32601);
  });

  it('limits a batch to 100 requests with an Invalid Request error', async () => {
    const batch = Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', method: 'get_data', id: i }));
    const reply = await call(batch);
    expect(reply.error.code).toBe(-32600);
    expect(reply.error.data).toContain('at most 100');
  });
});

describe('Python stdlib urllib as the JSON-RPC client', () => {
  it('runs the book jsonrpc_client.py call plus a notification and a batch', async () => {
    const r = await run('python3', [path.join(PEERS, 'jsonrpc_urllib_client.py'), server.jsonUrl], {
      timeoutMs: 15_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        "[[3, [1, 2, 3]], [None, 27], [2, {'Sirius': -1.46, 'Rigel': 0.12}]]",
        'notification: HTTP 204, 0 bytes',
        "batch: [{'jsonrpc': '2.0', 'result': 19, 'id': 1}, {'jsonrpc': '2.0', 'result': ['hello', 5], 'id': 2}]",
        "error: {'code': -32601, 'message': 'Method not found'}",
        '',
      ].join('\n'),
    );
  });
});
