import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { startCosmosFaultProxy, type CosmosFaultProxy } from '../helpers/cosmos-fault-proxy';
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
