import { type BackgroundProcess, cliTestKit } from '@fopnp/net/testing';

export type { BackgroundProcess };

export const { CLI, startCli, runCli, startPython, runPython } = cliTestKit(import.meta.url);
