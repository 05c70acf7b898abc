export { commandLine, counterpartArgs, findRow, shortName } from './catalog.js';
export { formatIndex } from './list.js';
export { BOOK_ROWS, type BookRow, type Counterpart, type RowStatus } from './rows.js';
export { cliOf, counterpartCommand, runCounterpart, workspaceRoot } from './run.js';
