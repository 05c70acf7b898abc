/**
 * What the services declare: every service's manifest (ports, health port, backing
 * services), read from the packages themselves — the same declarations compose, k8s and
 * the local stack are built from. The lab is one of them.
 */

import { manifest as httpApp } from '@fopnp/http-app/manifest';
import type { ServiceManifest } from '@fopnp/net';
import { manifest as rabbitPipeline } from '@fopnp/rabbit-pipeline/manifest';
import { manifest as redisCache } from '@fopnp/redis-cache/manifest';
import { manifest as rpcGateway } from '@fopnp/rpc-gateway/manifest';
import { manifest as sshRunner } from '@fopnp/ssh-runner/manifest';
import { manifest as tcpFarewell } from '@fopnp/tcp-farewell/manifest';
import { manifest as tlsInspector } from '@fopnp/tls-inspector/manifest';
import { manifest as udpBroadcaster } from '@fopnp/udp-broadcaster/manifest';
import { manifest as zenAsyncio } from '@fopnp/zen-asyncio/manifest';
import { manifest as lab } from './manifest.js';

export const DECLARED: readonly ServiceManifest[] = [
  udpBroadcaster,
  tcpFarewell,
  tlsInspector,
  zenAsyncio,
  redisCache,
  rabbitPipeline,
  httpApp,
  rpcGateway,
  sshRunner,
  lab,
] as ServiceManifest[];

export interface DeclaredEndpoint {
  label: string;
  port: number;
  protocol: 'tcp' | 'udp';
  http: boolean;
}

function portOf(m: ServiceManifest, option: string): number {
  const spec = m.options[option];
  return spec?.type === 'port' ? Number(spec.default) : 0;
}

export function healthPortOf(m: ServiceManifest): number {
  return portOf(m, m.healthPortOption ?? 'healthPort');
}

/** Ports the manifest declares; HTTP ones are links on the page. */
export function endpointsOf(m: ServiceManifest): DeclaredEndpoint[] {
  return m.ports.map((p) => {
    const desc = m.options[p.option]?.description ?? '';
    return {
      label: p.name,
      port: portOf(m, p.option),
      protocol: p.protocol,
      http: p.protocol === 'tcp' && (/^(http|tally|rpc)$/.test(p.name) || /HTTP/.test(desc)),
    };
  });
}
