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
/** A function of one's own that changes state: POST /api/orders/notes, for any signed-in caller. */
let addNote: RegisteredFunction;
const notesAdded: string[] = [];
beforeAll(async () => {
  app = await startApp();
  orders = (await import('./examples/orders')).default;
  account = (await import('./examples/account')).default;
  const { defineFunction } = await import('../../src/lib/registry');
  const { callerClaims } = await import('../../src/lib/access');
  const { json } = await import('../../src/lib/responses');
  addNote = defineFunction({
    name: 'order-notes',
    route: 'orders/notes',
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
    audience: 'api',
    auth: 'signed-in',
    async handler({ caller, method }) {
      notesAdded.push(`${method} ${String(callerClaims(caller).oid)}`);
      return json({ added: true });
    },
  });
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

  it("keeps a cookie caller's roles of the sign-in: a role removed at the tenant counts at the next sign-in, or at once when an administrator ends the sessions", async () => {
    const dave: FakeUser = { oid: '44444444-4444-4444-8444-444444444444', name: 'Dave', email: 'dave@example.com', roles: ['Orders.Read'] };
    const before = new CookieJar();
    await signIn(app, before, { user: dave });
    const removed = { ...dave, roles: [] };
    expect((await before.invoke(orders, '/api/orders')).status).toBe(200);
    const after = new CookieJar();
    await signIn(app, after, { user: removed });
    expect((await after.invoke(orders, '/api/orders')).status).toBe(403);
    expect((await before.invoke(orders, '/api/orders')).status).toBe(200);

    const revoke = await invoke(app.fn['user-sessions'], `/api/users/${dave.oid}/sessions`, {
      method: 'DELETE',
      ...bearer(await app.entra.appToken(['Sessions.RevokeAll'])),
    });
    expect(revoke.json()).toMatchObject({ sessionsEnded: 2 });
    expect((await before.invoke(orders, '/api/orders')).status).toBe(401);
  });

  it('refuses a bad bearer token before looking at roles', async () => {
    const forged = await app.entra.accessToken(clerk, { claims: (claims) => ({ ...claims, aud: 'api://someone-else' }) });
    const result = await invoke(orders, '/api/orders', bearer(forged));
    expect(result.status).toBe(401);
    expect(result.json()).toMatchObject({ code: 'invalid_token' });
  });

  it('refuses an ID token that carries the role: it is no access token', async () => {
    const idToken = await app.entra.idToken(clerk, 'nonce-of-a-sign-in', app.entra.clientId, 'sid-of-a-sign-in');
    const result = await invoke(orders, '/api/orders', bearer(idToken));
    expect(result.status).toBe(401);
    expect(result.json()).toMatchObject({ code: 'invalid_token' });
  });
});

describe('a function that changes state', () => {
  const CROSS_SITE: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }, { origin: 'null' }];

  it('refuses a cookie caller on a request another site started: 403 cross_site_request, and the handler does not run', async () => {
    const browser = new CookieJar();
    await signIn(app, browser, { user: alice });
    const before = notesAdded.length;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const headers of CROSS_SITE) {
        const result = await browser.invoke(addNote, '/api/orders/notes', { method, headers });
        expect(result.status, `${method} ${JSON.stringify(headers)}`).toBe(403);
        expect(result.json()).toMatchObject({ code: 'cross_site_request' });
      }
    }
    expect(notesAdded.length).toBe(before);
  });

  it("accepts a cookie caller from the app's own pages, or from a client that names no site (as the built-in DELETE routes do)", async () => {
    const browser = new CookieJar();
    await signIn(app, browser, { user: alice });
    const ours: Record<string, string>[] = [{ 'sec-fetch-site': 'same-origin' }, { origin: 'http://localhost:7071' }, {}];
    for (const headers of ours) {
      const result = await browser.invoke(addNote, '/api/orders/notes', { method: 'POST', headers });
      expect(result.status, JSON.stringify(headers)).toBe(200);
    }
    expect(notesAdded.at(-1)).toBe(`POST ${alice.oid}`);
  });

  it('accepts a bearer caller whatever site it names: a browser never sends a token on its own', async () => {
    const token = await app.entra.accessToken(alice);
    const result = await invoke(addNote, '/api/orders/notes', { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
    expect(result.status).toBe(200);
  });

  it('leaves reads alone: a GET from another site is answered', async () => {
    const browser = new CookieJar();
    await signIn(app, browser, { user: clerk });
    expect((await browser.invoke(orders, '/api/orders', { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
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
