/**
 * Helpers for tests that use real processes and sockets. Every helper is bounded in time
 * and every process it starts is tracked so `stopAll()` (call it in afterAll) ends them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '../logger.js';

// The wait helpers are production code too (tools/stack waits for what it starts).
export { sleep, waitForHttp, waitForPort } from '../wait.js';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const started = new Set<ChildProcess>();

/** Runs a command to completion (killed after `timeoutMs`) and collects its output. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    started.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      started.delete(child);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      started.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** Runs a compiled CLI (`dist/src/cli.js` of a package) with Node. */
export function runNode(
  script: string,
  args: readonly string[],
  options: Parameters<typeof run>[2] = {},
): Promise<RunResult> {
  return run(process.execPath, [script, ...args], { ...options, env: { LOG_LEVEL: 'warn', ...options.env } });
}

/**
 * The files a run of a CLI loads (file: URLs, Node's own modules left out), recorded by a
 * module hook preloaded into the child: e.g. `modulesLoadedBy(CLI, ['--help'])` to check that
 * `--help` stays off pino, prom-client and the service's own dependencies (issue 20).
 */
export async function modulesLoadedBy(script: string, args: readonly string[]): Promise<string[]> {
  const hook = [
    "import { registerHooks } from 'node:module';",
    'const seen = new Set();',
    'registerHooks({ load(url, ctx, next) { seen.add(url); return next(url, ctx); } });',
    "process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify([...seen].filter((u) => u.startsWith('file:'))) + '\\n'));",
  ].join('\n');
  const r = await run(process.execPath, [
    '--import',
    `data:text/javascript,${encodeURIComponent(hook)}`,
    script,
    ...args,
  ]);
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  if (!line) throw new Error(`no module list from ${script} ${args.join(' ')} (exit ${r.code}): ${r.stderr}`);
  return (JSON.parse(line.slice('LOADED '.length)) as string[]).map((u) => fileURLToPath(u));
}

/**
 * What a CLI run loads that a `--help` should not (issue 20): any dependency (a file under
 * node_modules), a logger, health, service or barrel module, and more than `maxFiles` files.
 */
export async function heavyModulesLoadedBy(
  script: string,
  args: readonly string[],
  maxFiles = 20,
): Promise<string[]> {
  const files = await modulesLoadedBy(script, args);
  const heavy = files.filter(
    (f) => f.includes('/node_modules/') || /\/(logger|health|service|http-limits|index)\.js$/.test(f),
  );
  if (files.length > maxFiles) heavy.push(`${files.length} files loaded (at most ${maxFiles})`);
  return heavy;
}

