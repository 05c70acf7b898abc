export { type AuthOptions, type ConnectOptions, openSsh, parseTarget, type SshTarget } from './connection.js';
export * from './errors.js';
export {
  type ExecOptions,
  type HostResult,
  runOnHost,
  runOnHosts,
  succeeded,
  summaryTable,
  targetLabel,
} from './exec.js';
export { type JobsConfig, loadJobs, parseJobs } from './jobs.js';
export { fingerprint, type HostKeyPolicy, KnownHosts, knownHostsName } from './known-hosts.js';
export { manifest, sshOptions } from './manifest.js';
export { createRunnerServer } from './server.js';
export { getFile, progressPrinter, putFile } from './sftp.js';
export { runShell } from './shell.js';
