/**
 * "Add your own function" (README): the two example functions in
 * test/functions/examples, registered as a user would register them, behave
 * as the README says. An API function that needs an app role answers 401
 * without a caller and 403 without the role; a page that needs a signed-in
 * user sends the browser to sign in and back. The README shows these very
 * files (test/readme.test.ts checks that).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredFunction } from '../../src/lib/registry';
import { urlFor } from '../../src/lib/routes';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS, type FakeUser } from '../helpers/fake-entra';
import { CookieJar, invoke } from '../helpers/functions';
import { signIn } from '../helpers/sign-in-steps';

const clerk: FakeUser = { oid: '33333333-3333-4333-8333-333333333333', name: 'Carol <Clerk>', email: 'carol@example.com', roles: ['Orders.Read'] };
const alice = DEFAULT_USERS[0]!;

let app: AppUnderTest;
let orders: RegisteredFunction;
let account: RegisteredFunction;
beforeAll(async () => {
  app = await startApp();
  orders = (await import('./examples/orders')).default;
  account = (await import('./examples/account')).default;
});
afterAll(() => app.stop());

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('an API function that needs an app role', () => {
  it('is in the route table, so urlFor names it', () => {
    expect(urlFor('orders')).toBe('/api/orders');
  });

  it('answers 401 problem+json to anonymous callers', async () => {
    const result = await invoke(orders, '/api/orders');
    expect(result.status).toBe(401);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.headers['www-authenticate']).toBe('Bearer');
    expect(result.json()).toMatchObject({ code: 'not_signed_in', login_url: 'http://localhost:7071/api/login' });
  });

  it('answers 200 to a signed-in user who holds the role, by cookie or by bearer token', async () => {
    const browser = new CookieJar();
    await signIn(app, browser, { user: clerk });
    const byCookie = await browser.invoke(orders, '/api/orders');
    expect(byCookie.status).toBe(200);
    expect(byCookie.json()).toEqual({ owner: clerk.oid, orders: [] });

    const byToken = await invoke(orders, '/api/orders', bearer(await app.entra.accessToken(clerk)));
    expect(byToken.status).toBe(200);
    expect(byToken.json()).toEqual({ owner: clerk.oid, orders: [] });
  });

  it('answers 403 missing_role to a signed-in user without it, by cookie or by bearer token', async () => {
    const browser = new CookieJar();
    await signIn(app, browser, { user: alice });
    const byCookie = await browser.invoke(orders, '/api/orders');
    expect(byCookie.status).toBe(403);
    expect(byCookie.json()).toMatchObject({ code: 'missing_role', status: 403 });
    expect(byCookie.json<{ detail: string }>().detail).toContain('"Orders.Read"');

    const byToken = await invoke(orders, '/api/orders', bearer(await app.entra.accessToken(alice)));
    expect(byToken.status).toBe(403);
    expect(byToken.json()).toMatchObject({ code: 'missing_role' });
  });

  it('refuses a bad bearer token before looking at roles', async () => {
    const forged = await app.entra.accessToken(clerk, { claims: (claims) => ({ ...claims, aud: 'api://someone-else' }) });
    const result = await invoke(orders, '/api/orders', bearer(forged));
    expect(result.status).toBe(401);
    expect(result.json()).toMatchObject({ code: 'invalid_token' });
  });
});

describe('a page that needs a signed-in user', () => {
  it('sends an anonymous browser to sign in, and back to where it was', async () => {
    const browser = new CookieJar();
    const result = await browser.invoke(account, '/api/account?tab=orders');
    expect(result.status).toBe(302);
    const login = new URL(result.location!, 'http://localhost:7071');
    expect(login.pathname).toBe('/api/login');
    expect(login.searchParams.get('returnTo')).toBe('/api/account?tab=orders');

    const signedIn = await signIn(app, browser, { user: alice, loginPath: result.location! });
    expect(signedIn.redirect.location).toBe('http://localhost:7071/api/account?tab=orders');
    const page = await browser.invoke(account, '/api/account?tab=orders');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('Hello, Alice Example');
  });

  it('escapes what the token says', async () => {
    const browser = new CookieJar();
    await signIn(app, browser, { user: clerk });
    const page = await browser.invoke(account, '/api/account');
    expect(page.body).toContain('Hello, Carol &#60;Clerk&#62;');
  });
});
