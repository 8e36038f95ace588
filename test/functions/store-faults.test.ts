import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { startCosmosFaultProxy, unavailable, type CosmosFaultProxy, type CosmosRequest, type FaultAction } from '../helpers/cosmos-fault-proxy';
import { CookieJar, SAME_ORIGIN } from '../helpers/functions';

/** The default: the app is started without the setting. */
const SESSION_CACHE_SECONDS = 30;

let app: AppUnderTest;
let proxy: CosmosFaultProxy;
beforeAll(async () => {
  app = await startApp({ COSMOS_ENDPOINT: 'http://127.0.0.1:1' });
  proxy = await startCosmosFaultProxy(app.cosmos.endpoint);
  process.env.COSMOS_ENDPOINT = proxy.url;
});
afterAll(async () => {
  await proxy.close();
  await app.stop();
});

describe('when Cosmos DB is unreachable', () => {
  it('answers 503 with Retry-After, problem+json for the API and a page for browsers, and keeps the session', async () => {
    const browser = new CookieJar();
    const login = await browser.invoke(app.fn.login, '/api/login');
    await browser.invoke(app.fn.redirect, app.entra.authorize(login.location!));
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(200);

    await proxy.down();
    // The instance read this session less than SESSION_CACHE_SECONDS ago: it answers from memory, without Cosmos DB.
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(200);

    const realNow = Date.now;
    Date.now = () => realNow() + (SESSION_CACHE_SECONDS + 1) * 1000;
    try {
      const started = realNow();
      const claims = await browser.invoke(app.fn.claims, '/api/claims');
      expect(claims.status).toBe(503);
      expect(Number(claims.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(claims.headers['content-type']).toBe('application/problem+json');
      expect(claims.json()).toMatchObject({ code: 'store_unavailable' });
      expect(realNow() - started).toBeLessThan(20_000);

      const home = await browser.invoke(app.fn.home, '/api/home');
      expect(home.status).toBe(503);
      expect(home.headers['content-type']).toContain('text/html');

      // Signing out while the store is down must not pretend to succeed: the cookie stays so the user can retry.
      const logout = await browser.invoke(app.fn.logout, '/api/logout', { headers: SAME_ORIGIN });
      expect(logout.status).toBe(503);
      expect(browser.cookies.has('fnauth')).toBe(true);

      await proxy.up();
      expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
    } finally {
      Date.now = realNow;
    }
  }, 60_000);
});

describe('when a browser that has a session signs in again and the new session cannot be stored', () => {
  const createsSession = (request: CosmosRequest) => request.operation === 'batch' && request.batch?.some((operation) => operation.operationType === 'Create') === true;
  /** What Cosmos DB answers a batch whose session id exists already: 409 for it, 424 for the rest. */
  const conflict: FaultAction = {
    kind: 'respond',
    status: 207,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      { statusCode: 409, requestCharge: 0 },
      { statusCode: 424, requestCharge: 0 },
    ]),
  };

  const currentSessionId = async (browser: CookieJar) =>
    (await browser.invoke(app.fn.sessions, '/api/sessions')).json<{ sessions: Array<{ id: string; current: boolean }> }>().sessions.find((entry) => entry.current)?.id;

  it.each([
    ['503 store_unavailable', unavailable(), 503],
    ['400 transaction_reused', conflict, 400],
  ] as const)('keeps the session the browser had (%s)', async (_name, fault, status) => {
    const browser = new CookieJar();
    const first = await browser.invoke(app.fn.login, '/api/login');
    await browser.invoke(app.fn.redirect, app.entra.authorize(first.location!));
    const before = await currentSessionId(browser);
    expect(before).toBeDefined();

    const again = await browser.invoke(app.fn.login, '/api/login');
    const remove = proxy.inject((request) => (createsSession(request) ? fault : undefined), { times: 1 });
    const mark = proxy.log.length;
    const failed = await browser.invoke(app.fn.redirect, app.entra.authorize(again.location!));
    remove();
    expect(failed.status).toBe(status);
    // No batch ended the old session: it still works, as it was.
    expect(proxy.log.slice(mark).filter((entry) => entry.operation === 'batch' && entry.batch?.some((operation) => operation.operationType === 'Delete'))).toEqual([]);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
    expect(await currentSessionId(browser)).toBe(before);
  }, 30_000);

  it('ends the old session once the new one is stored, not before', async () => {
    const browser = new CookieJar();
    const first = await browser.invoke(app.fn.login, '/api/login');
    await browser.invoke(app.fn.redirect, app.entra.authorize(first.location!));
    const oldCookie = new CookieJar();
    oldCookie.plant('fnauth', browser.cookies.get('fnauth')!);

    const again = await browser.invoke(app.fn.login, '/api/login');
    const mark = proxy.log.length;
    expect((await browser.invoke(app.fn.redirect, app.entra.authorize(again.location!))).status).toBe(302);
    const batches = proxy.log.slice(mark).filter((entry) => entry.operation === 'batch');
    expect(batches.map((entry) => entry.batch?.map((operation) => operation.operationType))).toEqual([
      ['Create', 'Create'],
      ['Delete', 'Delete'],
    ]);
    expect(batches[1]!.startedAt).toBeGreaterThanOrEqual(batches[0]!.startedAt + (batches[0]!.durationMs ?? 0));
    expect((await oldCookie.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });
});
