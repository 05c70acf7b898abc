/**
 * An interactive shell channel (the book's ssh_simple.py). On a terminal it asks for a
 * pty and passes keystrokes through raw; from a pipe or a script it sends the input as is
 * and prints what comes back, so `printf 'echo Hello, world\nexit\n' | ssh-runner shell`
 * works like the book's program.
 */
import type { Readable, Writable } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';

export interface ShellIO {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  stdout: Writable & { columns?: number; rows?: number };
  stderr: Writable;
}

/** Runs a shell until the remote side closes it; resolves with the remote exit status. */
export function runShell(client: Client, io: ShellIO): Promise<number | null> {
  const tty = Boolean(io.stdin.isTTY);
  return new Promise((resolve, reject) => {
    const onChannel = (err: Error | undefined, channel: ClientChannel) => {
      if (err) return reject(err);
      let code: number | null = null;
      channel.on('exit', (c: number | null) => {
        code = c;
      });
      channel.pipe(io.stdout, { end: false });
      channel.stderr.pipe(io.stderr, { end: false });
      if (tty) io.stdin.setRawMode?.(true);
      io.stdin.pipe(channel);
      channel.on('close', () => {
        io.stdin.unpipe(channel);
        if (tty) io.stdin.setRawMode?.(false);
        io.stdin.pause();
        resolve(code);
      });
    };
    if (tty) {
      client.shell(
        { term: process.env.TERM ?? 'xterm', cols: io.stdout.columns ?? 80, rows: io.stdout.rows ?? 24 },
        onChannel,
      );
    } else client.shell(false, onChannel);
  });
}
