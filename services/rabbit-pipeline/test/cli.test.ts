/**
 * Clear errors and exit codes: an unreachable broker, a bad option, and the error codes
 * themselves (unique, each the key it is listed under).
 */
import { redactUrl } from '@fopnp/net';
import { freePort, runNode } from '@fopnp/net/testing';
import { expect, it } from 'vitest';
import { BrokerUnreachableError, PIPELINE_ERRORS } from '../src/errors.js';
import { CLI, deleteAllUnder, uniquePrefix } from './helpers.js';

it('gives every error code once, under its own name', () => {
  const values = Object.values(PIPELINE_ERRORS.codes);
  expect(new Set(values).size).toBe(values.length);
  for (const [key, value] of Object.entries(PIPELINE_ERRORS.codes))
    expect(value).toBe(`FOPNP_RABBIT_PIPELINE_ERR_${key}`);
});

it('says in one line that RabbitMQ is unreachable, and exits 1', async () => {
  const port = await freePort();
  const r = await runNode(CLI, ['judge', '--amqp-url', `amqp://guest:secret@127.0.0.1:${port}`]);
  expect(r.code).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(
    new RegExp(
      `^error: cannot reach RabbitMQ at amqp://guest:\\*\\*\\*@127\\.0\\.0\\.1:${port}.*ECONNREFUSED.*set AMQP_URL`,
    ),
  );
  expect(r.stderr).not.toContain('secret');
  expect(r.stdout).toBe('');
});

it('says the login was refused, not that RabbitMQ is down, for a wrong password', async () => {
  // The shared broker on 5672 (guest/guest) is up: only the password is wrong.
  const r = await runNode(CLI, [
    'dead-letters',
    '--amqp-url',
    'amqp://guest:not-the-password@127.0.0.1:5672',
  ]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(
    'error: RabbitMQ at amqp://guest:***@127.0.0.1:5672 refused the login of user "guest" (403 ACCESS_REFUSED): ' +
      'wrong user name or password? set them in AMQP_URL or --amqp-url\n',
  );
});

it("reports the broker's refusal of a missing queue in one line, and exits 1", async () => {
  const prefix = uniquePrefix('cli');
  const r = await runNode(CLI, ['consume', `${prefix}.nothing-here`, '--prefix', prefix]);
  await deleteAllUnder(prefix);
  expect(r.code).toBe(1);
  expect(r.stderr.trim()).toMatch(/^error: RabbitMQ refused: .*404 \(NOT-FOUND\).*no queue '.*nothing-here'/);
});

it('rejects a bad option value with exit code 2, naming the option', async () => {
  const r = await runNode(CLI, ['bitsource', '--points', 'lots']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/invalid value for --points: expected an integer, got "lots"/);
});

it('rejects an unknown role with the list of roles', async () => {
  const r = await runNode(CLI, ['oracle']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/unknown command "oracle"; expected one of: bitsource, always-yes, judge/);
});

it('hides the password of a URL in messages', () => {
  expect(redactUrl('amqp://u:p4ss@h:5672/v')).toBe('amqp://u:***@h:5672/v');
  expect(new BrokerUnreachableError('amqp://h').code).toBe('FOPNP_RABBIT_PIPELINE_ERR_BROKER_UNREACHABLE');
});
