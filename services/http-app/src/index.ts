export { type OpenBankOptions, openBank } from './bank/open.js';
export { hashPassword, verifyPassword } from './bank/passwords.js';
export { PgStore } from './bank/pg-store.js';
export { SqliteStore } from './bank/sqlite-store.js';
export type { BankStore, Payment, Session } from './bank/store.js';
export {
  HttpClient,
  type HttpClientOptions,
  type HttpResponse,
  parseHeaderArg,
  parseHttpUrl,
} from './client.js';
export { ENVIRON_PREAMBLE, pformat, wsgiEnviron } from './echo/environ.js';
export { FRAMING_LINES, FRAMINGS } from './echo/framing.js';
export { getEcho, type RequestFacts } from './echo/request-info.js';
export {
  HTTP_APP_ERRORS,
  HttpAppError,
  type HttpAppErrorCode,
  type HttpAppErrorName,
  MethodNotAllowedError,
  NoRouteError,
} from './errors.js';
export { type CatalogRoute, RouteCatalog } from './httpbin/catalog.js';
export { manifest } from './manifest.js';
export { createHttpAppServer, type HttpAppServerOptions } from './server.js';
