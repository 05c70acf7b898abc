import { defineOptions, defineService, httpLimitOptions, serviceOptions } from '@fopnp/net/cli';

/** Options every SSH command shares (exec, shell, get, put and the service's jobs). */
export const sshOptions = defineOptions({
  user: {
    type: 'string',
    env: 'SSH_USER',
    short: 'l',
    // No default here: the manifest is also read to write docker-compose.yml and k8s
    // files, which must not carry the name of whoever generated them.
    description: 'remote user name (default: your login name)',
  },
  sshPort: {
    type: 'port',
    flag: 'port',
    short: 'p',
    env: 'SSH_PORT',
    default: 22,
    description: 'SSH port (a host may also say host:port)',
  },
  identityFile: {
    type: 'string',
    env: 'SSH_IDENTITY_FILE',
    short: 'i',
    description: 'private key file; its passphrase comes from SSH_KEY_PASSPHRASE',
  },
  // Secrets come from the environment only (flag: false): a password on the command line
  // is visible to every user of the machine through ps.
  keyPassphrase: {
    type: 'string',
    env: 'SSH_KEY_PASSPHRASE',
    flag: false,
    description: 'passphrase of the private key (-i); environment only',
  },
  password: {
    type: 'string',
    env: 'SSH_PASSWORD',
    flag: false,
    description: 'password, tried after the key and the agent; environment only',
  },
  knownHosts: {
    type: 'string',
    env: 'SSH_KNOWN_HOSTS',
    default: '~/.ssh/known_hosts',
    description: 'known_hosts file the server keys are checked against',
  },
  hostKeyPolicy: {
    type: 'enum',
    choices: ['strict', 'accept-new'],
    env: 'SSH_HOST_KEY_POLICY',
    default: 'strict',
    description:
      'strict refuses unknown hosts; accept-new records a new host once (OpenSSH StrictHostKeyChecking=accept-new); a changed key is always refused',
  },
  connectTimeoutMs: {
    type: 'int',
    env: 'SSH_CONNECT_TIMEOUT_MS',
    default: 10_000,
    min: 100,
    description: 'TCP connect + SSH handshake + authentication deadline',
  },
});

/** ssh-runner declared once: the CLI, `serve`, compose and k8s all read this. */
export const manifest = defineService({
  name: 'ssh-runner',
  chapter: '16',
  description:
    'Remote commands, shells and SFTP over SSH on many hosts, with host-key checking; an HTTP runner for pre-declared jobs',
  command: ['serve'],
  ports: [{ name: 'http', protocol: 'tcp', option: 'port' }],
  needs: [],
  options: {
    host: { type: 'string', env: 'HOST', default: '0.0.0.0', description: 'address the HTTP API binds' },
    // `serve -p/--port` is the API's port, as in every other service's serve; the SSH port of
    // the jobs' hosts is --ssh-port here (both were --port before, and the SSH port won).
    port: { type: 'port', env: 'PORT', short: 'p', default: 8009, description: 'HTTP API port' },
    jobsFile: {
      type: 'string',
      env: 'JOBS_FILE',
      description:
        'JSON file declaring host groups and named commands; unset = no jobs (every run is refused)',
    },
    apiToken: {
      type: 'string',
      env: 'API_TOKEN',
      flag: false,
      description:
        'bearer token (16+ characters) every API call must carry; unset = every call is refused with 503',
    },
    concurrency: {
      type: 'int',
      env: 'CONCURRENCY',
      default: 10,
      min: 1,
      description: 'hosts a job works on at once',
    },
    commandTimeoutSec: {
      type: 'int',
      env: 'COMMAND_TIMEOUT_SEC',
      default: 60,
      min: 1,
      description: 'a job command still running after this is killed',
    },
    ...sshOptions,
    sshPort: { ...sshOptions.sshPort, flag: 'ssh-port', short: undefined },
    ...serviceOptions(9109),
    ...httpLimitOptions(),
  },
  deploy: {
    stateless: true,
    env: {
      API_TOKEN: {
        value: 'dev-only-api-token-change-me',
        why: 'without it the runner starts but refuses every API call (NO_API_TOKEN) (dev value; k8s reads a Secret)',
      },
    },
  },
});
