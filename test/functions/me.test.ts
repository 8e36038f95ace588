/**
 * GET /api/me through its registered function: the downstream API's JSON for
 * a signed-in caller, and what its failures read as. The on-behalf-of flow
 * for bearer callers is in bearer.test.ts, refreshes in sign-in-cycle.test.ts.
 */
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { CookieJar, invoke } from '../helpers/functions';
import { signIn } from '../helpers/sign-in-steps';

let app: AppUnderTest;
const browser = new CookieJar();
beforeAll(async () => {
  app = await startApp();
  await signIn(app, browser);
});
afterEach(() => app.msw.resetHandlers());
afterAll(() => app.stop());

describe('GET /api/me', () => {
  it('answers the downstream API’s JSON, called with the user’s access token', async () => {
    const result = await browser.invoke(app.fn.me, '/api/me');
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({
      id: DEFAULT_USERS[0]!.oid,
      displayName: 'Alice Example',
      mail: 'alice@example.com',
      userPrincipalName: 'alice@example.com',
    });
  });

  it('answers 401 not_signed_in without a caller', async () => {
    const result = await invoke(app.fn.me, '/api/me');
    expect(result.status).toBe(401);
    expect(result.json()).toMatchObject({ code: 'not_signed_in' });
  });

  it('answers 502 downstream_failed when the downstream API answers an error or not JSON', async () => {
    app.msw.use(http.get(app.entra.graphMe, () => HttpResponse.json({ error: 'boom' }, { status: 500 })));
    const failed = await browser.invoke(app.fn.me, '/api/me');
    expect(failed.status).toBe(502);
    expect(failed.json()).toMatchObject({ code: 'downstream_failed', detail: 'The downstream API answered with status 500.' });

    app.msw.use(http.get(app.entra.graphMe, () => HttpResponse.text('<html>')));
    const garbled = await browser.invoke(app.fn.me, '/api/me');
    expect(garbled.status).toBe(502);
    expect(garbled.json()).toMatchObject({ code: 'downstream_failed', detail: 'The downstream API did not answer with JSON.' });
  });

  it('answers 503 downstream_unavailable with Retry-After when the downstream API cannot be reached', async () => {
    app.msw.use(http.get(app.entra.graphMe, () => HttpResponse.error()));
    const result = await browser.invoke(app.fn.me, '/api/me');
    expect(result.status).toBe(503);
    expect(result.headers['retry-after']).toBe('10');
    expect(result.json()).toMatchObject({ code: 'downstream_unavailable' });
  });
});
