/**
 * The anchor of the benchmarks: a bare node:http server computing the same JSON as http-app's
 * /get with the same function (getEcho), and for POST reading the body itself, JSON.parse-ing
 * it and answering httpbin's fields. Run alone (`node dist/bench/bare.js`) it listens on a free
 * loopback port and prints `port N`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { getEcho } from '../src/echo/request-info.js';

/** A 1 KiB JSON document, as a client posting a small record would send. */
export const POST_BODY = JSON.stringify({
  account: 'sam',
  memo: 'x'.repeat(959),
  dollars: 125,
  tags: ['bench', 'post'],
});
if (Buffer.byteLength(POST_BODY) !== 1024)
  throw new Error(`POST body is ${Buffer.byteLength(POST_BODY)} bytes`);

function bareEcho(req: http.IncomingMessage) {
  return getEcho({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    rawHeaders: req.rawHeaders,
    ip: req.socket.remoteAddress ?? '',
    protocol: 'http',
    host: req.headers.host ?? '',
  });
}

function sendJson(res: http.ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export async function startBareServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') return sendJson(res, bareEcho(req));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const data = Buffer.concat(chunks).toString('utf8');
      sendJson(res, { ...bareEcho(req), data, files: {}, form: {}, json: JSON.parse(data) });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await startBareServer();
  console.log(`port ${(server.address() as AddressInfo).port}`);
}
