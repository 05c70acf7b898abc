/** The requests the differential test sends to both servers, route by route. */
import type { Case } from './compare.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const json = { 'Content-Type': 'application/json' };
const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

export const CASES: Case[] = [
  // Request inspection
  { path: '/headers', headers: { 'X-Book': 'fopnp', 'x-lower-case': 'yes' } },
  { path: '/ip' },
  { path: '/user-agent' },
  { path: '/get?a=1&b=2&b=3&c=%C3%A9' },
  { path: '/get', headers: { 'X-Forwarded-For': '10.0.0.1' } },
  { method: 'POST', path: '/get' },
  { path: '/anything/deep/path?x=1' },
  { method: 'PUT', path: '/anything?x=1', headers: json, body: '{"amount": 5}' },
  { method: 'POST', path: '/anything', headers: form, body: 'a=1&a=2&b=%C3%A9' },
  { method: 'DELETE', path: '/anything', headers: { 'Content-Type': 'text/plain' }, body: 'plain text' },
  {
    method: 'POST',
    path: '/anything',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: Buffer.from([0xff, 0x00, 0x80]),
  },
  { method: 'PATCH', path: '/anything', headers: json, body: '{not json' },
  {
    method: 'POST',
    path: '/anything',
    headers: { 'Content-Type': 'text/plain' },
    body: '{"typed": "as text"}',
  },
  {
    method: 'OPTIONS',
    path: '/get',
    headers: { Origin: 'http://example.org', 'Access-Control-Request-Headers': 'X-Custom' },
  },
  { path: '/get', headers: { Origin: 'http://example.org' } },
  { path: '/no/such/route' },
  // Status codes
  ...[200, 201, 204, 301, 302, 303, 307, 401, 402, 404, 406, 407, 418, 500, 503].map(
    (s): Case => ({ path: `/status/${s}` }),
  ),
  { method: 'POST', path: '/status/201' },
  { method: 'PUT', path: '/status/404' },
  { path: '/status/418,418:3' },
  { path: '/status/abc' },
  // Redirects
  { path: '/redirect/3' },
  { path: '/redirect/1' },
  { path: '/redirect/2?absolute=true' },
  { path: '/relative-redirect/3' },
  { path: '/relative-redirect/1' },
  { path: '/absolute-redirect/2' },
  { path: '/absolute-redirect/1' },
  { path: '/redirect-to?url=/get' },
  { path: '/redirect-to?URL=/anything&status_code=307' },
  { method: 'POST', path: '/redirect-to?url=%2Fstatus%2F201&status_code=303' },
  { path: '/redirect-to?url=/get&status_code=200' },
  { path: '/redirect-to?url=http://example.org/elsewhere' },
  // Cookies
  { path: '/cookies', headers: { Cookie: 'a=1; b=two' } },
  { path: '/cookies/set?k=v&k2=v2' },
  { path: '/cookies/delete?k=' },
  // Auth
  {
    path: '/basic-auth/user/passwd',
    headers: { Authorization: `Basic ${Buffer.from('user:passwd').toString('base64')}` },
  },
  {
    path: '/basic-auth/user/passwd',
    headers: { Authorization: `Basic ${Buffer.from('user:wrong').toString('base64')}` },
  },
  { path: '/basic-auth/user/passwd' },
  // Encodings
  { path: '/gzip' },
  { path: '/deflate' },
  { path: '/brotli' },
  // Caching
  { path: '/cache', shape: { 'header.etag': /^"?[0-9a-f]{16,32}"?$/ } },
  { path: '/cache', headers: { 'If-None-Match': '"anything"' } },
  { path: '/cache', headers: { 'If-Modified-Since': 'Wed, 21 Oct 2015 07:28:00 GMT' } },
  { path: '/cache/60' },
  // Dynamic data
  { path: '/bytes/16', compare: 'length' },
  { path: '/stream/3', compare: 'none' },
  { path: '/delay/0' },
  { path: '/drip?numbytes=5&duration=0&delay=0' },
  { path: '/drip?numbytes=5&duration=0&code=201' },
];

export { UUID };
