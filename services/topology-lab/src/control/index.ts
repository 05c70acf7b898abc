/** The control endpoint an orchestrator runs for the lab (`@fopnp/topology-lab/control`). */
export { createControlServer } from './endpoint.js';
export {
  type InstanceState,
  ProcessControl,
  STOP_SIGNALS,
  type StopSignal,
  type UnitSpec,
  type UnitState,
} from './units.js';
