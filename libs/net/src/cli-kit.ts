/**
 * `@fopnp/net/cli`: the part of the kit a CLI's definition and a service's manifest need,
 * and nothing that loads a dependency (no pino, no prom-client, not even node:net). A CLI that imports only
 * this at the top, and the rest of its code inside its commands' `run`, answers `--help`
 * in about the time of `node -e 0`. Everything here is in `@fopnp/net` as well.
 */
export * from './cli.js';
export * from './config.js';
export * from './deployment.js';
export * from './errors.js';
export * from './health-paths.js';
export * from './http-limit-defaults.js';
export * from './log-options.js';
export * from './manifest.js';
export * from './suggest.js';
export * from './version.js';
