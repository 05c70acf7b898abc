/** The health side port's paths (no dependencies: manifests and CLIs read them too). */

/** The three paths, declared once for every service, compose file and manifest. */
export const HEALTH_PATHS = {
  liveness: '/healthz',
  readiness: '/readyz',
  metrics: '/metrics',
} as const;
