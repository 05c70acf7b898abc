/**
 * Before the suite: delete what earlier runs of these tests left on the shared broker
 * when they were killed before their afterAll (names carry the pid of the run that made
 * them; only prefixes whose process is gone are touched).
 */
import { deleteAllUnder, staleTestPrefixes } from './helpers.js';

export default async function sweepStaleTestQueues(): Promise<void> {
  for (const prefix of await staleTestPrefixes()) await deleteAllUnder(prefix);
}
