/**
 * Runs a book program and our counterpart (through `fopnp-book run`, as a reader would) in
 * the same setting, and returns both outputs normalized for comparison.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BackgroundProcess, freePort, run, startProcess } from '@fopnp/net/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../../..');
/** The book's py3/ folder, beside the repository (../shared/peers/fopnp-py3). */
export const BOOK = path.resolve(REPO, '../shared/peers/fopnp-py3');
export const BOOK_CLI = path.join(here, '../dist/src/cli.js');

if (!existsSync(BOOK)) throw new Error(`${BOOK} is missing: the book's programs live beside the repository`);

/** `{port}` in an argument becomes the check's port. */
export type Args = readonly string[];

export interface ClientCheck {
  kind: 'client';
  title: string;
  /** A book program started first (a server), with its arguments; it must print `ready`. */
  peer: { file: string; args: Args; ready?: RegExp };
  /** The row's arguments, given to the book's program and to `fopnp-book run`. */
  args: Args;
}

/**
 * A program that needs no server of the book's. Each side runs in a fresh temporary folder
 * (stringcodes.py writes eagle.txt where it runs); `files` are compared too.
 */
export interface SoloCheck {
  kind: 'solo';
  title: string;
  args: Args;
  files?: readonly string[];
  /** Given to both on stdin. */
  input?: string;
}

export interface ServerCheck {
  kind: 'server';
  title: string;
  /** The row's server arguments (book's program, then ours through `fopnp-book run`). */
  args: Args;
  ready?: RegExp;
  /** The book's client run against each server. */
  client: { file: string; args: Args };
}

export type Check = (ClientCheck | ServerCheck | SoloCheck) & {
  /** Lines dropped from both outputs before comparing (what differs on purpose). */
  ignore?: readonly RegExp[];
  /** Both outputs must match this (so two empty outputs do not pass). */
  expect: RegExp;
  /** Compare the normalized outputs line by line (default true). */
  same?: boolean;
  /** The program prints its lines in a random order (client.py's random.sample): compare them sorted. */
  unordered?: boolean;
  /** Rewrites of both outputs before comparing: what differs on purpose (a buffer size). */
  rewrite?: readonly (readonly [RegExp, string])[];
  /** Compare the servers' own output too, once it matches this (after the client is done). */
  serverOutput?: RegExp;
  /** Runs of the book's side while it misses `expect` (its server drops datagrams at random). */
  bookTries?: number;
  /**
   * A known interoperation fault, not ours to fix here (who is on it): the check is expected
   * to fail until it is fixed, and then fails until this is removed.
   */
  knownFault?: string;
  /** The Python that runs the book's programs (default python3 on PATH). */
  python?: string;
  /** The servers listen on UDP (default TCP). */
  udp?: boolean;
  /** Our arguments when they are not the book's (e.g. -p where the book's port is fixed). */
  oursArgs?: Args;
  /**
   * The book's programs of this check have this port written in (chapter 18's 7001): each is
   * run from a copy in a temporary folder with the check's port instead, the one patch.
   */
  fixedPort?: string;
  /**
   * Edits for a book program that no longer runs on Python 3.11 (srv_asyncio2.py's
   * @asyncio.coroutine, removed in 3.11) or would leave loopback (a fixed port or name):
   * run from a patched copy in a temporary folder. `{port}` in a replacement is the port.
   */
  patches?: Readonly<Record<string, readonly (readonly [string, string])[]>>;
};

export interface Outcome {
  book: string;
  ours: string;
}

const fill = (args: Args, port: number) => args.map((a) => a.replaceAll('{port}', String(port)));

/**
 * A Python traceback, as its last line without the exception's class: what our commands
 * print for the same failure is that one line (`<Fault 1: …>`, not 40 lines of stack).
 */
export function collapseTracebacks(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== 'Traceback (most recent call last):') {
      out.push(lines[i]!);
      continue;
    }
    while (i + 1 < lines.length && /^\s/.test(lines[i + 1]!)) i++;
    if (i + 1 < lines.length) out.push(lines[++i]!.replace(/^[\w.]+: /, ''));
  }
  return out;
}

/** Ports, ephemeral ports, times, tracebacks and our launcher's own line out of the way. */
export function normalize(text: string, port: number, ignore: readonly RegExp[] = []): string {
  return collapseTracebacks(text.split('\n'))
    .filter((line) => !line.startsWith('fopnp-book: '))
    .map((line) =>
      line
        .replaceAll(String(port), 'PORT')
        .replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?/g, 'TIME')
        .replace(/(\(|, )\d{4,5}\)/g, '$1N)')
        .trimEnd(),
    )
    .filter((line) => line !== '' && !ignore.some((re) => re.test(line)))
    .join('\n');
}

/** The temporary folder of patched copies and working folders, made on first use. */
let scratch: string | undefined;
const patchedDir = () => {
  scratch ??= mkdtempSync(path.join(tmpdir(), 'fopnp-book-'));
  return scratch;
};

/** The book's file, or a copy with `fixedPort` replaced by `port`. */
function bookFile(file: string, check: Check, port: number): string {
  const edits = [...(check.patches?.[file] ?? [])];
  if (check.fixedPort) edits.push([check.fixedPort, String(port)]);
  if (!edits.length) return path.join(BOOK, file);
  const copy = path.join(patchedDir(), String(port), file);
  mkdirSync(path.dirname(copy), { recursive: true });
  let text = readFileSync(path.join(BOOK, file), 'utf8');
  for (const [from, to] of edits) {
    if (!text.includes(from))
      throw new Error(`patch for ${file} no longer applies: ${JSON.stringify(from)} not found`);
    text = text.replaceAll(from, to.replaceAll('{port}', String(port)));
  }
  writeFileSync(copy, text);
  return copy;
}

