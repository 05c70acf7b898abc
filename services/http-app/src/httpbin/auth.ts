/** httpbin's /bearer and /hidden-basic-auth (Basic and Digest have their own files). */
import type { FastifyInstance } from 'fastify';
import { sendStatus } from './status.js';

/** "user:pass" from a Basic Authorization header, or undefined. */
export function basicCredentials(header: string | undefined): string | undefined {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : undefined;
}

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const group = 'Auth';
  app.get(
    '/bearer',
    { config: { summary: '200 with the token of an Authorization: Bearer header, else 401', group } },
    (req, reply) => {
      const m = /^Bearer +(\S.*)$/.exec(req.headers.authorization ?? '');
      // httpbin answers any Authorization header (its lstrip('Bearer ') also eats a token's
      // leading B, e, a, r); here only a Bearer one, and the token whole.
      if (!m)
        return reply.code(401).header('www-authenticate', 'Bearer').type('text/html; charset=utf-8').send('');
      return { authenticated: true, token: m[1] };
    },
  );
  app.get<{ Params: { user: string; pass: string } }>(
    '/hidden-basic-auth/:user/:pass',
    { config: { summary: '200 with the right Basic credentials, else 404 (no challenge)', group } },
    (req, reply) => {
      if (basicCredentials(req.headers.authorization) === `${req.params.user}:${req.params.pass}`)
        return { authenticated: true, user: req.params.user };
      return sendStatus(reply, 404);
    },
  );
}
