import { defineService, httpLimitOptions, serviceOptions } from '@fopnp/net/cli';

/** http-app declared once: the CLI, `serve`, compose and k8s all read this. */
export const manifest = defineService({
  name: 'http-app',
  chapter: '9-11',
  description:
    'An httpbin-style echo server (ch. 10), a curl -v style client with a keep-alive pool (ch. 9) and the bank of app_improved.py, secured (ch. 11)',
  command: ['serve'],
  ports: [{ name: 'http', protocol: 'tcp', option: 'port', public: true }],
  needs: ['postgres'],
  options: {
    host: {
      type: 'string',
      env: 'HOST',
      default: '0.0.0.0',
      description: 'address the HTTP port binds',
    },
    port: {
      type: 'port',
      env: 'PORT',
      short: 'p',
      default: 8000,
      description: 'TCP port of the HTTP server (echo endpoints and the bank)',
    },
    databaseUrl: {
      type: 'string',
      env: 'DATABASE_URL',
      description:
        'postgres://… to keep users, sessions and payments in PostgreSQL (replicas share state); unset = SQLite',
    },
    databaseSchema: {
      type: 'string',
      env: 'DATABASE_SCHEMA',
      default: 'public',
      description: 'PostgreSQL schema for the bank tables (created if missing)',
    },
    sqlitePath: {
      type: 'string',
      env: 'SQLITE_PATH',
      default: 'bank.db',
      description: 'SQLite file used when DATABASE_URL is unset (":memory:" for a throwaway bank)',
    },
    sessionSecret: {
      type: 'string',
      env: 'SESSION_SECRET',
      flag: false,
      description:
        'key that signs the session cookie (32+ chars); unset = a random key per process, so sessions end on restart and replicas disagree',
    },
    tlsCertFile: {
      type: 'string',
      env: 'TLS_CERT_FILE',
      description: 'PEM certificate chain: serve HTTPS on PORT instead of HTTP (with TLS_KEY_FILE)',
    },
    tlsKeyFile: {
      type: 'string',
      env: 'TLS_KEY_FILE',
      description: 'PEM private key for TLS_CERT_FILE',
    },
    trustProxy: {
      type: 'boolean',
      env: 'TRUST_PROXY',
      default: false,
      description:
        'believe X-Forwarded-For/-Proto from a reverse proxy (client IP, and Secure cookies behind TLS)',
    },
    bodyLimit: {
      type: 'int',
      env: 'BODY_LIMIT',
      default: 1_048_576,
      min: 1024,
      description: 'largest request body in bytes; bigger ones get 413',
    },
    loginRateLimit: {
      type: 'int',
      env: 'LOGIN_RATE_LIMIT',
      default: 10,
      min: 1,
      description: 'login attempts allowed per client IP per minute; more get 429',
    },
    seedDemoUsers: {
      type: 'boolean',
      env: 'SEED_DEMO_USERS',
      default: true,
      description: "create the book's users brandon/atigdng and sam/xyzzy when the bank has no users",
    },
    maxDelaySeconds: {
      type: 'int',
      env: 'MAX_DELAY_SECONDS',
      default: 10,
      min: 0,
      description: 'cap on /delay/:n and /drip durations',
    },
    redirectToHosts: {
      type: 'list',
      env: 'REDIRECT_TO_HOSTS',
      default: [],
      description:
        "hosts /redirect-to may send clients to besides this server ('*' for any); empty: no open redirect",
    },
    ...serviceOptions(9107),
    ...httpLimitOptions(),
  },
  deploy: {
    stateless: true,
    env: {
      SESSION_SECRET: {
        value: 'dev-only-session-secret-change-me-0123456789',
        why: 'a fixed key so sessions survive restarts and replicas agree (dev value; k8s reads a Secret)',
      },
    },
  },
});
