/**
 * A cluster's nodes in one AMQP_URL: parsed, redacted, gone round in turn; an unreachable
 * list is reported in one line with every password hidden.
 */
import { freePort, runNode } from '@fopnp/net/testing';
import { expect, it } from 'vitest';
import { Endpoints, parseUrls, redactUrls } from '../src/endpoints.js';
import { CLI } from './helpers.js';

it('splits a comma-separated list of node URLs and hides each password', () => {
  const list = 'amqp://u:p1@h1:5672, amqp://u:p2@h2:5673/v ,';
  expect(parseUrls(list)).toEqual(['amqp://u:p1@h1:5672', 'amqp://u:p2@h2:5673/v']);
  expect(redactUrls(list)).toBe('amqp://u:***@h1:5672,amqp://u:***@h2:5673/v');
});

it('points its connection target at the next node, round the list', () => {
  const e = new Endpoints('amqp://u:p@h1:1001,amqp://w:q@h2:1002/vh?heartbeat=3', 10);
  expect(e.target).toMatchObject({
    hostname: 'h1',
    port: 1001,
    username: 'u',
    password: 'p',
    vhost: '/',
    heartbeat: 10,
  });
  const target = e.target;
  e.next();
  // The same object, changed in place: amqplib reads it again on its next attempt.
  expect(e.target).toBe(target);
  expect(target).toMatchObject({
    hostname: 'h2',
    port: 1002,
    username: 'w',
    password: 'q',
    vhost: 'vh',
    heartbeat: 3,
  });
  expect(e.current).toBe('amqp://w:q@h2:1002/vh?heartbeat=3');
  e.next();
  expect(target).toMatchObject({ hostname: 'h1', port: 1001 });
});

it('says in one line that none of the nodes is reachable, passwords hidden, exit 1', async () => {
  const [a, b] = [await freePort(), await freePort()];
  const r = await runNode(CLI, [
    'judge',
    '--amqp-url',
    `amqp://guest:s1@127.0.0.1:${a},amqp://guest:s2@127.0.0.1:${b}`,
  ]);
  expect(r.code).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(
    `cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:${a},amqp://guest:***@127.0.0.1:${b}`,
  );
  expect(r.stderr).not.toMatch(/s1|s2/);
});
