/** httpbin's /forms/post: an HTML form that posts to /post (our own form, httpbin's target). */
import type { FastifyInstance } from 'fastify';
import { sendNegotiated } from './negotiate.js';

export const ORDER_FORM = `<!DOCTYPE html>
<html>
  <head>
    <title>A form for /post</title>
  </head>
  <body>
    <form method="post" action="/post">
      <p><label>First name: <input type="text" name="firstname"></label></p>
      <p><label>Last name: <input type="text" name="lastname"></label></p>
      <p><label>Chapter: <select name="chapter">
        <option>9 HTTP clients</option><option>10 HTTP servers</option><option>11 The World Wide Web</option>
      </select></label></p>
      <p><label>Comments: <textarea name="comments"></textarea></label></p>
      <input type="submit" value="submit">
    </form>
  </body>
</html>
`;

export async function formRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/forms/post',
    { config: { summary: 'an HTML form that POSTs to /post', group: 'HTTP methods' } },
    (req, reply) => sendNegotiated(req, reply, 'text/html; charset=utf-8', ORDER_FORM),
  );
}
