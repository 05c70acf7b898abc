/** http-app's smoke check: the bank's login page, a form with a password field. */
import { defineSmoke, smokeFetch } from '@fopnp/net';

export const smoke = defineSmoke([
  {
    name: 'bank login page',
    async run(t) {
      const { status, text, headers } = await smokeFetch(`http://${t.host}:${t.port('http')}/bank/login`);
      if (status !== 200 || !/<form[^>]*>/i.test(text) || !/password/i.test(text))
        throw new Error(`GET /bank/login answered ${status} without a login form`);
      const csp = headers.get('content-security-policy');
      return `login page served (${text.length} bytes${csp ? ', with a Content-Security-Policy' : ''})`;
    },
  },
]);
