export { ActionError, type Driver, type DriverState } from './actions/driver.js';
export { actionsOf, LocalStackDriver } from './actions/local-stack.js';
export { createControlServer } from './control/server.js';
export {
  type InstanceState,
  ProcessControl,
  STOP_SIGNALS,
  type StopSignal,
  UnitError,
  type UnitSpec,
  type UnitState,
} from './control/units.js';
export { DECLARED } from './declared.js';
export { Lab } from './lab.js';
export { manifest } from './manifest.js';
export { CSP, createLabServer } from './server.js';
export { defaultWebDir, startService } from './service.js';
export type * from './snapshot.js';
export { parsePrometheus } from './sources/prometheus.js';
export { RabbitSource } from './sources/rabbitmq.js';
export { parseClusterShards, parseInfo, RedisSource } from './sources/redis.js';
export { pollTally, ServicesSource } from './sources/services.js';
