/**
 * The service runs only what its configuration declares: named host groups and named
 * commands. An API caller picks a pair by name; no command string ever comes from the
 * network.
 */
import { readFileSync } from 'node:fs';
import { InvalidConfigError } from '@fopnp/net';
import { parseTarget } from './connection.js';

export interface JobsConfig {
  hostGroups: Record<string, string[]>;
  commands: Record<string, string>;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseJobs(text: string, source = 'jobs file'): JobsConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidConfigError(source, `not valid JSON: ${(err as Error).message}`);
  }
  const obj = raw as Partial<JobsConfig>;
  const hostGroups = obj.hostGroups ?? {};
  const commands = obj.commands ?? {};
  for (const [name, hosts] of Object.entries(hostGroups)) {
    if (!NAME.test(name))
      throw new InvalidConfigError(source, `host group name "${name}" must match ${NAME}`);
    if (
      !Array.isArray(hosts) ||
      hosts.length === 0 ||
      !hosts.every((h) => typeof h === 'string' && h.length > 0)
    ) {
      throw new InvalidConfigError(source, `host group "${name}" must be a non-empty list of host strings`);
    }
    for (const host of hosts) {
      // A bad port is the file's mistake: say so at start, not as a failed request later.
      try {
        parseTarget(host, { user: 'user', port: 22 });
      } catch (err) {
        throw new InvalidConfigError(source, `host group "${name}": ${(err as Error).message}`);
      }
    }
  }
  for (const [name, command] of Object.entries(commands)) {
    if (!NAME.test(name)) throw new InvalidConfigError(source, `command name "${name}" must match ${NAME}`);
    if (typeof command !== 'string' || !command.trim())
      throw new InvalidConfigError(source, `command "${name}" must be a non-empty string`);
  }
  return { hostGroups, commands };
}

export function loadJobs(path: string | undefined): JobsConfig {
  if (!path) return { hostGroups: {}, commands: {} };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidConfigError(
      'JOBS_FILE',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  return parseJobs(text, path);
}
