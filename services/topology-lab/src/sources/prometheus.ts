/**
 * Just enough of the Prometheus text format (0.0.4) to sum each metric family: the lab
 * shows one number per counter or gauge and its rate, not every label set.
 */

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  /** Sum over every sample of the family (histograms/summaries: their _count). */
  value: number;
}

export function parsePrometheus(text: string): Family[] {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: '', value: 0 };
      families.set(name, f);
    }
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('# HELP ')) {
      const [, name, ...help] = line.split(' ').slice(1);
      family(name ?? '').help = help.join(' ');
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      family(name ?? '').type = (type as Family['type']) ?? 'untyped';
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, sample, , raw] = m;
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    let name = sample!;
    // Histogram and summary samples belong to their family; only _count is summed.
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (base !== name && families.get(base)?.type.match(/histogram|summary/)) {
      if (!name.endsWith('_count')) continue;
      name = base;
    }
    family(name).value += value;
  }
  return [...families.values()];
}
