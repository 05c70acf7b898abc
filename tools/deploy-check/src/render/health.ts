import { HEALTH_PATHS } from '@fopnp/net';

/**
 * The health check command used by the Dockerfile and compose: Node asks the health port
 * (the slim image has no curl) and exits 0 only on a 2xx answer.
 */
export function nodeHealthScript(port: number | string, path: string): string {
  return `fetch('http://127.0.0.1:${port}${path}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
}

/** Compose gates depends_on on readiness: "healthy" means ready to serve. */
export const COMPOSE_HEALTH_PATH = HEALTH_PATHS.readiness;
