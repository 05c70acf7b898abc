/**
 * `http-app insecure-bank`: the book's app_insecure.py, to show its attacks. It binds loopback
 * addresses only — a host option naming anything else is refused — and keeps its bank in
 * memory, seeded with the book's users and payments, gone when it stops.
 */
import { isIP } from 'node:net';
import {
  classifyError,
  complain,
  defineCommand,
  defineOptions,
  InvalidConfigError,
  say,
} from '@fopnp/net/cli';

export const insecureBankOptions = defineOptions({
  host: {
    type: 'string',
    default: '127.0.0.1',
    description: 'loopback address to bind (127.0.0.0/8, ::1 or localhost; nothing else is accepted)',
  },
  port: {
    type: 'port',
    short: 'p',
    default: 5000,
    description: "TCP port (Flask's default, as in the book)",
  },
});

/** True for the addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || /^::ffff:127\./i.test(host);
}

export const insecureBankCommand = defineCommand({
  description: "run the book's app_insecure.py (XSS, CSRF, forgeable login) on a loopback port, to attack it",
  options: insecureBankOptions,
  async run({ values }) {
    if (!isLoopback(values.host)) {
      throw new InvalidConfigError(
        '--host',
        `${values.host} is not a loopback address: the insecure bank is for attacking on this machine only`,
      );
    }
    // Loaded when run: `http-app --help` loads no bank, database or web framework (issue 20).
    const [{ openBank }, { createInsecureBank }] = await Promise.all([
      import('../bank/open.js'),
      import('./app.js'),
    ]);
    const store = await openBank({ sqlitePath: ':memory:' });
    const app = await createInsecureBank(store);
    try {
      await app.listen({ host: values.host, port: values.port });
    } catch (err) {
      await store.close();
      throw classifyError(err, `${values.host}:${values.port}`);
    }
    const { port } = app.server.address() as { port: number };
    complain("WARNING: this is the book's app_insecure.py: any page can pay from it (CSRF), any memo");
    complain('runs as script (XSS), and a cookie "username=brandon" logs anyone in. Loopback only.');
    say(
      `insecure bank on http://${values.host.includes(':') ? `[${values.host}]` : values.host}:${port}/ (brandon / atigdng, sam / xyzzy)`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await app.close();
    await store.close();
    return 0;
  },
});
