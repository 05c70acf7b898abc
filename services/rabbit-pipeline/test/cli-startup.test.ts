/** `rabbit-pipeline --help` loads no AMQP client, logging or metrics code until a command runs (issue 20; the CPU figures: libs/net bench/cli-startup.ts). */
import { cliTestKit, heavyModulesLoadedBy } from '@fopnp/net/testing';
import { expect, it } from 'vitest';

const { CLI } = cliTestKit(import.meta.url);

it.each(['--help', 'serve --help'])(
  '%s loads only the kit light part and its own definitions',
  async (line) => {
    expect(await heavyModulesLoadedBy(CLI, line.split(' '))).toEqual([]);
  },
);
