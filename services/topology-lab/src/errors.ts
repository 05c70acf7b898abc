/**
 * The lab's coded errors, declared with the kit's `defineErrors`: each has a stable code
 * (FOPNP_TOPOLOGY_LAB_ERR_<NAME>), an HTTP status, and a message saying what to change.
 * The lab's API answers them with the one JSON error body, `{"error":{"code","message"}}`.
 */
import { defineErrors, NetError } from '@fopnp/net';

export const LAB_ERRORS = defineErrors('topology-lab', {
  /** A path the lab does not serve. */
  NOT_FOUND: {
    statusCode: 404,
    message: (path: string) =>
      `nothing at ${path}; the page is /, its API /api/state, /api/events, /api/where?key=, POST /api/actions/<id>, /api/scenarios`,
  },
  /** A method the path does not take. */
  METHOD_NOT_ALLOWED: {
    statusCode: 405,
    message: (method: string) =>
      `method ${method} not allowed here; GET or HEAD, POST for actions and scenarios`,
  },
  /** /api/state before the first poll has finished. */
  NOT_READY: { statusCode: 503, message: () => 'the first poll has not finished; ask again in a second' },
  /** An action POST without the x-lab-action header (a cross-site form cannot send it). */
  ACTION_HEADER: { statusCode: 400, message: () => 'send the header x-lab-action: 1' },
  /** An action from a non-loopback caller without the lab's token. */
  ACTION_FORBIDDEN: {
    statusCode: 403,
    message: () => 'actions need a loopback caller or Authorization: Bearer <LAB_TOKEN>',
  },
  /** The lab runs read-only (LAB_READ_ONLY), or has no control endpoint for this action. */
  ACTIONS_OFF: { statusCode: 503, message: (why: string) => `actions are off: ${why}` },
  /** An action id that no driver declared. */
  NO_ACTION: {
    statusCode: 404,
    message: (id: string, declared: string) => `no action ${JSON.stringify(id)}; declared: ${declared}`,
  },
  /** A declared action that ran and failed (the orchestrator or the broker refused it). */
  ACTION_FAILED: { statusCode: 502, message: (label: string, why: string) => `${label} failed: ${why}` },
  /** ?key= missing, too long or with control characters. */
  BAD_KEY: { statusCode: 400, message: (why: string) => `bad key: ${why}` },
  /** Key movement asked for with fewer than two configured shards. */
  NO_SHARDS: { statusCode: 409, message: (why: string) => why },
  /** A scenario id that is not declared. */
  NO_SCENARIO: {
    statusCode: 404,
    message: (id: string, declared: string) => `no scenario ${JSON.stringify(id)}; declared: ${declared}`,
  },
  /** The control endpoint: no bearer token, or the wrong one. */
  CONTROL_TOKEN: {
    statusCode: 401,
    message: () => 'missing or wrong bearer token: send Authorization: Bearer <STACK_CONTROL_TOKEN>',
  },
  /** The control endpoint: a path it does not have. */
  CONTROL_ROUTE: {
    statusCode: 404,
    message: () => 'no such route: GET /units, POST /units/<name>/start, POST /units/<name>/stop?signal=',
  },
  /** The control endpoint: a unit the orchestrator did not declare. */
  NO_UNIT: {
    statusCode: 404,
    message: (name: string, declared: string) => `no unit ${JSON.stringify(name)}; declared: ${declared}`,
  },
  /** The control endpoint: start of a unit that is not scalable and already runs. */
  UNIT_RUNNING: {
    statusCode: 409,
    message: (name: string) => `${name} is already running (it is not scalable)`,
  },
  /** The control endpoint: stop of a unit with no running instance. */
  NO_INSTANCE: { statusCode: 409, message: (name: string) => `${name} has no running instance` },
  /** The control endpoint: a signal other than SIGTERM or SIGKILL. */
  BAD_SIGNAL: { statusCode: 400, message: (allowed: string) => `signal must be one of ${allowed}` },
  /** A scenario started while another runs. */
  SCENARIO_BUSY: {
    statusCode: 409,
    message: (running: string) => `scenario ${running} is running; wait for it to end`,
  },
});

export type LabErrorName = keyof typeof LAB_ERRORS.specs;

/** Every error the lab answers with. */
export class LabError extends NetError {
  constructor(
    readonly which: LabErrorName,
    ...args: string[]
  ) {
    // biome-ignore lint/suspicious/noExplicitAny: each entry's message takes its own strings
    super((LAB_ERRORS.describe as any)(which, ...args));
  }
}
