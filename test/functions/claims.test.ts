/**
 * GET /api/claims through its registered function: a signed-in caller's
 * claims and session times; no caller, a forged cookie or an ended session
 * is a 401 problem+json. Bearer callers are in bearer.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { CookieJar, invoke, SAME_ORIGIN } from '../helpers/functions';
import { SESSION_COOKIE, signIn } from '../helpers/sign-in-steps';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

const alice = DEFAULT_USERS[0]!;

describe('GET /api/claims', () => {
  it('answers the session’s ID token claims and when the session ends', async () => {
    const browser = new CookieJar();
    await signIn(app, browser);
    const result = await browser.invoke(app.fn.claims, '/api/claims');
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    const body = result.json<{ claims: Record<string, unknown>; session: Record<string, string> }>();
    expect(body.claims).toMatchObject({ oid: alice.oid, email: alice.email, tid: app.entra.tenantId, aud: app.entra.clientId });
    expect(body.session.authenticatedWith).toBe('cookie');
    const { createdAt, expiresAt, absoluteExpiresAt } = body.session;
    expect(Date.parse(createdAt!)).toBeLessThan(Date.parse(expiresAt!));
    expect(Date.parse(expiresAt!)).toBeLessThanOrEqual(Date.parse(absoluteExpiresAt!));
  });

  it('answers 401 not_signed_in with the login URL and a Bearer challenge to a caller without a session', async () => {
    for (const headers of [{}, { cookie: `${SESSION_COOKIE}=not-a-jws` }] as Record<string, string>[]) {
      const result = await invoke(app.fn.claims, '/api/claims', { headers });
      expect(result.status).toBe(401);
      expect(result.headers['content-type']).toBe('application/problem+json');
      expect(result.headers['www-authenticate']).toBe('Bearer');
      expect(result.json()).toEqual({
        type: 'urn:fnauth:error:not_signed_in',
        title: 'Sign-in required',
        status: 401,
        code: 'not_signed_in',
        detail: 'You are not signed in, or your session has ended. Sign in to continue.',
        login_url: 'http://localhost:7071/api/login',
      });
    }
  });

  it('answers 401 once the session has ended, even with the same cookie', async () => {
    const browser = new CookieJar();
    await signIn(app, browser);
    const cookie = browser.header();
    await browser.invoke(app.fn.logout, '/api/logout', { headers: SAME_ORIGIN });
    const result = await invoke(app.fn.claims, '/api/claims', { headers: { cookie } });
    expect(result.status).toBe(401);
  });
});
