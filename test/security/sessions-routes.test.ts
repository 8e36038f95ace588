/**
 * Attacks on the session routes, through the real handlers: requests from
 * other sites (CSRF) on every route that changes state, other users' session
 * ids, forged and oversized ids. Every attack must end no session but the
 * caller's own (the victim's sessions are checked after each), and answer
 * 4xx without a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionsHost, type FunctionsHost } from '../../dev/functions-host';
import { tokenCacheIdOf } from '../../src/lib/session/ids';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { CookieJar, SAME_ORIGIN, type InvokeResult } from '../helpers/functions';
import { SESSION_COOKIE, signIn } from '../helpers/sign-in-steps';

const [ALICE, BOB] = [DEFAULT_USERS[0]!, DEFAULT_USERS[1]!];
const CROSS_SITE: Array<Record<string, string>> = [
  { origin: 'https://evil.example' },
  { origin: 'null' },
  { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
  { 'sec-fetch-site': 'same-site', origin: 'https://sibling.localhost:7071' },
];

let app: AppUnderTest;
/** Alice on two devices, Bob on one. */
let alice: CookieJar;
let alicePhone: CookieJar;
let bob: CookieJar;
let aliceIds: string[];

beforeAll(async () => {
  app = await startApp();
  [alice, alicePhone, bob] = [new CookieJar(), new CookieJar(), new CookieJar()];
  await signIn(app, alice, { user: ALICE });
  await signIn(app, alicePhone, { user: ALICE });
  await signIn(app, bob, { user: BOB });
  aliceIds = (await alice.invoke(app.fn.sessions, '/api/sessions')).json<{ sessions: Array<{ id: string }> }>().sessions.map((entry) => entry.id);
  expect(aliceIds).toHaveLength(2);
});
afterAll(() => app.stop());

/** The form token in one of our pages. */
function formToken(page: string): string {
  const token = /name="token" value="([^"]+)"/.exec(page)?.[1];
  expect(token, page.slice(0, 300)).toBeDefined();
  return token!;
}

function expectRefused(result: InvokeResult, status: number, code?: string) {
  expect(result.status, result.body.slice(0, 300)).toBe(status);
  expect(result.body).not.toMatch(/\bat .+:\d+:\d+/);
  if (code) expect(result.body).toContain(code);
}

