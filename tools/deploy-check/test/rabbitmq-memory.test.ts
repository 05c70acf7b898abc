/**
 * RabbitMQ's memory alarm sits inside its container's memory limit, in compose and in k8s:
 * the broker sizes its default watermark on the machine's memory (9.4 GiB was seen inside a
 * 1 GiB container), so without this flow control never starts before the OOM kill. What the
 * setting does was checked by hand on a real node (rabbitmqctl status: "Memory high watermark
 * setting: 0.4194 gb" with the same erl argument).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../src/manifests.ts';

const MIB = 1024 * 1024;
const bytesOf = (limit: string): number => {
  const m = /^(\d+)(m|g|Mi|Gi)$/.exec(limit);
  if (!m) throw new Error(`unexpected memory limit ${limit}`);
  return Number(m[1]) * (m[2]!.toLowerCase().startsWith('g') ? 1024 * MIB : MIB);
};
/** The absolute watermark a service sets, through erl arguments or its config lines. */
function watermark(text: string): number | undefined {
  const m =
    /vm_memory_high_watermark \{absolute,(\d+)\}/.exec(text) ??
    /vm_memory_high_watermark\.absolute = (\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

describe("RabbitMQ's memory high watermark", () => {
  it('is below mem_limit for every RabbitMQ of docker-compose.yml (0.4 of it)', () => {
    const doc = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<
        string,
        { image: string; mem_limit: string; environment?: unknown; command?: unknown }
      >;
    };
    const rabbits = Object.entries(doc.services).filter(([, s]) => s.image.startsWith('rabbitmq:'));
    expect(rabbits.length).toBeGreaterThanOrEqual(4); // rabbitmq and the three cluster nodes
    for (const [name, s] of rabbits) {
      const set = watermark(JSON.stringify([s.environment, s.command]));
      expect(set, name).toBeDefined();
      expect(set! / bytesOf(s.mem_limit), name).toBeCloseTo(0.4, 2);
    }
  });

  it('is below the memory limit of the k8s RabbitMQ', () => {
    const file = path.join(REPO_ROOT, 'k8s/overlays/dev/rabbitmq.yaml');
    const sts = parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJS())
      .find((o) => o.kind === 'StatefulSet');
    const container = sts.spec.template.spec.containers[0];
    const set = watermark(JSON.stringify(container.env));
    expect(set).toBeDefined();
    expect(set! / bytesOf(container.resources.limits.memory)).toBeCloseTo(0.4, 2);
  });
});
