/**
 * How deep a JSON text nests, counted without parsing: one pass over the characters, strings
 * skipped. JSON.parse takes 5,000 levels, but the echo's JSON.stringify of the same value then
 * overflows the stack (a 10 KB body answered 500, issue 21); a body deeper than this is refused.
 */
export const MAX_JSON_DEPTH = 512;

/** True when `text` opens more than `max` arrays/objects inside one another. */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
