/**
 * GET /api/sessions and DELETE /api/sessions through the real handler: the
 * caller's sessions (and only theirs), ending the others, `include=current`,
 * bearer callers (400) and other sites (403).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSummary as Listed } from '../../src/lib/session';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS, type FakeUser } from '../helpers/fake-entra';
import { CookieJar, invoke } from '../helpers/functions';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';

/** A browser of its own, signed in as `user` with this User-Agent, `laterBy` seconds from now (sessions are timed in seconds). */
async function device(user: FakeUser, userAgent = CHROME, laterBy = 0): Promise<CookieJar> {
  const jar = new CookieJar();
  const login = await jar.invoke(app.fn.login, '/api/login');
  const realNow = Date.now;
  Date.now = () => realNow() + laterBy * 1000;
  try {
    const redirect = await jar.invoke(app.fn.redirect, app.entra.authorize(login.location!, user), { headers: { 'user-agent': userAgent } });
    expect(redirect.status).toBe(302);
  } finally {
    Date.now = realNow;
  }
  return jar;
}

const list = async (jar: CookieJar) => {
  const result = await jar.invoke(app.fn.sessions, '/api/sessions');
  expect(result.status, result.body).toBe(200);
  return result.json<{ sessions: Listed[] }>().sessions;
};

/** A user of their own for each test, so the counts are theirs alone. */
let users = 0;
const someone = (): FakeUser => {
  users += 1;
  return { oid: `00000000-0000-4000-8000-${String(users).padStart(12, '0')}`, name: `User ${users}`, email: `user${users}@example.com` };
};

describe('GET /api/sessions', () => {
  it('lists the caller\'s sessions, newest first, with the documented fields and current on the caller\'s own', async () => {
    const user = someone();
    const laptop = await device(user, CHROME);
    const phone = await device(user, FIREFOX, 5);
    const listed = await list(phone);
    expect(listed.map((entry) => [entry.device, entry.current])).toEqual([
      ['Firefox on Linux', true],
      ['Chrome on Windows', false],
    ]);
    for (const entry of listed) {
      expect(Object.keys(entry).sort()).toEqual(['absoluteExpiresAt', 'createdAt', 'current', 'device', 'expiresAt', 'id', 'lastSeenAt']);
      expect(entry.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(entry.expiresAt)).toBeLessThanOrEqual(Date.parse(entry.absoluteExpiresAt));
    }
    expect((await list(laptop)).find((entry) => entry.current)?.device).toBe('Chrome on Windows');
  });

  it('never shows another user\'s sessions', async () => {
    const alice = await device(someone());
    const bob = await device(someone());
    const aliceIds = (await list(alice)).map((entry) => entry.id);
    const bobIds = (await list(bob)).map((entry) => entry.id);
    expect(aliceIds).toHaveLength(1);
    expect(bobIds).toHaveLength(1);
    expect(aliceIds).not.toEqual(bobIds);
  });

  it('answers 401 problem+json without a session, and a clear 400 to a bearer caller (who has no session here)', async () => {
    const anonymous = await invoke(app.fn.sessions, '/api/sessions');
    expect(anonymous.status).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'not_signed_in', login_url: 'http://localhost:7071/api/login' });

    const bearer = await invoke(app.fn.sessions, '/api/sessions', { headers: { authorization: `Bearer ${await app.entra.accessToken(DEFAULT_USERS[0]!)}` } });
    expect(bearer.status).toBe(400);
    expect(bearer.headers['content-type']).toBe('application/problem+json');
    expect(bearer.json()).toMatchObject({ code: 'invalid_request', detail: expect.stringContaining('bearer token has no server-side session') });
    const forged = await invoke(app.fn.sessions, '/api/sessions', { headers: { authorization: 'Bearer not-a-token' } });
    expect(forged.status).toBe(401);
  });
});

describe('DELETE /api/sessions', () => {
  it('ends every other session of the caller and keeps this one', async () => {
    const user = someone();
    const [first, second, third] = [await device(user), await device(user), await device(user)];
    const stranger = await device(someone());
    const result = await first.invoke(app.fn.sessions, '/api/sessions', { method: 'DELETE' });
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({ ended: 2 });
    expect(result.cookies).toEqual([]);
    expect((await list(first)).map((entry) => entry.current)).toEqual([true]);
    for (const other of [second, third]) expect((await other.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect((await stranger.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });

  it('with include=current ends this one too and expires the cookie', async () => {
    const user = someone();
    const [first, second] = [await device(user), await device(user)];
    const result = await first.invoke(app.fn.sessions, '/api/sessions?include=current', { method: 'DELETE' });
    expect(result.json()).toEqual({ ended: 2 });
    expect(result.cookies).toEqual([expect.objectContaining({ name: 'fnauth', maxAge: 0 })]);
    expect(first.cookies.has('fnauth')).toBe(false);
    expect((await second.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect((await first.invoke(app.fn.sessions, '/api/sessions', { method: 'DELETE' })).status).toBe(401);
  });

  it('refuses another site (403, nothing ended) and an unknown include value (400)', async () => {
    const user = someone();
    const [first, second] = [await device(user), await device(user)];
    const otherSites: Array<Record<string, string>> = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
    for (const headers of otherSites) {
      const result = await first.invoke(app.fn.sessions, '/api/sessions?include=current', { method: 'DELETE', headers });
      expect(result.status).toBe(403);
      expect(result.json()).toMatchObject({ code: 'cross_site_request' });
    }
    expect((await first.invoke(app.fn.sessions, '/api/sessions?include=everything', { method: 'DELETE' })).status).toBe(400);
    expect(await list(second)).toHaveLength(2);
  });

  it('answers a bearer caller 400 as well', async () => {
    const token = await app.entra.accessToken(DEFAULT_USERS[0]!);
    const result = await invoke(app.fn.sessions, '/api/sessions', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(result.status).toBe(400);
  });

  it('is served only for GET and DELETE', () => {
    expect(app.fn.sessions.methods).toEqual(['GET', 'DELETE']);
  });
});
