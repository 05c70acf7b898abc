/**
 * k8s/overlays/mq-cluster: the dev overlay with RabbitMQ as a three-node StatefulSet that
 * forms its cluster by Kubernetes peer discovery, and rabbit-pipeline on quorum queues
 * given every node. Rendered with `kubectl kustomize` and held to the same checks as the
 * other overlays (API schemas, GA versions, hardening, namespace), then to what a cluster
 * needs.
 */
import { beforeAll, expect, it } from 'vitest';
import {
  CURRENT_API_VERSIONS,
  checkHardening,
  type K8sObject,
  renderKustomize,
  validateSchemas,
} from '../src/checks/k8s.ts';

let objs: K8sObject[];
const find = (kind: string, name: string) =>
  objs.find((o) => o.kind === kind && String(o.metadata.name).startsWith(name));

beforeAll(() => {
  objs = renderKustomize('k8s/overlays/mq-cluster');
});

it('renders objects that validate against the API schemas, GA versions only, hardened, in fopnp', async () => {
  expect(await validateSchemas(objs)).toEqual([]);
  for (const o of objs)
    expect(CURRENT_API_VERSIONS.has(o.apiVersion), `${o.kind} ${o.apiVersion}`).toBe(true);
  expect(checkHardening(objs)).toEqual([]);
  for (const o of objs.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('fopnp');
});

it('runs three RabbitMQ nodes with stable names, one cookie and the k8s peer discovery plugin', () => {
  const sts = find('StatefulSet', 'rabbitmq');
  expect(sts.spec.replicas).toBe(3);
  expect(sts.spec.serviceName).toBe('rabbitmq');
  const pod = sts.spec.template.spec;
  expect(pod.serviceAccountName).toBe('rabbitmq');
  const env = Object.fromEntries(pod.containers[0].env.map((e: K8sObject) => [e.name, e]));
  expect(env.RABBITMQ_NODENAME.value).toBe('rabbit@$(MY_POD_NAME).rabbitmq.fopnp.svc.cluster.local');
  expect(env.RABBITMQ_USE_LONGNAME.value).toBe('true');
  // The secret reference follows the generated (hashed) name.
  const cookie = find('Secret', 'rabbitmq-erlang-cookie');
  expect(env.RABBITMQ_ERLANG_COOKIE.valueFrom.secretKeyRef.name).toBe(cookie.metadata.name);
  const config = find('ConfigMap', 'rabbitmq-cluster-config');
  expect(pod.volumes.find((v: K8sObject) => v.name === 'cluster-config').configMap.name).toBe(
    config.metadata.name,
  );
  expect(config.data['20-cluster.conf']).toMatch(/^cluster_formation\.peer_discovery_backend = k8s$/m);
  expect(config.data['20-cluster.conf']).toMatch(
    /^cluster_formation\.k8s\.hostname_suffix = \.rabbitmq\.fopnp\.svc\.cluster\.local$/m,
  );
  expect(config.data.enabled_plugins).toContain('rabbitmq_peer_discovery_k8s');
  const svc = find('Service', 'rabbitmq');
  expect(svc.spec.clusterIP).toBe('None');
  expect(svc.spec.publishNotReadyAddresses).toBe(true);
});

it('lets the nodes read the rabbitmq endpoints and nothing more, and keeps a majority through drains', () => {
  const role = find('Role', 'rabbitmq-peer-discovery');
  expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['endpoints'], verbs: ['get'] });
  for (const rule of role.rules) expect(rule.verbs).not.toContain('delete');
  const binding = find('RoleBinding', 'rabbitmq-peer-discovery');
  expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'rabbitmq', namespace: 'fopnp' }]);
  expect(find('ServiceAccount', 'rabbitmq').automountServiceAccountToken).toBe(true);
  expect(find('PodDisruptionBudget', 'rabbitmq').spec.maxUnavailable).toBe(1);
});

it("gives rabbit-pipeline every node's URL and quorum queues", () => {
  const cm = find('ConfigMap', 'rabbit-pipeline-config');
  expect(cm.data.AMQP_URL.split(',')).toEqual(
    [0, 1, 2].map((i) => `amqp://guest:guest@rabbitmq-${i}.rabbitmq:5672`),
  );
  expect(cm.data.QUORUM_QUEUES).toBe('true');
});
