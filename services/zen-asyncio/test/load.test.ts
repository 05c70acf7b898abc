import { type BackgroundProcess, cliTestKit, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../bench/loadgen.js';
import { APHORISMS, REPLIES, ZenClient } from '../src/index.js';

const { startCli } = cliTestKit(import.meta.url);
const CONNECTIONS = 200;

let server: BackgroundProcess;
let port: number;

beforeAll(async () => {
  server = startCli(['server', '127.0.0.1', '-p', '0'], { LOG_LEVEL: 'warn' });
  port = Number((await server.waitForOutput(/Listening at 127\.0\.0\.1:(\d+)/))[1]);
});
afterAll(async () => {
  await server?.stop();
  await stopAll();
});

describe(`a small load run (${CONNECTIONS} connections at once)`, () => {
  it('answers every pipelined question on every connection correctly and in order', async () => {
    const clients = await Promise.all(
      Array.from({ length: CONNECTIONS }, () => ZenClient.connect('127.0.0.1', port)),
    );
    const asked = [...APHORISMS, ['Unknown is better than?', REPLIES.unknown] as const];
    const transcripts = await Promise.all(
      clients.map(async (client, i) => {
        // a different rotation per connection, so a mixed-up reply would show
        const mine = asked.map((_, k) => asked[(i + k) % asked.length]!);
        client.socket.write(mine.map(([q]) => q).join(''));
        const got: string[] = [];
        for (let k = 0; k < mine.length; k++) got.push(await client.readAnswer());
        await client.close();
        return { want: mine.map(([, a]) => a), got };
      }),
    );
    for (const t of transcripts) expect(t.got).toEqual(t.want);
  });

  it('keeps every answer right under a sustained run by the benchmark’s load generator', async () => {
    const result = await runLoad({
      host: '127.0.0.1',
      port,
      connections: CONNECTIONS,
      depth: 4,
      warmupMs: 0,
      seconds: 1,
    });
    expect(result.connections).toBe(CONNECTIONS);
    expect(result).toMatchObject({ connectFailures: 0, wrongAnswers: 0, errors: 0, unanswered: 0 });
    // every question sent was answered (unanswered 0) and rightly (wrongAnswers 0); how
    // many fit in the second depends on the machine, so only "some" is asserted
    expect(result.answered).toBeGreaterThan(0);
  });
});
