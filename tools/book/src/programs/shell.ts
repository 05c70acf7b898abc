/**
 * Chapter 16's shell.py: a prompt that splits each line on whitespace and runs it as a
 * command with no shell in between, so `*`, `$HOME`, quotes and `;` reach the program as
 * typed (the book's lesson about what a remote shell would have done to them). `show`
 * prints the arguments as split; `exit` (or end of input) leaves.
 */
import { spawnSync } from 'node:child_process';
import readline from 'node:readline';
import { pyStrRepr } from './chapter01.js';

/** What Python prints for the OSError of a command that cannot be run. */
function pythonOsError(err: NodeJS.ErrnoException, program: string): string {
  if (err.code === 'ENOENT') return `[Errno 2] No such file or directory: ${pyStrRepr(program)}`;
  if (err.code === 'EACCES') return `[Errno 13] Permission denied: ${pyStrRepr(program)}`;
  return err.message;
}

export async function shell(): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  for (;;) {
    process.stdout.write('] ');
    const next = await lines.next();
    if (next.done) break;
    const args = next.value.trim().split(/\s+/).filter(Boolean);
    if (args.length === 0) continue;
    if (args.length === 1 && args[0] === 'exit') break;
    if (args[0] === 'show') {
      process.stdout.write(`Arguments: [${args.slice(1).map(pyStrRepr).join(', ')}]\n`);
      continue;
    }
    const result = spawnSync(args[0]!, args.slice(1), { stdio: 'inherit' });
    if (result.error)
      process.stdout.write(`${pythonOsError(result.error as NodeJS.ErrnoException, args[0]!)}\n`);
  }
  rl.close();
}
