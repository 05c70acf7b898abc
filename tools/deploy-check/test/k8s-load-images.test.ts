/**
 * k8s/load-images.sh puts the locally built images into a local cluster (kind, k3d,
 * minikube). No cluster runs here, so its plan is checked (DRY_RUN): every fopnp image the
 * manifests name, saved from the engine and loaded with the right tool for the context;
 * any other context is refused with a pointer to the registry way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '@fopnp/net/testing';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/manifests.ts';

const SCRIPT = path.join(REPO_ROOT, 'k8s', 'load-images.sh');
const dryRun = (context: string) =>
  run('bash', [SCRIPT], { env: { DRY_RUN: '1', KUBE_CONTEXT: context, ENGINE: 'podman' } });

describe('k8s/load-images.sh', () => {
  const services = readdirSync(path.join(REPO_ROOT, 'services')).filter((d) =>
    readFileSync(path.join(REPO_ROOT, 'k8s', 'base', 'kustomization.yaml'), 'utf8').includes(`${d}.yaml`),
  );

  it.each([
    ['kind-fopnp', /^kind load image-archive \S+ --name fopnp$/m],
    ['k3d-dev', /^k3d image import \S+ -c dev$/m],
    ['minikube', /^minikube image load \S+$/m],
  ])('loads every service image into %s', async (context, loader) => {
    const r = await dryRun(context);
    expect(r.code, r.stderr).toBe(0);
    for (const svc of services) expect(r.stdout).toContain(`docker.io/fopnp/${svc}:local`);
    expect(r.stdout).toContain('docker.io/library/fopnp-twemproxy:local');
    expect(r.stdout).toMatch(loader);
    expect(r.stdout.match(/^podman save/gm)).toHaveLength(services.length + 1);
  });

  it('refuses a context that is not a local cluster', async () => {
    const r = await dryRun('gke_prod');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not kind-\*, k3d-\* or minikube; push the images to a registry/);
  });
});
