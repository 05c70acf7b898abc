/**
 * What the lab's polling costs the things it polls: CPU time of RabbitMQ (beam.smp) and
 * Redis (redis-server) while the lab's own sources poll them, against the same length of
 * time without, read from /proc/<pid>/stat. Both are shared on a development machine, so
 * each measurement is taken in alternating windows and the medians are compared; a burst
 * of back-to-back polls gives the cost of one poll, and from it the cost at POLL_MS.
 *
 *   node dist/bench/poll-cost.js [seconds per window, default 10] [windows, default 3]
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createLogger } from '@fopnp/net';
import { DECLARED } from '../src/declared.js';
import { RabbitSource } from '../src/sources/rabbitmq.js';
import { RedisSource } from '../src/sources/redis.js';
import { ServicesSource } from '../src/sources/services.js';

const WINDOW_S = Number(process.argv[2] ?? 10);
const WINDOWS = Number(process.argv[3] ?? 3);
const POLL_MS = 1000;
const TICK = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK; // utime, stime
}

function pids(): { rabbit: number; redis: number } {
  const rabbit = Number(
    execFileSync('rabbitmqctl', ['-q', 'eval', 'list_to_integer(os:getpid()).'], { encoding: 'utf8' }).trim(),
  );
  const info = execFileSync('redis-cli', ['info', 'server'], { encoding: 'utf8' });
  const redis = Number(/process_id:(\d+)/.exec(info)?.[1]);
  return { rabbit, redis };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const logger = createLogger('bench', { level: 'silent' });
  const rabbit = new RabbitSource(
    'http://guest:guest@127.0.0.1:15672',
    'amqp://guest:guest@127.0.0.1:5672',
    'fopnp',
    logger,
  );
  const redis = new RedisSource(['redis://127.0.0.1:6379'], logger);
  const services = new ServicesSource(DECLARED, { servicesHost: '127.0.0.1' });
  const pollAll = () => Promise.all([rabbit.poll(), redis.poll(), services.poll()]);
  await pollAll(); // connections made outside the measurement
  const p = pids();

  const window = async (mode: 'idle' | 'interval' | 'burst') => {
    const t0 = performance.now();
    const [r0, d0] = [cpuSeconds(p.rabbit), cpuSeconds(p.redis)];
    let polls = 0;
    const end = t0 + WINDOW_S * 1000;
    while (performance.now() < end) {
      if (mode === 'idle') await sleep(Math.min(250, end - performance.now()));
      else {
        const started = performance.now();
        await pollAll();
        polls++;
        if (mode === 'interval') await sleep(Math.max(0, POLL_MS - (performance.now() - started)));
      }
    }
    const s = (performance.now() - t0) / 1000;
    return { rabbit: (cpuSeconds(p.rabbit) - r0) / s, redis: (cpuSeconds(p.redis) - d0) / s, polls, s };
  };

  const idle: { rabbit: number; redis: number }[] = [];
  const interval: { rabbit: number; redis: number }[] = [];
  const burst: { rabbit: number; redis: number; polls: number; s: number }[] = [];
  for (let i = 0; i < WINDOWS; i++) {
    idle.push(await window('idle'));
    interval.push(await window('interval'));
    burst.push(await window('burst'));
  }
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  for (const who of ['rabbit', 'redis'] as const) {
    const base = median(idle.map((w) => w[who]));
    const at1s = median(interval.map((w) => w[who])) - base;
    const perPoll = median(burst.map((w) => ((w[who] - base) * w.s) / w.polls));
    console.log(
      `${who === 'rabbit' ? 'RabbitMQ' : 'Redis   '}: idle ${pct(base)} of a core; polled every ${POLL_MS} ms +${pct(at1s)}; one poll ${(perPoll * 1000).toFixed(2)} ms CPU → ${pct(perPoll / (POLL_MS / 1000))} at ${POLL_MS} ms`,
    );
  }
  console.log(
    `polls per second in a burst: ${median(burst.map((w) => w.polls / w.s)).toFixed(1)} (${WINDOWS} windows of ${WINDOW_S} s each)`,
  );
  await rabbit.close();
  await redis.close();
}

await main();
