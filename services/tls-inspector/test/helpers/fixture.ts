/**
 * The common fixture of the tests that talk to openssl s_server: a fresh PKI for the file,
 * servers started on demand, and everything stopped and deleted after the file's tests.
 */
import { stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll } from 'vitest';
import { type OpenSslServer, startOpenSslServer } from './peers.js';
import { makePki, type Pki } from './pki.js';

export interface OpenSslFixture {
  readonly pki: Pki;
  /** Starts `openssl s_server -www` with these arguments (stopped after the file). */
  server(...args: string[]): Promise<OpenSslServer>;
}

export function useOpenSslFixture(): OpenSslFixture {
  let pki: Pki | undefined;
  const servers: OpenSslServer[] = [];
  beforeAll(async () => {
    pki = await makePki();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await stopAll();
    pki?.cleanup();
  });
  return {
    get pki() {
      if (!pki) throw new Error('the PKI is made in beforeAll');
      return pki;
    },
    async server(...args) {
      const s = await startOpenSslServer(args);
      servers.push(s);
      return s;
    },
  };
}
