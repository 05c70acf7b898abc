/**
 * tls-inspector, declared once: ports, options (env, flags, defaults) and health port.
 * `tls-inspector serve` parses exactly these options; compose and k8s are checked against them.
 */
import { defineService, httpLimitOptions, MAX_TIMER_MS, serviceOptions } from '@fopnp/net/cli';

export const manifest = defineService({
  name: 'tls-inspector',
  chapter: '6',
  description:
    'HTTP API that inspects TLS endpoints (GET /inspect, GET /scan) with SSRF protection, plus a demo TLS server to inspect',
  command: ['serve'],
  ports: [
    { name: 'http', protocol: 'tcp', option: 'port', public: true },
    { name: 'demo-tls', protocol: 'tcp', option: 'demoTlsPort', public: true },
  ],
  needs: [],
  options: {
    port: { type: 'port', env: 'PORT', short: 'p', default: 8003, description: 'HTTP API port' },
    host: { type: 'string', env: 'HOST', default: '0.0.0.0', description: 'address the HTTP API binds' },
    demoTlsPort: {
      type: 'port',
      env: 'DEMO_TLS_PORT',
      default: 1443,
      description: 'port of the demo TLS server the stack can inspect (0 = no demo server)',
    },
    demoTlsCert: {
      type: 'string',
      env: 'DEMO_TLS_CERT',
      description:
        'PEM certificate (with key, or see DEMO_TLS_KEY) for the demo server; generated at start when unset',
    },
    demoTlsKey: { type: 'string', env: 'DEMO_TLS_KEY', description: 'PEM private key for DEMO_TLS_CERT' },
    demoTlsNames: {
      type: 'list',
      env: 'DEMO_TLS_NAMES',
      default: ['localhost', 'tls-inspector', '127.0.0.1', '::1'],
      description: 'names and IPs the generated demo certificate is valid for',
    },
    allowPrivate: {
      type: 'boolean',
      env: 'ALLOW_PRIVATE',
      default: false,
      description:
        'allow targets on loopback, private, link-local, CGNAT and unique-local addresses (never metadata)',
    },
    allowCidrs: {
      type: 'list',
      env: 'ALLOW_CIDRS',
      default: [],
      description: 'CIDRs allowed whatever their category, comma-separated (e.g. 127.0.0.0/8,10.1.0.0/16)',
    },
    connectTimeoutMs: {
      type: 'int',
      env: 'CONNECT_TIMEOUT_MS',
      default: 5_000,
      min: 1,
      max: MAX_TIMER_MS,
      description: 'deadline for resolving and TCP-connecting to a target',
    },
    handshakeTimeoutMs: {
      type: 'int',
      env: 'HANDSHAKE_TIMEOUT_MS',
      default: 5_000,
      min: 1,
      max: MAX_TIMER_MS,
      description: 'deadline for each TLS handshake once TCP is connected',
    },
    scanTimeoutMs: {
      type: 'int',
      env: 'SCAN_TIMEOUT_MS',
      default: 60_000,
      min: 1,
      description: 'deadline for a whole /scan (many handshakes)',
    },
    maxConcurrent: {
      type: 'int',
      env: 'MAX_CONCURRENT',
      default: 8,
      min: 1,
      description: 'inspections and scans in flight at once; more get 503',
    },
    rateLimitPerMinute: {
      type: 'int',
      env: 'RATE_LIMIT_PER_MINUTE',
      default: 30,
      min: 1,
      description:
        'requests per client address per minute (token bucket, burst of the same size); more get 429',
    },
    ...serviceOptions(9103),
    ...httpLimitOptions(),
  },
  deploy: { stateless: true },
  localEnv: {
    ALLOW_PRIVATE: {
      value: 'true',
      why: 'its demo TLS server and every peer of the local stack are on loopback, which it refuses by default',
    },
  },
});