/** Alice's two sessions are still there, and both her browsers still work. */
async function expectAliceUntouched() {
  const listed = (await alice.invoke(app.fn.sessions, '/api/sessions')).json<{ sessions: Array<{ id: string }> }>().sessions.map((entry) => entry.id);
  expect(listed.sort()).toEqual([...aliceIds].sort());
  expect((await alicePhone.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
}

describe('other sites (CSRF)', () => {
  it('DELETE /api/sessions and /api/sessions/{id} from another origin: 403, nothing ended', async () => {
    for (const headers of CROSS_SITE) {
      expectRefused(await alice.invoke(app.fn.sessions, '/api/sessions?include=current', { method: 'DELETE', headers }), 403, 'cross_site_request');
      expectRefused(await alice.invoke(app.fn.session, `/api/sessions/${aliceIds[1]}`, { method: 'DELETE', headers }), 403, 'cross_site_request');
    }
    await expectAliceUntouched();
  });

  it('the form posts of the start page, from another site or without our form token: 403, nothing ended', async () => {
    const home = await alice.invoke(app.fn.home, '/api/home', { headers: SAME_ORIGIN });
    const token = formToken(home.body);
    for (const headers of CROSS_SITE) {
      // Even with the right token: another site never passes.
      expectRefused(await alice.invoke(app.fn.home, '/api/home', { form: { token, end: 'others' }, headers }), 403, 'cross_site_request');
    }
    // An older browser that sends neither header: only our own page's token lets the form through.
    expectRefused(await alice.invoke(app.fn.home, '/api/home', { form: { end: 'others' } }), 403, 'cross_site_request');
    const bobsToken = formToken((await bob.invoke(app.fn.home, '/api/home', { headers: SAME_ORIGIN })).body);
    expectRefused(await alice.invoke(app.fn.home, '/api/home', { form: { token: bobsToken, end: 'others' } }), 403, 'cross_site_request');
    await expectAliceUntouched();
  });

  it('sign-out everywhere from another site, or from a browser that says nothing, only gets the confirmation page', async () => {
    for (const headers of [...CROSS_SITE, {}]) {
      const result = await alice.invoke(app.fn.logout, '/api/logout', { form: { everywhere: '1' }, headers });
      expect(result.status).toBe(200);
      expect(result.body).toContain('id="confirm-sign-out"');
      expect(result.body).toContain('name="everywhere" value="1"');
      expect(result.cookies).toEqual([]);
    }
    await expectAliceUntouched();
  });

  it('sign-out from a browser that sends neither header goes through with its own page\'s form token', async () => {
    const laptop = new CookieJar();
    await signIn(app, laptop, { user: BOB });
    // An older browser: the link gets the confirmation page, whose form carries the token of this session.
    const confirmation = await laptop.invoke(app.fn.logout, '/api/logout');
    expect(confirmation.body).toContain('id="confirm-sign-out"');
    const token = formToken(confirmation.body);
    const result = await laptop.invoke(app.fn.logout, '/api/logout', { form: { token } });
    expect(result.status).toBe(302);
    expect(result.location).toContain(app.entra.metadata.end_session_endpoint);
    expect(result.cookies).toEqual([expect.objectContaining({ name: SESSION_COOKIE, maxAge: 0 })]);
    expect((await laptop.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    await expectAliceUntouched();
  });

  it("the signed-out form token (anyone can fetch it) replayed against a signed-in user's sign-out only gets the confirmation page", async () => {
    // What another site's server gets from our confirmation page without a cookie: the token of "no session".
    const signedOutToken = formToken((await new CookieJar().invoke(app.fn.logout, '/api/logout')).body);
    const forms: Record<string, string>[] = [{ token: signedOutToken }, { token: signedOutToken, everywhere: '1' }];
    for (const form of forms) {
      const result = await alice.invoke(app.fn.logout, '/api/logout', { form });
      expect(result.status).toBe(200);
      expect(result.body).toContain('id="confirm-sign-out"');
      expect(result.cookies).toEqual([]);
    }
    await expectAliceUntouched();
  });

  it('the functions host never allows a cross-origin preflight: OPTIONS is 405 without CORS headers', async () => {
    let host: FunctionsHost | undefined;
    try {
      host = await startFunctionsHost({ port: 0, log: () => undefined });
      for (const path of ['/api/sessions', `/api/sessions/${aliceIds[0]}`, `/api/users/${ALICE.oid}/sessions`, '/api/logout']) {
        const preflight = await fetch(`http://127.0.0.1:${host.port}${path}`, {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'cookie' },
        });
        expect(preflight.status).toBe(405);
        expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
        expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
        expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
      }
    } finally {
      await host?.close();
    }
  });
});

describe("other users' session ids", () => {
  it('Bob cannot end, or even find, Alice\'s sessions: 404 like an id that never existed', async () => {
    for (const id of aliceIds) {
      expectRefused(await bob.invoke(app.fn.session, `/api/sessions/${id}`, { method: 'DELETE' }), 404, 'session_not_found');
      const viaHome = await bob.invoke(app.fn.home, '/api/home', {
        form: { token: /name="token" value="([^"]+)"/.exec((await bob.invoke(app.fn.home, '/api/home', { headers: SAME_ORIGIN })).body)![1]!, end: id },
        headers: SAME_ORIGIN,
      });
      expect(viaHome.status).toBe(303);
    }
    const bobsList = (await bob.invoke(app.fn.sessions, '/api/sessions')).json<{ sessions: Array<{ id: string }> }>().sessions;
    expect(bobsList.map((entry) => entry.id)).not.toContain(aliceIds[0]);
    await expectAliceUntouched();
  });

  it('Bob ending all his other sessions, or all of his own, ends none of Alice\'s', async () => {
    const bobAgain = new CookieJar();
    await signIn(app, bobAgain, { user: BOB });
    expect((await bobAgain.invoke(app.fn.sessions, '/api/sessions?include=current', { method: 'DELETE' })).json()).toEqual({ ended: 2 });
    expect((await bob.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    await expectAliceUntouched();
    await signIn(app, bob, { user: BOB });
  });
});

describe('forged and oversized ids', () => {
  it('ids that look right but name nothing, name a token cache, or are the cookie\'s secret: 404', async () => {
    const secret = (JSON.parse(Buffer.from(alice.cookies.get(SESSION_COOKIE)!.split('.')[1]!, 'base64url').toString()) as { s: string }).s;
    const forged = [
      'A'.repeat(43),
      `${aliceIds[0]!.slice(0, -1)}${aliceIds[0]!.endsWith('A') ? 'B' : 'A'}`,
      aliceIds[0]!.toUpperCase() === aliceIds[0] ? aliceIds[0]!.toLowerCase() : aliceIds[0]!.toUpperCase(),
      tokenCacheIdOf(aliceIds[0]!),
      secret,
    ];
    for (const id of forged) {
      expectRefused(await alicePhone.invoke(app.fn.session, `/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }), 404, 'session_not_found');
    }
    await expectAliceUntouched();
  });

  it('malformed and oversized ids: 404 problem+json, never a crash', async () => {
    const odd = ['..', '%2e%2e', 'a/b', 'a#b', '<script>alert(1)</script>', "'; DROP --", '🙂'.repeat(20), ' ', 'x'.repeat(44), 'x'.repeat(5_000), 'x'.repeat(100_000)];
    for (const id of odd) {
      const result = await alicePhone.invoke(app.fn.session, `/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
      expectRefused(result, 404, 'session_not_found');
      expect(result.headers['content-type']).toBe('application/problem+json');
      expect(result.body).not.toContain('<script>');
    }
    const home = await alicePhone.invoke(app.fn.home, '/api/home', { headers: SAME_ORIGIN });
    const token = formToken(home.body);
    for (const end of ['x'.repeat(5_000), '<script>', '']) {
      expectRefused(await alicePhone.invoke(app.fn.home, '/api/home', { form: { token, end }, headers: SAME_ORIGIN }), 400, 'invalid_request');
    }
    expectRefused(await alicePhone.invoke(app.fn.home, '/api/home', { form: { token, end: 'others', pad: 'p'.repeat(10_000) }, headers: SAME_ORIGIN }), 400, 'invalid_request');
    await expectAliceUntouched();
  });

  it('the administrators\' route refuses user ids that are not object ids, before touching anything', async () => {
    const admin = { authorization: `Bearer ${await app.entra.appToken(['Sessions.RevokeAll'])}` };
    for (const userId of ['alice@example.com', '..', 'x'.repeat(5_000), `${ALICE.oid}x`, '*']) {
      const result = await alice.invoke(app.fn['user-sessions'], `/api/users/${encodeURIComponent(userId)}/sessions`, { method: 'DELETE', headers: admin });
      expectRefused(result, 400, 'invalid_request');
    }
    await expectAliceUntouched();
  });
});