export interface BackgroundProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when the combined output matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process ends by itself (SIGKILL after `timeoutMs`). */
  exited(timeoutMs?: number): Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a long-running process, keeping its output for assertions. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): BackgroundProcess {
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      started.delete(child);
      for (const l of listeners) l();
      resolve(code);
    });
  });
  return {
    child,
    output: () => output,
    waitForOutput(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = output.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(
              new Error(
                `process exited (${child.exitCode ?? child.signalCode}) before ${pattern}; output:\n${output}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; output:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async exited(timeoutMs = 15_000) {
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(t);
        return code;
      }
      return exited;
    },
  };
}

/** Kills every process started by these helpers and still running. */
export async function stopAll(): Promise<void> {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
}

/** A port that was free a moment ago (bind to 0, read it, close). */
export function freePort(protocol: 'tcp' | 'udp' = 'tcp', host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    if (protocol === 'udp') {
      const sock = dgram.createSocket('udp4');
      sock.once('error', reject);
      sock.bind(0, host, () => {
        const { port } = sock.address();
        sock.close(() => resolve(port));
      });
      return;
    }
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServeProcess {
  proc: BackgroundProcess;
  port: number;
  healthPort: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** http://127.0.0.1:HEALTH_PORT */
  healthUrl: string;
}

/**
 * Starts a service's long-running mode (`CLI serve`) on free loopback ports: PORT, HOST,
 * HEALTH_PORT and HEALTH_HOST are set, `env` adds or overrides the rest (a PORT or
 * HEALTH_PORT given there is the one returned, e.g. to restart on the same port). Does not wait.
 */
export async function startServe(cli: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT);
  const healthPort = env.HEALTH_PORT === undefined ? await freePort() : Number(env.HEALTH_PORT);
  const proc = startProcess(process.execPath, [cli, 'serve'], {
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      HEALTH_PORT: String(healthPort),
      HEALTH_HOST: '127.0.0.1',
      ...env,
    },
  });
  return {
    proc,
    port,
    healthPort,
    url: `http://127.0.0.1:${port}`,
    healthUrl: `http://127.0.0.1:${healthPort}`,
  };
}

/**
 * What a service's tests need to run its built CLI and its Python peers, from the URL of a
 * module in the package's `test/` folder (`import.meta.url`): the CLI at
 * `../dist/src/cli.js`, peers in `./peers/`.
 */
export function cliTestKit(testModuleUrl: string) {
  const cli = fileURLToPath(new URL('../dist/src/cli.js', testModuleUrl));
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the package first (npx turbo run build)`);
  // A name is one of the package's own peers in ./peers/; an absolute path (bookProgram's) is used as is.
  const peer = (name: string) =>
    path.isAbsolute(name) ? name : fileURLToPath(new URL(`./peers/${name}`, testModuleUrl));
  return {
    /** The built CLI: tests run the real program, as a user would. */
    CLI: cli,
    startCli: (args: string[], env: NodeJS.ProcessEnv = {}) =>
      startProcess(process.execPath, [cli, ...args], { env: { LOG_LEVEL: 'warn', ...env } }),
    /** Runs the CLI to completion; a number is the time limit, or pass `{env, timeoutMs, input}`. */
    runCli: (args: string[], options: number | Parameters<typeof run>[2] = {}) =>
      runNode(cli, args, typeof options === 'number' ? { timeoutMs: options } : options),
    /**
     * Python stdlib peers, unbuffered so each printed line reaches the test at once: a file of
     * the package's `test/peers/`, or an absolute path (`bookProgram(...)`).
     */
    startPython: (name: string, args: string[]) => startProcess('python3', ['-u', peer(name), ...args]),
    runPython: (name: string, args: string[], timeoutMs = 20_000) =>
      run('python3', ['-u', peer(name), ...args], { timeoutMs }),
  };
}

/**
 * A real pino logger whose JSON lines are kept for assertions (`lines()` parses them).
 */
export function capturingLogger(
  name = 'test',
  level = 'debug',
): { logger: Logger; lines: () => Record<string, unknown>[] } {
  let text = '';
  const destination = new Writable({
    write(chunk, _enc, cb) {
      text += chunk;
      cb();
    },
  });
  return {
    logger: createLogger(name, { level, destination }),
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/**
 * A process's peak resident memory in MiB (VmHWM of /proc/<pid>/status): what a container's
 * memory limit meets, for tests that check a hostile input leaves memory bounded.
 */
export function peakRssMiB(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kb) / 1024;
}

/** One scrape of a service's `/metrics` (the kit's reader, shared with the smoke checks). */
export { type MetricsScrape, scrapeMetrics } from '../metrics-scrape.js';

/**
 * Writes `request` (raw bytes: an HTTP request as a client sends it) on a fresh connection,
 * optionally half-closes (`shutdown(SHUT_WR)`, as the book's clients do), and resolves with
 * everything the server sent once it closes its side. Fails after `timeoutMs`.
 */
export function rawExchange(
  port: number,
  request: string,
  opts: { halfClose?: boolean; host?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: opts.host ?? '127.0.0.1', allowHalfOpen: true });
    let got = '';
    s.setEncoding('utf8');
    s.on('data', (d) => {
      got += d;
    });
    s.on('end', () => {
      resolve(got);
      s.destroy();
    });
    s.on('error', reject);
    const ms = opts.timeoutMs ?? 15_000;
    s.setTimeout(ms, () =>
      s.destroy(new Error(`no end of reply within ${ms} ms; got ${JSON.stringify(got)}`)),
    );
    s.write(request);
    if (opts.halfClose) s.end();
  });
}

export * from './rabbitmq-cluster.js';

/** The repository's root: the nearest folder above this module holding pnpm-workspace.yaml. */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/**
 * One of the book's own programs (Foundations of Python Network Programming, 3rd ed., its
 * py3/ folder), e.g. `bookProgram('chapter03/tcp_sixteen.py')`: the absolute path of the
 * unchanged file in `../shared/peers/fopnp-py3` beside the repository. They are never copied
 * into the repository (see ../shared/peers/README.md); a missing folder or file is an error
 * that says so.
 */
export function bookProgram(relative: string): string {
  const book = path.resolve(repoRoot(), '../shared/peers/fopnp-py3');
  if (!existsSync(book)) {
    throw new Error(
      `${book} is missing: the book's programs live beside the repository, in ../shared/peers/fopnp-py3 ` +
        '(in a worktree, link it: ln -sfn /work/shared <worktree>/../shared)',
    );
  }
  const file = path.join(book, relative);
  if (!existsSync(file)) throw new Error(`${file} is missing from the book's programs`);
  return file;
}

/**
 * A copy of a book program with `patches` applied, in a temporary folder: for a program that
 * no longer runs as is here (Python 3.11, a fixed port). Each patch replaces text that must
 * occur in the book's file, so a change there fails loudly instead of running the book's
 * program unpatched. Say in the caller what is patched and why. The copy's folder is named by
 * a hash of its text (`<tmp>/fopnp-book-patched/<hash>/`), so runs reuse it instead of leaving
 * one behind each (test workers end without an exit hook to clean up).
 */
export function patchedBookProgram(
  relative: string,
  patches: readonly (readonly [string, string])[],
): string {
  const source = bookProgram(relative);
  let text = readFileSync(source, 'utf8');
  for (const [from, to] of patches) {
    if (!text.includes(from)) throw new Error(`${source} no longer contains ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  const hash = createHash('sha256').update(relative).update('\0').update(text).digest('hex').slice(0, 16);
  const dir = path.join(tmpdir(), 'fopnp-book-patched', hash);
  const file = path.join(dir, path.basename(relative));
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written aside then renamed, so a parallel worker never runs a half-written file.
    const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return file;
}
