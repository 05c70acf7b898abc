/**
 * What httpbin sends with a bare status code (its helpers.status_code): a Location for the
 * redirects, a challenge for 401/407, a joke for 402 and 418, the accepted types for 406.
 */
import type { FastifyReply } from 'fastify';

export const ACCEPTED_MEDIA_TYPES = ['image/webp', 'image/svg+xml', 'image/jpeg', 'image/png', 'image/*'];

const TEAPOT = `
    -=[ teapot ]=-

       _...._
     .'  _ _ \`.
    | ."\` ^ \`". _,
    \\_;\`"---"\`|//
      |       ;/
      \\_     _/
        \`"""\`
`;

interface Extra {
  headers?: Record<string, string>;
  body?: string;
}

const REDIRECT: Extra = { headers: { location: '/redirect/1' } };
const EXTRAS: Record<number, Extra> = {
  301: REDIRECT,
  302: REDIRECT,
  303: REDIRECT,
  304: { headers: {} },
  305: REDIRECT,
  307: REDIRECT,
  401: { headers: { 'www-authenticate': 'Basic realm="Fake Realm"' } },
  402: { headers: { 'x-more-info': 'http://vimeo.com/22053820' }, body: 'Fuck you, pay me!' },
  406: {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      message: 'Client did not request a supported media type.',
      accept: ACCEPTED_MEDIA_TYPES,
    }),
  },
  407: { headers: { 'proxy-authenticate': 'Basic realm="Fake Realm"' } },
  418: { headers: { 'x-more-info': 'http://tools.ietf.org/html/rfc2324' }, body: TEAPOT },
};

/**
 * Answers with `status` and httpbin's extras for it. Where httpbin sends only its own headers
 * the answer has no Content-Type either, except that a body always says it is text/plain;
 * otherwise an empty text/html body, as Flask's default response.
 */
export function sendStatus(reply: FastifyReply, status: number): FastifyReply {
  const extra = EXTRAS[status];
  reply.code(status);
  if (extra === undefined) return reply.type('text/html; charset=utf-8').send('');
  reply.headers(extra.headers ?? {});
  return extra.body === undefined ? reply.send() : reply.send(extra.body);
}
