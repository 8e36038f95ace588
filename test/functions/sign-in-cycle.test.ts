import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_SECRET, startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { CookieJar, logLines, SAME_ORIGIN } from '../helpers/functions';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

async function signIn(browser: CookieJar, user = DEFAULT_USERS[0]!, loginPath = '/api/login') {
  const login = await browser.invoke(app.fn.login, loginPath);
  expect(login.status).toBe(302);
  const callback = app.entra.authorize(login.location!, user);
  const redirect = await browser.invoke(app.fn.redirect, callback);
  return { login, callback, redirect };
}

describe('the whole browser cycle', () => {
  it('signs in, shows claims, calls Graph, refreshes, and signs out', async () => {
    const browser = new CookieJar();
    const { login, redirect } = await signIn(browser);

    const authorize = new URL(login.location!);
    expect(authorize.origin).toBe('https://contoso.ciamlogin.com');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('scope')).toContain('offline_access');
    const txCookie = login.cookies[0]!;
    expect(txCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(txCookie.maxAge).toBeLessThanOrEqual(600);

    expect(redirect.status).toBe(302);
    expect(redirect.location).toBe('http://localhost:7071/api/claims');
    const sessionCookie = redirect.cookies.find((cookie) => cookie.name === 'fnauth')!;
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    expect([...browser.cookies.keys()]).toEqual(['fnauth']);

    const claims = await browser.invoke(app.fn.claims, '/api/claims');
    expect(claims.status).toBe(200);
    const body = claims.json<{ claims: Record<string, unknown>; session: { expiresAt: string } }>();
    expect(body.claims).toMatchObject({ email: 'alice@example.com', name: 'Alice Example', tid: app.entra.tenantId });
    expect(Date.parse(body.session.expiresAt)).toBeGreaterThan(Date.now());

    const me = await browser.invoke(app.fn.me, '/api/me');
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ mail: 'alice@example.com' });

    const logout = await browser.invoke(app.fn.logout, '/api/logout', { headers: SAME_ORIGIN });
    expect(logout.status).toBe(302);
    const endSession = new URL(logout.location!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(app.entra.metadata.end_session_endpoint);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe('http://localhost:7071/api/home');
    // logout_hint names the account without putting the ID token in a URL.
    expect(endSession.searchParams.get('logout_hint')).toBe(`hint-${DEFAULT_USERS[0]!.oid}`);
    expect(endSession.searchParams.get('id_token_hint')).toBeNull();
    expect(browser.cookies.size).toBe(0);
  });

  it('refreshes an expired access token from the cache in Cosmos', async () => {
    app.entra.accessTokenLifetime = 60; // inside MSAL's 5-minute renewal window: every silent call refreshes
    try {
      const browser = new CookieJar();
      await signIn(browser);
      const before = app.entra.refreshTokensIssued.length;
      const first = await browser.invoke(app.fn.me, '/api/me');
      const second = await browser.invoke(app.fn.me, '/api/me');
      expect([first.status, second.status]).toEqual([200, 200]);
      // Each call redeemed the refresh token saved by the call before it.
      expect(app.entra.refreshTokensIssued.length).toBe(before + 2);
    } finally {
      app.entra.accessTokenLifetime = 3600;
    }
  });

  it('answers 401 with the login URL once no token can be had silently', async () => {
    app.entra.accessTokenLifetime = 60;
    try {
      const browser = new CookieJar();
      await signIn(browser);
      app.entra.revokeRefreshTokens();
      const me = await browser.invoke(app.fn.me, '/api/me');
      expect(me.status).toBe(401);
      expect(me.headers['content-type']).toBe('application/problem+json');
      expect(me.json()).toMatchObject({ code: 'interaction_required', login_url: 'http://localhost:7071/api/login' });
    } finally {
      app.entra.accessTokenLifetime = 3600;
    }
  });

  it('sends the user back to a safe returnTo', async () => {
    const browser = new CookieJar();
    const { redirect } = await signIn(browser, DEFAULT_USERS[0], '/api/login?returnTo=%2Fapi%2Fme%3Fx%3D1');
    expect(redirect.location).toBe('http://localhost:7071/api/me?x=1');
  });

  it('passes prompt=create and login_hint to Entra, and refuses unknown prompts', async () => {
    const browser = new CookieJar();
    const login = await browser.invoke(app.fn.login, '/api/login?prompt=create&login_hint=new%40example.com');
    const params = new URL(login.location!).searchParams;
    expect(params.get('prompt')).toBe('create');
    expect(params.get('login_hint')).toBe('new@example.com');
    const bad = await browser.invoke(app.fn.login, '/api/login?prompt=consent');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('text/html');
  });

  it('gives every sign-in a new session id, and two users see only their own claims', async () => {
    const alice = new CookieJar();
    const bob = new CookieJar();
    await signIn(alice, DEFAULT_USERS[0]);
    const firstCookie = alice.cookies.get('fnauth');
    await signIn(alice, DEFAULT_USERS[0]);
    expect(alice.cookies.get('fnauth')).not.toBe(firstCookie);
    await signIn(bob, DEFAULT_USERS[1]);
    const [aliceClaims, bobClaims] = await Promise.all([alice.invoke(app.fn.claims, '/api/claims'), bob.invoke(app.fn.claims, '/api/claims')]);
    expect(aliceClaims.json<{ claims: { email: string } }>().claims.email).toBe('alice@example.com');
    expect(bobClaims.json<{ claims: { email: string } }>().claims.email).toBe('bob@example.com');
    const [aliceMe, bobMe] = await Promise.all([alice.invoke(app.fn.me, '/api/me'), bob.invoke(app.fn.me, '/api/me')]);
    expect(aliceMe.json()).toMatchObject({ mail: 'alice@example.com' });
    expect(bobMe.json()).toMatchObject({ mail: 'bob@example.com' });
  });

  it('lets two tabs sign in at once', async () => {
    const browser = new CookieJar();
    const first = await browser.invoke(app.fn.login, '/api/login?returnTo=/api/claims');
    const second = await browser.invoke(app.fn.login, '/api/login?returnTo=/api/me');
    const secondDone = await browser.invoke(app.fn.redirect, app.entra.authorize(second.location!));
    const firstDone = await browser.invoke(app.fn.redirect, app.entra.authorize(first.location!));
    expect([firstDone.status, secondDone.status]).toEqual([302, 302]);
    expect(firstDone.location).toBe('http://localhost:7071/api/claims');
    expect(secondDone.location).toBe('http://localhost:7071/api/me');
  });

  it('after sign-out the old cookie gets 401, and signing out again just redirects', async () => {
    const browser = new CookieJar();
    await signIn(browser);
    const stolen = browser.header();
    await browser.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: SAME_ORIGIN });
    const replay = await browser.invoke(app.fn.claims, '/api/claims', { headers: { cookie: stolen } });
    expect(replay.status).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'not_signed_in', login_url: 'http://localhost:7071/api/login' });
    const again = await browser.invoke(app.fn.logout, '/api/logout', { headers: { cookie: stolen, ...SAME_ORIGIN } });
    expect(again.status).toBe(302);
  });

  it('shows the start page with who is signed in, escaped', async () => {
    const browser = new CookieJar();
    const signedOut = await browser.invoke(app.fn.home, '/api/home');
    expect(signedOut.status).toBe(200);
    expect(signedOut.body).toMatch(/id="sign-up"[^>]* href="\/api\/login\?prompt=create/);
    await signIn(browser, { oid: '33333333-3333-4333-8333-333333333333', name: '<img src=x onerror=alert(1)>', email: 'eve@example.com' });
    const signedIn = await browser.invoke(app.fn.home, '/api/home');
    expect(signedIn.body).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(signedIn.body).not.toContain('<img');
    expect(signedIn.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('does not let another site sign the user out: it gets a confirmation page', async () => {
    const browser = new CookieJar();
    await signIn(browser);
    const crossSite = await browser.invoke(app.fn.logout, '/api/logout', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(200);
    expect(crossSite.body).toMatch(/<form [^>]*method="post" action="\/api\/logout">/);
    const foreignOrigin = await browser.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(foreignOrigin.status).toBe(200);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(200);

    const confirmed = await browser.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: SAME_ORIGIN });
    expect(confirmed.status).toBe(302);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
  });

  it('asks first when the browser sends neither Sec-Fetch-Site nor Origin, and the page\'s own form then works without them', async () => {
    const browser = new CookieJar();
    await signIn(browser);
    // An older browser following a link on another site: no Sec-Fetch-Site, no Origin.
    const link = await browser.invoke(app.fn.logout, '/api/logout');
    expect(link.status).toBe(200);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
    const token = /name="token" value="([^"]+)"/.exec(link.body)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Another site's form without the token (or with someone else's) is not enough either.
    expect((await browser.invoke(app.fn.logout, '/api/logout', { form: {} })).status).toBe(200);
    expect((await browser.invoke(app.fn.logout, '/api/logout', { form: { token: 'A'.repeat(43) } })).status).toBe(200);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
    // The confirmation's own button, from the same older browser.
    const confirmed = await browser.invoke(app.fn.logout, '/api/logout', { form: { token: token! } });
    expect(confirmed.status).toBe(302);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
  });

  it('ends the previous session when the browser signs in again', async () => {
    const browser = new CookieJar();
    await signIn(browser, DEFAULT_USERS[0]);
    const previous = browser.header();
    await signIn(browser, DEFAULT_USERS[1]);
    expect((await browser.invoke(app.fn.claims, '/api/claims', { headers: { cookie: previous } })).status).toBe(401);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).json<{ claims: { email: string } }>().claims.email).toBe('bob@example.com');
  });

  it('keeps at most three sign-ins pending per browser, and clears a failed one', async () => {
    const browser = new CookieJar();
    for (let started = 0; started < 10; started += 1) await browser.invoke(app.fn.login, '/api/login');
    expect([...browser.cookies.keys()].filter((name) => name.startsWith('fnauth-tx-'))).toHaveLength(3);

    const fresh = new CookieJar();
    const login = await fresh.invoke(app.fn.login, '/api/login');
    const callback = new URL(app.entra.authorize(login.location!));
    callback.searchParams.set('code', 'not-a-code-entra-issued');
    const failed = await fresh.invoke(app.fn.redirect, callback.href);
    expect(failed.status).toBe(400);
    expect([...fresh.cookies.keys()].filter((name) => name.startsWith('fnauth-tx-'))).toHaveLength(0);
  });

  it('never redirects the claims endpoint and answers problem+json without a session', async () => {
    const anonymous = new CookieJar();
    const claims = await anonymous.invoke(app.fn.claims, '/api/claims');
    expect(claims.status).toBe(401);
    expect(claims.location).toBeUndefined();
    expect(claims.headers['content-type']).toBe('application/problem+json');
  });

  it('makes no discovery call on a warm instance', async () => {
    const discoveries = () => app.entra.requests.filter((line) => line.includes('openid-configuration')).length;
    const before = discoveries();
    await signIn(new CookieJar());
    expect(discoveries()).toBe(before);
    expect(before).toBeLessThanOrEqual(1);
  });

  it('logs one line per request without tokens, codes, cookies or secrets', () => {
    expect(logLines().length).toBeGreaterThan(10);
    const joined = logLines().join('\n');
    for (const secret of [app.entra.clientSecret, 'code-', 'at-', 'rt-', 'eyJ', COOKIE_SECRET]) {
      expect(joined).not.toContain(secret);
    }
    for (const line of logLines()) expect(JSON.parse(line)).toHaveProperty('invocationId');
  });
});
