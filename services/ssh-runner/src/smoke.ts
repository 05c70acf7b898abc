/**
 * ssh-runner's smoke check. The stack declares no SSH hosts, so no job can run; what a
 * user meets first is the API's gate: no token is 401, the deployment's token lists the
 * (empty) jobs. Only where the API port is reachable (compose does not publish it).
 */
import { defineSmoke, smokeFetch } from '@fopnp/net';

export const smoke = defineSmoke([
  {
    name: 'api token gate',
    appliesTo: (t) => 'http' in t.ports && Boolean(t.env.API_TOKEN),
    async run(t) {
      const url = `http://${t.host}:${t.port('http')}/jobs`;
      const anonymous = await smokeFetch(url);
      if (anonymous.status !== 401 || anonymous.headers.get('www-authenticate') !== 'Bearer')
        throw new Error(
          `GET /jobs without a token answered ${anonymous.status}, not 401 with WWW-Authenticate: Bearer`,
        );
      const authorized = await smokeFetch(url, { headers: { authorization: `Bearer ${t.env.API_TOKEN}` } });
      const jobs = authorized.json as { hostGroups?: Record<string, unknown> } | undefined;
      if (authorized.status !== 200 || !jobs?.hostGroups)
        throw new Error(
          `GET /jobs with the token answered ${authorized.status}: ${authorized.text.slice(0, 200)}`,
        );
      return `no token: 401; with API_TOKEN: 200, ${Object.keys(jobs.hostGroups).length} host groups declared`;
    },
  },
]);
