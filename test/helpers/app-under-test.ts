/**
 * The app wired to a fake Entra tenant (msw) and a real local Cosmos DB API:
 * what function-level tests start in `beforeAll` and stop in `afterAll`.
 */
import { setupServer } from 'msw/node';
import type { RegisteredFunction } from '../../src/lib/registry';
import { startCosmos, type LocalCosmos } from './cosmos-server';
import { FakeEntra } from './fake-entra';
import { APP_ORIGIN, loadFunctions } from './functions';

export const COOKIE_SECRET = 'first-cookie-secret-0123456789abcdef';

export interface AppUnderTest {
  entra: FakeEntra;
  cosmos: LocalCosmos;
  msw: ReturnType<typeof setupServer>;
  fn: Record<
    'login' | 'redirect' | 'claims' | 'me' | 'logout' | 'home' | 'style' | 'health' | 'sessions' | 'session' | 'user-sessions' | 'frontchannel-logout',
    RegisteredFunction
  > &
    Record<string, RegisteredFunction>;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startApp(extraEnv: Record<string, string> = {}): Promise<AppUnderTest> {
  const entra = await FakeEntra.create();
  const cosmos = await startCosmos();
  const msw = setupServer(...entra.handlers());
  msw.listen({
    onUnhandledRequest(request, print) {
      // The local Cosmos DB API is real; only the outside world is faked. Names under .invalid never
      // resolve (RFC 2606), so they reach the real resolver to fail there, as a mistyped host does.
      const { hostname } = new URL(request.url);
      if (hostname === '127.0.0.1' || hostname.endsWith('.invalid')) return;
      print.error();
    },
  });
  const env = {
    TENANT_SUBDOMAIN: entra.subdomain,
    CLIENT_ID: entra.clientId,
    CLIENT_SECRET: entra.clientSecret,
    REDIRECT_URI: `${APP_ORIGIN}/api/redirect`,
    COOKIE_SECRETS: COOKIE_SECRET,
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    COSMOS_DATABASE: `test-${crypto.randomUUID()}`,
    ...extraEnv,
  };
  Object.assign(process.env, env);
  const fn = (await loadFunctions()) as AppUnderTest['fn'];
  return {
    entra,
    cosmos,
    msw,
    fn,
    env,
    async stop() {
      msw.close();
      await cosmos.close();
      for (const key of Object.keys(env)) delete process.env[key];
    },
  };
}
