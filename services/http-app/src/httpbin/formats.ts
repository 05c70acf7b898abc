/**
 * httpbin's fixed documents and small utilities: /uuid, /html, /xml, /json, /robots.txt,
 * /deny, /encoding/utf8, /base64/:value. The documents are our own (a page of the book's
 * subject, not Moby-Dick); their types and structure are httpbin's, and /json keeps the shape
 * of httpbin's slideshow so clients that walk it still work.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpAppError } from '../errors.js';
import { sandboxed } from './guard.js';
import { sendNegotiated } from './negotiate.js';

const GROUP = 'Response formats';

export const HTML_PAGE = `<!DOCTYPE html>
<html>
  <head>
  </head>
  <body>
      <h1>Foundations of Python Network Programming - HTTP</h1>

      <div>
        <p>
          A client opens a connection, writes a request line, headers and perhaps a body, and
          reads back a status line, headers and a body framed by Content-Length, by chunks, or by
          the closing of the connection. Everything else, cookies and caches and redirects and
          authentication, is made of headers: this server shows you each of them.
        </p>
      </div>
  </body>
</html>`;

export const XML_DOCUMENT = `<?xml version='1.0' encoding='us-ascii'?>

<!--  A sample set of slides  -->

<slideshow
    title="Sample Slide Show"
    date="Date of publication"
    author="Yours Truly"
    >

    <!-- TITLE SLIDE -->
    <slide type="all">
      <title>Wake up to HTTP!</title>
    </slide>

    <!-- OVERVIEW -->
    <slide type="all">
        <title>Overview</title>
        <item>Why <em>headers</em> matter</item>
        <item/>
        <item>Who <em>reads</em> them</item>
    </slide>

</slideshow>`;

/** The shape of httpbin's /json: a slideshow with an author, a date, slides and a title. */
export const SLIDESHOW = {
  slideshow: {
    author: 'Yours Truly',
    date: 'date of publication',
    slides: [
      { title: 'Wake up to HTTP!', type: 'all' },
      { items: ['Why <em>headers</em> matter', 'Who <em>reads</em> them'], title: 'Overview', type: 'all' },
    ],
    title: 'Sample Slide Show',
  },
};

export const ROBOTS_TXT = 'User-agent: *\nDisallow: /deny\n';

export const DENIED = `
          .-""""""-.
        .'          '.
       /   x      x   \\
      :                :
      |     ______     |
      :    '      '    :
       \\              /
        '.          .'
          '-......-'
     YOU SHOULDN'T BE HERE
`;

export const UTF8_SAMPLE = `UTF-8 encoded sample plain-text file
‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾

Greek:      Η γλώσσα μου έδωσαν ελληνική
Russian:    Зарегистрируйтесь сейчас на Десятую Международную Конференцию
Georgian:   გთხოვთ ახლავე გაიაროთ რეგისტრაცია
Thai:       สิบสองกษัตริย์ก่อนหน้าแลถัดไป
Amharic:    ሰማይ አይታረስ ንጉሥ አይከሰስ።
Runes:      ᚻᛖ ᚳᚹᚫᚦ ᚦᚫᛏ ᚻᛖ ᛒᚢᛞᛖ ᚩᚾ ᚦᚫᛗ
Braille:    ⡌⠁⠧⠑ ⠼⠁⠒  ⡍⠜⠇⠑⠹⠰⠎ ⡣⠕⠌
Chinese:    我能吞下玻璃而不伤身体。
Japanese:   私はガラスを食べられます。それは私を傷つけません。
Mathematics: ∮ E⋅da = Q,  n → ∞, ∑ f(i) = ∏ g(i), ∀x∈ℝ: ⌈x⌉ = −⌊−x⌋
Emoji:      🌍 📡 🔐 ✉️
`;

export async function formatRoutes(app: FastifyInstance): Promise<void> {
  const html = 'text/html; charset=utf-8';
  app.get('/uuid', { config: { summary: 'a fresh UUID4', group: 'Dynamic data' } }, () => ({
    uuid: randomUUID(),
  }));
  app.get('/html', { config: { summary: 'an HTML page', group: GROUP } }, (req, reply) =>
    sendNegotiated(req, reply, html, HTML_PAGE),
  );
  app.get('/xml', { config: { summary: 'an XML document', group: GROUP } }, (req, reply) =>
    sendNegotiated(req, reply, 'application/xml', XML_DOCUMENT),
  );
  app.get(
    '/json',
    { config: { summary: "a JSON document (httpbin's slideshow shape)", group: GROUP } },
    (req, reply) => sendNegotiated(req, reply, 'application/json', JSON.stringify(SLIDESHOW)),
  );
  app.get(
    '/robots.txt',
    { config: { summary: 'a robots.txt that disallows /deny', group: GROUP } },
    (_req, reply) => reply.type('text/plain; charset=utf-8').send(ROBOTS_TXT),
  );
  app.get('/deny', { config: { summary: 'the page robots.txt forbids', group: GROUP } }, (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send(DENIED),
  );
  app.get(
    '/encoding/utf8',
    { config: { summary: 'a page of UTF-8 text in many scripts', group: GROUP } },
    (req, reply) => sendNegotiated(req, reply, html, UTF8_SAMPLE),
  );
  app.get<{ Params: { value: string } }>(
    '/base64/:value',
    { config: { summary: 'the value decoded from URL-safe base64, as UTF-8 text', group: 'Dynamic data' } },
    (req, reply) => sandboxed(reply).type(html).send(decodeBase64Url(req.params.value)),
  );
}

/** Python's urlsafe_b64decode(...).decode('utf-8'), refusing what it refuses (with a 400, not a 500). */
export function decodeBase64Url(value: string): string {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(value) || value.replace(/=+$/, '').length % 4 === 1)
    throw new HttpAppError('BAD_PARAMETER', `${JSON.stringify(value)} is not URL-safe base64`);
  if (value.length % 4 !== 0 && value.includes('='))
    throw new HttpAppError('BAD_PARAMETER', `${JSON.stringify(value)} has wrong base64 padding`);
  const bytes = Buffer.from(value, 'base64url');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (Buffer.from(text, 'utf8').compare(bytes) !== 0)
    throw new HttpAppError('BAD_PARAMETER', 'the decoded bytes are not UTF-8 text');
  return text;
}