/** Removes the patched copies (afterAll). */
export function cleanPatched(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** stdout then stderr, on a line of its own even after a prompt that ends without one. */
const joinOutput = (stdout: string, stderr: string) =>
  `${stdout}${stdout && !stdout.endsWith('\n') && stderr ? '\n' : ''}${stderr}`;

/** The book's chapter folder on the import path, so a patched copy still finds zen_utils.py. */
function pythonEnv(file: string): NodeJS.ProcessEnv {
  // A copy is <patched>/<port>/<chapter>/<file>; the original <BOOK>/<chapter>/<file>.
  const copy = scratch !== undefined && file.startsWith(scratch);
  const parts = path
    .relative(copy ? scratch! : BOOK, file)
    .split(path.sep)
    .slice(copy ? 1 : 0);
  return { PYTHONPATH: path.join(BOOK, ...parts.slice(0, -1)) };
}

function python(check: Check, file: string, args: Args): BackgroundProcess {
  return startProcess(check.python ?? 'python3', ['-u', file, ...args], {
    cwd: path.dirname(file),
    env: pythonEnv(file),
  });
}

function ours(row: string, args: Args): BackgroundProcess {
  return startProcess(process.execPath, [BOOK_CLI, 'run', row, ...args], { env: { LOG_LEVEL: 'warn' } });
}

async function runPython(
  check: Check,
  file: string,
  args: Args,
  cwd = path.dirname(file),
  input?: string,
): Promise<string> {
  const r = await run(check.python ?? 'python3', ['-u', file, ...args], {
    cwd,
    input,
    env: pythonEnv(file),
    timeoutMs: 30_000,
  });
  return joinOutput(r.stdout, r.stderr);
}

async function runOurs(row: string, args: Args, cwd?: string, input?: string): Promise<string> {
  const r = await run(process.execPath, [BOOK_CLI, 'run', row, ...args], {
    cwd,
    input,
    env: { LOG_LEVEL: 'warn' },
    timeoutMs: 30_000,
  });
  return joinOutput(r.stdout, r.stderr);
}

async function onServer(
  check: Check,
  start: (port: number) => BackgroundProcess,
  ready: RegExp,
  then: (port: number) => Promise<string>,
): Promise<{ client: string; server: string; port: number }> {
  const port = await freePort(check.udp ? 'udp' : 'tcp');
  const server = start(port);
  try {
    await server.waitForOutput(ready, 20_000);
    const client = await then(port);
    if (check.serverOutput) await server.waitForOutput(check.serverOutput, 10_000);
    return { client, server: server.output(), port };
  } finally {
    await server.stop('SIGINT');
  }
}

/** Runs one check of `row` (e.g. chapter03/tcp_sixteen.py): the book's side, then ours. */
export async function runCheck(row: string, check: Check): Promise<Outcome> {
  const norm = (text: string, port: number) => {
    const rewritten = (check.rewrite ?? []).reduce((t, [re, to]) => t.replace(re, to), text);
    const lines = normalize(rewritten, port, check.ignore);
    return check.unordered ? lines.split('\n').sort().join('\n') : lines;
  };
  const both = (o: { client: string; server: string }) =>
    check.serverOutput ? `${o.client}\n--- server\n${o.server}` : o.client;
  const tries = async (side: () => Promise<{ client: string; server: string; port: number }>) => {
    let out = await side();
    for (let i = 1; i < (check.bookTries ?? 1) && !check.expect.test(out.client); i++) out = await side();
    return out;
  };
  if (check.kind === 'solo') {
    const port = await freePort(check.udp ? 'udp' : 'tcp');
    const [bookDir, ourDir] = [
      mkdtempSync(path.join(patchedDir(), 'book-')),
      mkdtempSync(path.join(patchedDir(), 'ours-')),
    ];
    const book = await runPython(
      check,
      bookFile(row, check, port),
      fill(check.args, port),
      bookDir,
      check.input,
    );
    const ourSide = await runOurs(row, fill(check.oursArgs ?? check.args, port), ourDir, check.input);
    const withFiles = (out: string, dir: string) =>
      [out, ...(check.files ?? []).map((f) => `--- ${f}\n${readFileSync(path.join(dir, f), 'latin1')}`)].join(
        '\n',
      );
    return { book: norm(withFiles(book, bookDir), port), ours: norm(withFiles(ourSide, ourDir), port) };
  }
  if (check.kind === 'client') {
    const { peer } = check;
    const ready = peer.ready ?? /Listening/;
    const startPeer = (p: number) => python(check, bookFile(peer.file, check, p), fill(peer.args, p));
    const book = await tries(() =>
      onServer(check, startPeer, ready, (p) =>
        runPython(check, bookFile(row, check, p), fill(check.args, p)),
      ),
    );
    const ourSide = await onServer(check, startPeer, ready, (p) =>
      runOurs(row, fill(check.oursArgs ?? check.args, p)),
    );
    return { book: norm(both(book), book.port), ours: norm(both(ourSide), ourSide.port) };
  }
  const ready = check.ready ?? /Listening/;
  const client = (p: number) =>
    runPython(check, bookFile(check.client.file, check, p), fill(check.client.args, p));
  const book = await tries(() =>
    onServer(check, (p) => python(check, bookFile(row, check, p), fill(check.args, p)), ready, client),
  );
  const ourSide = await onServer(
    check,
    (p) => ours(row, fill(check.oursArgs ?? check.args, p)),
    ready,
    client,
  );
  return { book: norm(both(book), book.port), ours: norm(both(ourSide), ourSide.port) };
}
