/**
 * How the stack shows its services' log lines. The services write pino JSON lines (what a
 * log shipper wants); on a terminal the stack turns each into one readable line — time,
 * level, message, the other fields as key=value — so no image needs pino-pretty. JSON is
 * kept as it is when stdout is not a terminal, or on request (`--log-format json`).
 * NO_COLOR (https://no-color.org) turns colours off.
 */

export type LogFormat = 'pretty' | 'json';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const LEVEL_COLORS: Record<string, number> = {
  trace: 90,
  debug: 36,
  info: 32,
  warn: 33,
  error: 31,
  fatal: 35,
};
/** Fields every line has, or that the prefix already says. */
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'name', 'v']);

/** The format when none is asked for: readable on a terminal, JSON otherwise. */
export function defaultLogFormat(isTTY = Boolean(process.stdout.isTTY)): LogFormat {
  return isTTY ? 'pretty' : 'json';
}

/** Colours on a terminal unless NO_COLOR is set (to anything non-empty). */
export function useColor(isTTY = Boolean(process.stdout.isTTY), env = process.env): boolean {
  return isTTY && !env.NO_COLOR;
}

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s="]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/**
 * One pino JSON line as `HH:MM:SS.mmm LEVEL [role] message key=value …`; any other line as
 * it is. Returns the text and, for the prefix, the role the line names, if any.
 */
export function formatLine(line: string, color: boolean): { text: string; role?: string } {
  if (!line.startsWith('{')) return { text: line };
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { text: line };
  }
  if (typeof rec !== 'object' || rec === null || !('msg' in rec || 'level' in rec)) return { text: line };
  const level =
    typeof rec.level === 'number' ? (LEVELS[rec.level] ?? String(rec.level)) : String(rec.level ?? '');
  const time =
    typeof rec.time === 'string'
      ? rec.time.slice(11, 23)
      : typeof rec.time === 'number'
        ? new Date(rec.time).toISOString().slice(11, 23)
        : '';
  const lvl = level.toUpperCase().padEnd(5);
  const coloured = color && LEVEL_COLORS[level] ? `\x1b[${LEVEL_COLORS[level]}m${lvl}\x1b[0m` : lvl;
  const role = typeof rec.role === 'string' ? rec.role : undefined;
  const fields = Object.entries(rec)
    .filter(([k]) => !OMIT.has(k) && k !== 'role')
    .map(([k, v]) => `${k}=${value(v)}`);
  const text = [time, coloured, String(rec.msg ?? ''), ...fields].filter(Boolean).join(' ');
  return role ? { text, role } : { text };
}
