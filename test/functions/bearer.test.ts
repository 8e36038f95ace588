import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { CookieJar, invoke } from '../helpers/functions';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

const alice = DEFAULT_USERS[0]!;
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('bearer access tokens from headless clients', () => {
  it('give /api/claims the same JSON shape as a cookie session', async () => {
    const result = await invoke(app.fn.claims, '/api/claims', bearer(await app.entra.accessToken(alice)));
    expect(result.status).toBe(200);
    const body = result.json<{ claims: Record<string, unknown>; session: Record<string, unknown> }>();
    expect(body.claims).toMatchObject({ oid: alice.oid, preferred_username: alice.email, scp: 'access_as_user' });
    expect(Object.keys(body.session).sort()).toEqual(['absoluteExpiresAt', 'authenticatedWith', 'createdAt', 'expiresAt']);
    expect(body.session.authenticatedWith).toBe('bearer');

    const browser = new CookieJar();
    const login = await browser.invoke(app.fn.login, '/api/login');
    await browser.invoke(app.fn.redirect, app.entra.authorize(login.location!));
    const cookieBody = (await browser.invoke(app.fn.claims, '/api/claims')).json<{ session: Record<string, unknown> }>();
    expect(Object.keys(cookieBody.session).sort()).toEqual(Object.keys(body.session).sort());
  });

  it('let /api/me call Graph through the on-behalf-of flow', async () => {
    const before = app.entra.onBehalfOfGrants;
    const result = await invoke(app.fn.me, '/api/me', bearer(await app.entra.accessToken(alice)));
    expect(result.status).toBe(200);
    expect(result.json()).toMatchObject({ mail: alice.email });
    expect(app.entra.onBehalfOfGrants).toBe(before + 1);
  });

  const refused: Array<[string, (claims: Record<string, unknown>) => Record<string, unknown>]> = [
    ['a wrong audience', (claims) => ({ ...claims, aud: 'api://someone-else' })],
    ['a wrong issuer', (claims) => ({ ...claims, iss: 'https://evil.example/v2.0' })],
    ['an expired token', (claims) => ({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 })],
    ["another tenant's tid", (claims) => ({ ...claims, tid: '00000000-0000-4000-8000-00000000beef' })],
    ['no tid', ({ tid: _tid, ...claims }) => claims],
    ['a version 1.0 token', (claims) => ({ ...claims, ver: '1.0' })],
    ['no ver', ({ ver: _ver, ...claims }) => claims],
  ];
  for (const [name, tamper] of refused) {
    it(`refuse ${name} with 401 invalid_token`, async () => {
      const token = await app.entra.accessToken(alice, { claims: tamper });
      const result = await invoke(app.fn.claims, '/api/claims', bearer(token));
      expect(result.status).toBe(401);
      expect(result.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(result.headers['content-type']).toBe('application/problem+json');
      expect(result.body).not.toContain(token);
    });
  }

  it('refuse a bad signature and alg none', async () => {
    const token = await app.entra.accessToken(alice);
    const [header, payload, signature] = token.split('.');
    const flipped = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    for (const forged of [flipped, none]) {
      const result = await invoke(app.fn.claims, '/api/claims', bearer(forged));
      expect(result.status).toBe(401);
      expect(result.json()).toMatchObject({ code: 'invalid_token' });
    }
  });

  it('refuse a token without the required scope with 403 insufficient_scope', async () => {
    const token = await app.entra.accessToken(alice, { claims: (claims) => ({ ...claims, scp: 'something_else' }) });
    const result = await invoke(app.fn.me, '/api/me', bearer(token));
    expect(result.status).toBe(403);
    expect(result.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="access_as_user"');
  });

  it('refuse a malformed Authorization header, and never fall back to the cookie', async () => {
    const result = await invoke(app.fn.claims, '/api/claims', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(result.status).toBe(401);
    expect(result.json()).toMatchObject({ code: 'invalid_token' });
  });
});
