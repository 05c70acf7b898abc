import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineCommand, definePositional, runCli } from '../src/cli.js';
import { defineOptions } from '../src/config.js';

describe('runCli positionals', () => {
  const target = definePositional({
    name: 'TARGET',
    description: 'where to go',
    required: false,
    default: 'home',
  });
  const seen: unknown[] = [];
  const cli = {
    name: 'demo',
    description: 'A demo CLI.',
    commands: {
      go: defineCommand({
        description: 'go somewhere with some things',
        positionals: [
          { name: 'WHO', description: 'who goes' },
          target,
          { name: 'THINGS', description: 'what they take', required: false, variadic: true },
        ],
        options: defineOptions({}),
        run: ({ positionals }) => {
          // Each positional has the type its declaration implies: no casts in commands.
          expectTypeOf(positionals.WHO).toEqualTypeOf<string>();
          expectTypeOf(positionals.TARGET).toEqualTypeOf<string>();
          expectTypeOf(positionals.THINGS).toEqualTypeOf<string[]>();
          seen.push(positionals);
          return 0;
        },
      }),
      maybe: defineCommand({
        description: 'an optional positional without a default',
        positionals: [{ name: 'NAME', description: 'a name', required: false }],
        options: defineOptions({}),
        run: ({ positionals }) => {
          expectTypeOf(positionals.NAME).toEqualTypeOf<string | undefined>();
          seen.push(positionals);
          return 0;
        },
      }),
    },
  };

  it('hands each command its positionals by name, defaults and the variadic rest filled in', async () => {
    seen.length = 0;
    expect(await runCli(cli, ['go', 'ann'])).toBe(0);
    expect(await runCli(cli, ['go', 'ann', 'town', 'a', 'b'])).toBe(0);
    expect(await runCli(cli, ['maybe'])).toBe(0);
    expect(seen).toEqual([
      { WHO: 'ann', TARGET: 'home', THINGS: [] },
      { WHO: 'ann', TARGET: 'town', THINGS: ['a', 'b'] },
      { NAME: undefined },
    ]);
  });
});
