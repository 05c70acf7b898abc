import net from 'node:net';
import { run, startProcess, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pformat, pyStr } from '../src/echo/environ.ts';
import { FRAMING_LINES } from '../src/echo/framing.ts';
import { startApp, type TestApp } from './helpers.ts';

/** The book's chapter 10 programs, unchanged (never copied into this tree). */
const BOOK_CH10 = new URL('../../../../shared/peers/fopnp-py3/chapter10', import.meta.url).pathname;

/** Sends a raw request and reads until the server closes (or 0.7 s pass): the bytes on the wire. */
function rawExchange(port: number, request: string): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(request));
    let text = '';
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ text, closedByServer: false });
    }, 700);
    sock.on('data', (d) => {
      text += d.toString('latin1');
    });
    sock.on('end', () => {
      clearTimeout(timer);
      resolve({ text, closedByServer: true });
    });
    sock.on('error', reject);
  });
}

const BODY = FRAMING_LINES.join('');

describe('the three framings of a body (ch. 9)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
    await stopAll();
  });

  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;

  it('frames /framing/length with Content-Length and keeps the connection open', async () => {
    const { text, closedByServer } = await rawExchange(app.port, get('/framing/length'));
    expect(text).toMatch(new RegExp(`\\r\\ncontent-length: ${Buffer.byteLength(BODY)}\\r\\n`, 'i'));
    expect(text.endsWith(`\r\n\r\n${BODY}`)).toBe(true);
    expect(closedByServer).toBe(false);
  });

  it('frames /framing/chunked as hex sizes and pieces ending in a 0 chunk', async () => {
    const { text } = await rawExchange(app.port, get('/framing/chunked'));
    expect(text).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
    const chunked = FRAMING_LINES.map((l) => `${Buffer.byteLength(l).toString(16)}\r\n${l}\r\n`).join('');
    expect(text.endsWith(`\r\n\r\n${chunked}0\r\n\r\n`)).toBe(true);
  });

  it('frames /framing/close by closing the connection, with neither length nor chunks', async () => {
    const { text, closedByServer } = await rawExchange(app.port, get('/framing/close'));
    expect(closedByServer).toBe(true);
    expect(text).toMatch(/\r\nConnection: close\r\n/);
    expect(text).not.toMatch(/content-length|transfer-encoding/i);
    expect(text.endsWith(`\r\n\r\n${BODY}`)).toBe(true);
  });

  it('gives curl the same body whatever the framing', async () => {
    for (const mode of ['length', 'chunked', 'close']) {
      const r = await run('curl', ['-sS', `${app.url}/framing/${mode}`]);
      expect(r.stdout).toBe(BODY);
    }
    expect((await fetch(`${app.url}/framing/other`)).status).toBe(400);
  });
});

describe('/environ, the request as a WSGI environ', () => {
  let app: TestApp;
  let pythonPort = 0;
  beforeAll(async () => {
    app = await startApp();
    // The book's own wsgi_env.py (its `app`), served by wsgiref on a free port.
    const py = startProcess('/usr/bin/python3', [
      new URL('./peers/serve_wsgi.py', import.meta.url).pathname,
      BOOK_CH10,
      'wsgi_env',
    ]);
    pythonPort = Number((await py.waitForOutput(/port (\d+)/))[1]);
  });
  afterAll(async () => {
    await app?.close();
    await stopAll();
  });

  it("prints like Python's pprint.pformat", () => {
    expect(pyStr("it's")).toBe(`"it's"`);
    expect(pyStr('a\nb')).toBe("'a\\nb'");
    expect(pformat({ b: '2', a: true })).toBe("{'a': True, 'b': '2'}");
    expect(pformat({ key: 'x'.repeat(80), a: [1, 0] })).toBe(`{'a': (1, 0),\n 'key': '${'x'.repeat(80)}'}`);
  });

  it("shows the same CGI and HTTP_ keys as the book's wsgi_env.py under wsgiref", async () => {
    const args = ['-sS', '-H', 'X-Chapter: 10', '-H', 'Content-Type: text/plain', '-d', 'hello'];
    const ours = (await run('curl', [...args, `${app.url}/environ?x=1&y=%20`])).stdout;
    const book = (await run('curl', [...args, `http://127.0.0.1:${pythonPort}/environ?x=1&y=%20`])).stdout;
    expect(ours.startsWith('Here is the WSGI environment:\r\n\r\n{')).toBe(true);
    expect(book.startsWith('Here is the WSGI environment:\r\n\r\n{')).toBe(true);
    const entries = (text: string) =>
      new Map([...text.matchAll(/^[{ ]'([A-Za-z_.]+)': (.*?)[,}]?$/gm)].map((m) => [m[1]!, m[2]!]));
    const mine = entries(ours);
    const theirs = entries(book);
    const same = [
      'REQUEST_METHOD',
      'PATH_INFO',
      'QUERY_STRING',
      'SCRIPT_NAME',
      'CONTENT_TYPE',
      'CONTENT_LENGTH',
      'SERVER_PROTOCOL',
      'REMOTE_ADDR',
      'HTTP_X_CHAPTER',
      'HTTP_ACCEPT',
      'HTTP_USER_AGENT',
      'SERVER_NAME',
      'wsgi.url_scheme',
      'wsgi.version',
      'wsgi.multiprocess',
      'wsgi.run_once',
      'wsgi.file_wrapper',
    ];
    for (const key of same) expect([key, mine.get(key)]).toEqual([key, theirs.get(key)]);
    expect(mine.get('SERVER_NAME')).toBe("'localhost'");
    expect(mine.get('HTTP_HOST')).toBe(`'127.0.0.1:${app.port}'`);
    // Without a body: wsgiref's CONTENT_TYPE default, 'text/plain', and an empty CONTENT_LENGTH.
    const bare = entries((await run('curl', ['-sS', `${app.url}/environ`])).stdout);
    const bareBook = entries((await run('curl', ['-sS', `http://127.0.0.1:${pythonPort}/environ`])).stdout);
    for (const key of ['CONTENT_TYPE', 'CONTENT_LENGTH', 'REQUEST_METHOD', 'QUERY_STRING'])
      expect([key, bare.get(key)]).toEqual([key, bareBook.get(key)]);
    expect(bare.get('CONTENT_TYPE')).toBe("'text/plain'");
    // Ours does not hand the server's own environment (PATH, HOME, secrets) to every client.
    expect(theirs.has('PATH')).toBe(true);
    expect(mine.has('PATH')).toBe(false);
  });
});
