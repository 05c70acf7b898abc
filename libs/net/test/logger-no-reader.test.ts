/**
 * A service whose stdout reader has gone (a closed terminal, a supervisor that dropped its
 * pipe) still stops on SIGTERM. pino's own destination retried the failed write (EPIPE)
 * for ever, sleeping in the event loop's thread, so the shutdown never ran and the
 * process had to be killed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/slow-service.mjs', import.meta.url));

describe('logging to a stdout nobody reads any more', () => {
  it('does not stop the service from exiting 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, LOG_LEVEL: 'info', CI: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let seen = '';
      for await (const chunk of child.stdout!) {
        seen += String(chunk);
        if (seen.includes('"msg":"ready"')) break; // leaving the loop destroys our end of the pipe
      }
      expect(child.stdout!.destroyed).toBe(true);
      // Every line from now on meets EPIPE: the shutdown logs several.
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const t0 = performance.now();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code, signal] = await exited;
      clearTimeout(timer);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(performance.now() - t0).toBeLessThan(10_000);
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);
});
