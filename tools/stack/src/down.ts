/**
 * `pnpm stack down`: stops the stack running here — SIGTERM to its process, which stops its
 * children in order — or, when it died, what it left; then removes its run files.
 */
import { sleep } from '@fopnp/net';
import {
  readRecord,
  removeRunFiles,
  runDir,
  stackAlive,
  stopLeftovers,
  takeWatchdogNotes,
} from './run-record.js';

const say = (line: string) => process.stdout.write(`stack: ${line}\n`);

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await sleep(200);
  }
  return cond();
}

export async function stopStack(root: string, timeoutMs = 60_000): Promise<void> {
  const record = readRecord(root);
  for (const note of takeWatchdogNotes(root)) say(`from the last run: ${note}`);
  if (!record) {
    say('no stack is running here');
  } else if (stackAlive(record)) {
    say(`stopping the stack (pid ${record.pid}, profile ${record.profile})…`);
    process.kill(record.pid, 'SIGTERM');
    if (!(await until(() => !stackAlive(record), timeoutMs))) {
      // Its watchdog then stops the children it knew of; leftovers below catch the rest.
      say(`the stack did not stop in ${timeoutMs / 1000} s: SIGKILL`);
      process.kill(record.pid, 'SIGKILL');
      await until(() => !stackAlive(record), 5000);
    }
    say(`stopped the stack (pid ${record.pid})`);
  } else {
    say(`the stack recorded here (pid ${record.pid}) is not running`);
  }
  if (record) {
    const left = await stopLeftovers(record);
    if (left.length) say(`stopped what it had left running: ${left.join(', ')}`);
  }
  removeRunFiles(root);
  say(`removed ${runDir(root)}`);
}
