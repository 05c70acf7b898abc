import { type BackgroundProcess, bookProgram, cliTestKit } from '@fopnp/net/testing';

export type { BackgroundProcess };

export const { CLI, startCli, runCli, startPython, runPython } = cliTestKit(import.meta.url);

/** The book's chapter 3 programs, unchanged, from ../shared/peers/fopnp-py3 (never copied here). */
export const TCP_SIXTEEN = bookProgram('chapter03/tcp_sixteen.py');
export const TCP_DEADLOCK = bookProgram('chapter03/tcp_deadlock.py');
