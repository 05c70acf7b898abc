/**
 * "did you mean --port?": the known name closest to a misspelled one, by edit distance
 * (insertions, deletions, substitutions and swaps of two neighbours each cost 1).
 */

/** Optimal string alignment distance between two strings. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate nearest to `name`, if it is near enough to be a typo: at most 2 edits, and
 * fewer than half the name's length, so "-x" does not become "-p". Also a candidate that
 * starts with what was typed ("--verb" for "--verbose"). Undefined when nothing is close.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const distance = editDistance(name, c);
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  const core = name.replace(/^-+/, '');
  if (best !== undefined && bestDistance <= 2 && bestDistance * 2 < core.length) return best;
  if (core.length >= 3) {
    const prefixed = [...candidates].filter((c) => c.startsWith(name));
    if (prefixed.length === 1) return prefixed[0];
  }
  return undefined;
}
