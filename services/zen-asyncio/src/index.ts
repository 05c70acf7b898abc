export { askQuestions, sendHalfQuestion, ZenClient, type ZenClientOptions } from './client.js';
export {
  isClusterWorker,
  type RunningCluster,
  runClusterWorker,
  startClusterPrimary,
} from './cluster.js';
export { DEFAULT_LIMITS, MODES, type Mode, type ZenLimits, zenOptions } from './config.js';
export { ServerBusyError, ZEN_ERRORS, ZenError, type ZenErrorCode } from './errors.js';
export { manifest } from './manifest.js';
export { registerZenMetrics } from './metrics.js';
export {
  ANSWER_END,
  type Answer,
  APHORISMS,
  answerFor,
  answerForText,
  BOOK_APHORISM_COUNT,
  DEFAULT_MAX_QUESTION_BYTES,
  QUESTION_END,
  questions,
  REPLIES,
  sampleQuestions,
} from './protocol.js';
export { type ConversationMode, createZenServer, ZenServer, type ZenServerOptions } from './server.js';
export { startService } from './service.js';
export { ERROR_KINDS, type ErrorKind, emptyStats, sumStats, type ZenStats } from './stats.js';
