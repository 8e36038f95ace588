/**
 * Two app instances against one Cosmos DB, as a scaled-out function app
 * runs: two module graphs of `src/functions`, each with its own runtime,
 * session cache and token requests in flight, sharing the tenant and the
 * database.
 *
 * - The session cache's revocation bound, every way a session ends: the
 *   instance that ended it refuses it at once; the other, which had read it,
 *   answers it until SESSION_CACHE_SECONDS after that read, and not after.
 * - Single-flight refresh: 100 concurrent `/api/me` of one session whose
 *   access token has expired answer 200 after one refresh at the tenant on
 *   one instance, and at most one per instance on two (the ETag merge keeps
 *   both rotated refresh tokens).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RegisteredFunction } from '../../src/lib/registry';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import type { FakeUser } from '../helpers/fake-entra';
import { CookieJar, invoke, loadFunctions, SAME_ORIGIN } from '../helpers/functions';

/** The default, which the app is started with. */
const SESSION_CACHE_SECONDS = 30;

let app: AppUnderTest;
/** Each instance's functions by name; `first` is the one `startApp` loaded. */
let first: Record<string, RegisteredFunction>;
let second: Record<string, RegisteredFunction>;

beforeAll(async () => {
  app = await startApp();
  first = app.fn;
  // A fresh module graph: its own registry, runtime and caches, as another instance has.
  vi.resetModules();
  second = await loadFunctions();
  expect(second.claims).not.toBe(first.claims);
});
afterAll(() => app.stop());

const someone = (): FakeUser => ({ oid: crypto.randomUUID(), name: 'Scaled Out', email: 'scaled@example.com' });

/** A browser signed in through `on`, with Entra's `sid` known. */
async function signedIn(on: Record<string, RegisteredFunction>, user: FakeUser, sid = crypto.randomUUID()) {
  const jar = new CookieJar();
  const login = await jar.invoke(on.login!, '/api/login');
  expect((await jar.invoke(on.redirect!, app.entra.authorize(login.location!, user, { sid }))).status).toBe(302);
  return { jar, sid, user };
}

const claimsStatus = async (on: Record<string, RegisteredFunction>, cookie: string) => (await invoke(on.claims!, '/api/claims', { headers: { cookie } })).status;

type Browser = Awaited<ReturnType<typeof signedIn>>;

/** Every way of ending a session, done on the first instance; each ends `target` (and maybe more of its user's). */
const WAYS: Array<[string, (target: Browser, bystander: Browser) => Promise<void>]> = [
  ['sign-out of this device', async (target) => void (await target.jar.invoke(first.logout!, '/api/logout', { method: 'POST', headers: SAME_ORIGIN }))],
  [
    'revoke one (DELETE /api/sessions/{id} from another device)',
    async (target, bystander) => {
      const listed = (await target.jar.invoke(first.sessions!, '/api/sessions')).json<{ sessions: Array<{ id: string; current: boolean }> }>().sessions;
      const id = listed.find((entry) => entry.current)!.id;
      expect((await bystander.jar.invoke(first.session!, `/api/sessions/${id}`, { method: 'DELETE' })).status).toBe(204);
    },
  ],
  ['everywhere (everywhere=1)', async (target) => void (await target.jar.invoke(first.logout!, '/api/logout', { form: { everywhere: '1' }, headers: SAME_ORIGIN }))],
  ['front-channel logout', async (target) => expect((await invoke(first['frontchannel-logout']!, `/api/logout/frontchannel?sid=${target.sid}`)).status).toBe(200)],
  [
    'an administrator',
    async (target) => {
      const token = await app.entra.appToken(['Sessions.RevokeAll']);
      const result = await invoke(first['user-sessions']!, `/api/users/${target.user.oid}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      expect(result.status).toBe(200);
    },
  ],
];

describe('a session ended on one instance: at once there, within SESSION_CACHE_SECONDS on the other', () => {
  it.each(WAYS)('%s', async (_way, end) => {
    // The clock stands still unless moved, so "30 s after the read" is exact.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      const user = someone();
      const target = await signedIn(first, user);
      const bystander = await signedIn(first, user);
      const cookie = target.jar.header();
      // Both instances hold the session: the first signed it in, the second reads it now.
      expect(await claimsStatus(first, cookie)).toBe(200);
      expect(await claimsStatus(second, cookie)).toBe(200);
      vi.advanceTimersByTime(5_000);
      await end(target, bystander);
      expect(await claimsStatus(first, cookie)).toBe(401);
      // The other instance read it 5 s ago: it answers from memory until SESSION_CACHE_SECONDS after that read…
      vi.advanceTimersByTime(SESSION_CACHE_SECONDS * 1000 - 5_000 - 1);
      expect(await claimsStatus(second, cookie)).toBe(200);
      // …and no longer.
      vi.advanceTimersByTime(1);
      expect(await claimsStatus(second, cookie)).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('100 concurrent /api/me of one session, its access token expired', () => {
  beforeAll(() => {
    // Inside MSAL's 5-minute renewal window: every token counts as expired, so each acquisition refreshes.
    app.entra.accessTokenLifetime = 60;
  });
  afterAll(() => {
    app.entra.accessTokenLifetime = 3600;
  });

  async function burst(instances: Array<Record<string, RegisteredFunction>>) {
    const { jar } = await signedIn(first, someone());
    const refreshesBefore = app.entra.refreshTokensIssued.length;
    const results = await Promise.all(Array.from({ length: 100 }, (_, index) => jar.invoke(instances[index % instances.length]!.me!, '/api/me')));
    const statuses = results.map((result) => result.status);
    return { jar, statuses, refreshes: app.entra.refreshTokensIssued.length - refreshesBefore };
  }

  it('one instance: 100 × 200 after one refresh at the tenant', async () => {
    const { statuses, refreshes } = await burst([first]);
    expect(statuses).toEqual(Array(100).fill(200));
    expect(refreshes).toBe(1);
  });

  it('two instances: 100 × 200 after at most one refresh each, and the token cache still serves both', async () => {
    const { jar, statuses, refreshes } = await burst([first, second]);
    expect(statuses).toEqual(Array(100).fill(200));
    expect(refreshes).toBeGreaterThanOrEqual(1);
    expect(refreshes).toBeLessThanOrEqual(2);
    for (const instance of [first, second]) expect((await jar.invoke(instance.me!, '/api/me')).status).toBe(200);
  });
});
