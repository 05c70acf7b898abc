/** Small helpers for writing YAML as text, so the generated files keep their comments. */

/** A YAML scalar: plain when unambiguous, otherwise double-quoted (JSON is valid YAML). */
export function scalar(v: string | number | boolean): string {
  if (typeof v !== 'string') return JSON.stringify(String(v));
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(v) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(v)
    ? v
    : JSON.stringify(v);
}

/** A flow sequence of strings, e.g. ["CMD", "redis-cli", "ping"]. */
export function flow(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}
