import { type BackgroundProcess, bookProgram, cliTestKit, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APHORISMS } from '../src/index.js';

const { startCli, runPython } = cliTestKit(import.meta.url);
/** The book's chapter 7 client.py, unchanged (it imports zen_utils.py beside it), from ../shared/peers/fopnp-py3. */
const CLIENT = bookProgram('chapter07/client.py');

let server: BackgroundProcess;
let port: number;

beforeAll(async () => {
  server = startCli(['server', '127.0.0.1', '-p', '0'], { LOG_LEVEL: 'info' });
  port = Number((await server.waitForOutput(/Listening at 127\.0\.0\.1:(\d+) \(mode loop\)/))[1]);
});
afterAll(async () => {
  await server?.stop();
  await stopAll();
});

const pyBytes = (s: string) => `b'${s}'`;

describe('interop with the book’s Python client (stdlib socket)', () => {
  it('asks three questions and gets the right answer to each', async () => {
    const r = await runPython(CLIENT, ['127.0.0.1', '-p', String(port)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const expected = new Map(APHORISMS.slice(0, 3).map(([q, a]) => [`${pyBytes(q)} ${pyBytes(a)}`, true]));
    for (const line of lines) expect(expected.has(line), line).toBe(true);
    expect(new Set(lines).size).toBe(3);
  });

  it('gets every comparative answered, in order, when it pipelines them in one sendall', async () => {
    const r = await runPython('zen_pipeline.py', ['127.0.0.1', String(port), ...APHORISMS.map(([q]) => q)]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(APHORISMS.map(([q, a]) => `${pyBytes(q)} ${pyBytes(a)}`));
  });

  it('handles -e (half a question, then hang up): logged, and the server keeps answering', async () => {
    const r = await runPython(CLIENT, ['127.0.0.1', '-p', String(port), '-e']);
    expect(r.code).toBe(0);
    await server.waitForOutput(/"receivedBytes":24,"msg":"client closed the connection mid-question"/);
    const after = await runPython(CLIENT, ['127.0.0.1', '-p', String(port)]);
    expect(after.code).toBe(0);
    expect(after.stdout.trim().split('\n')).toHaveLength(3);
  });
});
