/**
 * The session verbs (src/lib/session/index.ts) against a real local Cosmos DB
 * API server: the data model (one partition per user, hashed ids), the
 * transactional sign-in batch, the clocks, and every way a session ends.
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CookiePolicy, RequestCookies } from '../../../src/lib/cookie';
import { AppError } from '../../../src/lib/errors';
import { createKeyRing } from '../../../src/lib/keys';
import { randomToken } from '../../../src/lib/random';
import { Sessions, type BeginInput, type Session, type SessionLifetime } from '../../../src/lib/session';
import { TOUCH_INTERVAL_SECONDS } from '../../../src/lib/session/clock';
import { SessionCookie } from '../../../src/lib/session/cookie';
import { sessionIdOf, sidHashOf, tokenCacheIdOf, userKeyOf } from '../../../src/lib/session/ids';
import { cosmosError, startCosmosFaultProxy, type CosmosFaultProxy } from '../../helpers/cosmos-fault-proxy';
import { openSessionsContainer } from '../../../src/lib/cosmos';
import { startLocalContainer, type LocalContainer } from '../../helpers/local-container';

const IDLE = 3600;
const ABSOLUTE = 4 * 3600;
const T0 = 1_900_000_000;
const TENANT = 'aaaabbbb-0000-4ccc-8111-dddd2222eeee';
const CHROME_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const cookies = new SessionCookie(createKeyRing(['a-cookie-secret-for-session-tests-0123'], 'session'), new CookiePolicy(false));

let local: LocalContainer;
let sessions: Sessions;
/** The cache is off here: these tests are about what Cosmos DB holds (cache.test.ts has the cache in front). */
const sessionsOn = (container: Container, lifetime: SessionLifetime = { idleTimeoutSeconds: IDLE, absoluteTimeoutSeconds: ABSOLUTE }) =>
  new Sessions(cookies, () => Promise.resolve(container), { ...lifetime, cacheSeconds: 0 });

beforeAll(async () => {
  local = await startLocalContainer('sessions-test');
  sessions = sessionsOn(local.container);
});
afterAll(() => local?.stop());

const newUser = () => ({ oid: randomUUID(), tid: TENANT });

function beginInput(user = newUser(), overrides: Partial<BeginInput> = {}): BeginInput {
  return {
    secret: randomToken(),
    claims: { ...user, sub: 'subject', name: 'Alice', login_hint: 'hint-alice', sid: `sid-${randomUUID()}` },
    idToken: 'header.payload.signature',
    homeAccountId: `${user.oid}.${user.tid}`,
    tokenCache: JSON.stringify({ RefreshToken: { rt: { secret: 'rt-0' } } }),
    userAgent: CHROME_ON_WINDOWS,
    cookies: new RequestCookies(null),
    ...overrides,
  };
}

/** Signs in: the session, and the Cookie header its browser sends from then on. */
async function begin(user = newUser(), overrides: Partial<BeginInput> = {}, now = T0) {
  const input = beginInput(user, overrides);
  const { session, cookie } = await sessions.begin(input, now);
  return { input, session, header: `${cookie.name}=${cookie.value}`, user };
}

/** Every document in a user's partition, read straight from Cosmos. */
async function partition(userKey: string) {
  const { resources } = await local.container.items
    .query<Record<string, unknown>>({ query: 'SELECT * FROM c WHERE c.userKey = @userKey', parameters: [{ name: '@userKey', value: userKey }] })
    .fetchAll();
  return resources;
}

async function stored(session: Pick<Session, 'id' | 'userKey'>) {
  return (await local.container.item(session.id, session.userKey).read<Session>()).resource;
}

describe('begin: the data model', () => {
  it("stores the session and its token cache in the user's partition, under the hash of the cookie's secret", async () => {
    const { input, session, header, user } = await begin();
    const userKey = userKeyOf(TENANT, user.oid);
    expect(session).toMatchObject({
      id: sessionIdOf(input.secret),
      userKey,
      type: 'session',
      createdWith: 'browser',
      device: 'Chrome on Windows',
      sidHash: sidHashOf(String(input.claims.sid)),
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt: T0 + ABSOLUTE,
      ttl: IDLE,
    });
    const documents = await partition(userKey);
    expect(documents.map((doc) => [doc.type, doc.id]).sort()).toEqual([
      ['session', session.id],
      ['tokens', tokenCacheIdOf(session.id)],
    ]);
    // A copy of the database holds no usable session: neither the secret nor the raw oid is stored as a key.
    const everything = JSON.stringify(documents);
    expect(everything).not.toContain(input.secret);
    expect(header).not.toContain(user.oid);
    expect(await cookies.read(new RequestCookies(header))).toEqual({ userKey, id: session.id });
  });

  it('keeps the ID token only when it has no login_hint (then it is the only way to name the account at sign-out)', async () => {
    const withHint = await begin();
    expect((await stored(withHint.session))?.idToken).toBeUndefined();
    const user = newUser();
    const withoutHint = await begin(user, { claims: { ...user, sub: 's' } });
    expect((await stored(withoutHint.session))?.idToken).toBe('header.payload.signature');
    expect((await stored(withoutHint.session))?.sidHash).toBeUndefined();
  });

  it('gives the same user key to the same user in any letter case, and different ones to different users or tenants', () => {
    const oid = randomUUID();
    expect(userKeyOf(TENANT, oid)).toBe(userKeyOf(TENANT.toUpperCase(), oid.toUpperCase()));
    expect(userKeyOf(TENANT, oid)).not.toBe(userKeyOf(TENANT, randomUUID()));
    expect(userKeyOf(TENANT, oid)).not.toBe(userKeyOf(randomUUID(), oid));
    expect(userKeyOf(TENANT, oid)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a replayed sign-in (the same secret) as transaction_reused and keeps the first session as it was', async () => {
    const first = await begin();
    const replay: unknown = await sessions.begin({ ...first.input, homeAccountId: 'attacker.tid' }, T0 + 5).catch((error: unknown) => error);
    expect(replay).toBeInstanceOf(AppError);
    expect(replay).toMatchObject({ code: 'transaction_reused', status: 400 });
    expect((await stored(first.session))?.homeAccountId).toBe(first.input.homeAccountId);
    expect(await partition(first.session.userKey)).toHaveLength(2);
  });

  it('creates both documents or neither: one transactional batch (atomic where the server behaves as Cosmos DB does)', async () => {
    // The local Cosmos DB API does not roll a failed batch back; the proxy in front of it does, as Cosmos DB documents.
    const proxy: CosmosFaultProxy = await startCosmosFaultProxy(local.cosmos.endpoint, { atomicBatches: true });
    try {
      const atomic = sessionsOn(await openSessionsContainer({ ...local.settings, endpoint: proxy.url }));
      const input = beginInput();
      const userKey = userKeyOf(TENANT, String(input.claims.oid));
      // Someone else's document already holds the token cache's id: the second create fails, so the first must not stay.
      await local.container.items.create({ id: tokenCacheIdOf(sessionIdOf(input.secret)), userKey, type: 'tokens', cache: '{}' });
      const failure: unknown = await atomic.begin(input, T0).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'transaction_reused' });
      expect((await partition(userKey)).map((doc) => doc.type)).toEqual(['tokens']);
      const batches = proxy.log.filter((entry) => entry.operation === 'batch');
      expect(batches).toHaveLength(1);
      expect(batches[0]!.batch?.map((operation) => operation.operationType)).toEqual(['Create', 'Create']);
    } finally {
      await proxy.close();
    }
  });

  it("ends the session this browser had when it signs in again, whoever signs in", async () => {
    const alice = await begin();
    const bob = await begin(newUser(), { cookies: new RequestCookies(alice.header) });
    expect(await stored(alice.session)).toBeUndefined();
    expect(await partition(alice.session.userKey)).toEqual([]);
    expect(await stored(bob.session)).toBeDefined();
  });
});

describe('resume: the clocks', () => {
  it('reads the live session with one point read, and nothing without a valid cookie', async () => {
    const { session, header } = await begin();
    expect(await sessions.resume(new RequestCookies(header), {}, T0 + 1)).toMatchObject({ id: session.id, claims: { name: 'Alice' } });
    expect(await sessions.resume(new RequestCookies(null), {}, T0 + 1)).toBeUndefined();
    expect(await sessions.resume(new RequestCookies('fnauth=forged'), {}, T0 + 1)).toBeUndefined();
  });

  it('ends a session after the idle timeout', async () => {
    const { header } = await begin();
    expect(await sessions.resume(new RequestCookies(header), { slide: false }, T0 + IDLE - 1)).toBeDefined();
    expect(await sessions.resume(new RequestCookies(header), { slide: false }, T0 + IDLE)).toBeUndefined();
  });

  it('ends a session at its absolute lifetime even while it is in use', async () => {
    const { session, header } = await begin();
    for (let now = T0 + 3000; now < T0 + ABSOLUTE; now += 3000) expect(await sessions.resume(new RequestCookies(header), {}, now)).toBeDefined();
    expect(T0 + ABSOLUTE - (await stored(session))!.lastSeenAt).toBeLessThan(IDLE);
    expect(await sessions.resume(new RequestCookies(header), {}, T0 + ABSOLUTE - 1)).toBeDefined();
    expect(await sessions.resume(new RequestCookies(header), {}, T0 + ABSOLUTE)).toBeUndefined();
  });

  it('slides the idle clock at most once per interval, and the token cache\'s ttl with it', async () => {
    const { session, header } = await begin();
    const before = await stored(session);
    await sessions.resume(new RequestCookies(header), {}, T0 + TOUCH_INTERVAL_SECONDS - 1);
    expect((await stored(session))?._etag).toBe(before?._etag);

    const resumed = await sessions.resume(new RequestCookies(header), {}, T0 + TOUCH_INTERVAL_SECONDS);
    expect(resumed?.lastSeenAt).toBe(T0 + TOUCH_INTERVAL_SECONDS);
    const after = await stored(session);
    expect(after).toMatchObject({ lastSeenAt: T0 + TOUCH_INTERVAL_SECONDS, createdAt: T0, expiresAt: T0 + ABSOLUTE, claims: { name: 'Alice' } });
    const tokens = (await local.container.item(tokenCacheIdOf(session.id), session.userKey).read<{ ttl: number; _ts: number }>()).resource;
    expect(tokens?.ttl).toBe(IDLE);
    // What was idle before the touch is alive now.
    expect(await sessions.resume(new RequestCookies(header), { slide: false }, T0 + IDLE)).toBeDefined();
  });

  it('slides often enough for short idle timeouts (a quarter of the timeout)', async () => {
    const brief = sessionsOn(local.container, { idleTimeoutSeconds: 300, absoluteTimeoutSeconds: ABSOLUTE });
    const { cookie } = await brief.begin(beginInput(), T0);
    const header = `${cookie.name}=${cookie.value}`;
    for (let now = T0 + 75; now <= T0 + 900; now += 75) expect((await brief.resume(new RequestCookies(header), {}, now))?.lastSeenAt).toBe(now);
  });

  it('a touch that lost the race (412) or whose session ended meanwhile (404) writes nothing and still resumes', async () => {
    const proxy = await startCosmosFaultProxy(local.cosmos.endpoint);
    try {
      const proxied = sessionsOn(await openSessionsContainer({ ...local.settings, endpoint: proxy.url }));
      for (const [status, code] of [[412, 'PreconditionFailed'], [404, 'NotFound']] as const) {
        const { session, header } = await begin();
        const before = await stored(session);
        proxy.inject((request) => (request.operation === 'patch' ? cosmosError(status, code) : undefined), { times: 1 });
        const mark = proxy.log.length;
        expect((await proxied.resume(new RequestCookies(header), {}, T0 + 400))?.lastSeenAt).toBe(T0);
        expect(proxy.log.slice(mark).map((entry) => `${entry.operation} ${entry.clientStatus}`)).toEqual(['read 200', `patch ${status}`]);
        expect((await stored(session))?._etag).toBe(before?._etag);
      }
    } finally {
      await proxy.close();
    }
  });

  it('sets ttl to at most the idle timeout and at most the remaining absolute lifetime', async () => {
    const longIdle = sessionsOn(local.container, { idleTimeoutSeconds: ABSOLUTE, absoluteTimeoutSeconds: ABSOLUTE });
    const { session, cookie } = await longIdle.begin(beginInput(), T0);
    await longIdle.resume(new RequestCookies(`${cookie.name}=${cookie.value}`), {}, T0 + ABSOLUTE - 600);
    expect((await stored(session))?.ttl).toBe(600);
    const shortLived = sessionsOn(local.container, { idleTimeoutSeconds: IDLE, absoluteTimeoutSeconds: 900 });
    expect((await shortLived.begin(beginInput(), T0)).session.ttl).toBe(900);
  });
});

describe('list', () => {
  it("shows the caller's live sessions, newest first, with current on the caller's own, from one query", async () => {
    const user = newUser();
    const first = await begin(user, { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' }, T0);
    const second = await begin(user, {}, T0 + 10);
    const expired = await begin(user, {}, T0 - IDLE - 5);
    const listing = await sessions.list(new RequestCookies(second.header), T0 + 20);
    expect(listing).toEqual([
      {
        id: second.session.id,
        createdAt: new Date((T0 + 10) * 1000).toISOString(),
        lastSeenAt: new Date((T0 + 10) * 1000).toISOString(),
        expiresAt: new Date((T0 + 10 + IDLE) * 1000).toISOString(),
        absoluteExpiresAt: new Date((T0 + 10 + ABSOLUTE) * 1000).toISOString(),
        device: 'Chrome on Windows',
        current: true,
      },
      expect.objectContaining({ id: first.session.id, device: 'Safari on iPhone', current: false }),
    ]);
    expect(listing!.map((entry) => entry.id)).not.toContain(expired.session.id);
    expect(await sessions.list(new RequestCookies(first.header), T0 + 20)).toEqual([
      expect.objectContaining({ id: second.session.id, current: false }),
      expect.objectContaining({ id: first.session.id, current: true }),
    ]);
  });

  it("never shows another user's sessions, and answers nothing for a session that ended", async () => {
    const alice = await begin();
    const bob = await begin();
    expect((await sessions.list(new RequestCookies(alice.header), T0 + 1))!.map((entry) => entry.id)).toEqual([alice.session.id]);
    await sessions.end(bob.session);
    expect(await sessions.list(new RequestCookies(bob.header), T0 + 1)).toBeUndefined();
    expect(await sessions.list(new RequestCookies(null), T0 + 1)).toBeUndefined();
  });
});

describe('ending sessions', () => {
  it("end: one session and its token cache; false for an id that is not this user's", async () => {
    const user = newUser();
    const a = await begin(user);
    const b = await begin(user);
    const stranger = await begin();
    expect(await sessions.end({ userKey: a.session.userKey, id: stranger.session.id })).toBe(false);
    expect(await stored(stranger.session)).toBeDefined();
    expect(await sessions.end(a.session)).toBe(true);
    expect(await sessions.end(a.session)).toBe(false);
    expect((await partition(user.oid ? a.session.userKey : '')).map((doc) => doc.id).sort()).toEqual([b.session.id, tokenCacheIdOf(b.session.id)].sort());
    expect(await sessions.resume(new RequestCookies(a.header), {}, T0 + 1)).toBeUndefined();
  });

  it('end: a session whose token cache is gone already still ends (the batch falls back to single deletes)', async () => {
    const { session, header } = await begin();
    await local.container.item(tokenCacheIdOf(session.id), session.userKey).delete();
    expect(await sessions.end(session)).toBe(true);
    expect(await sessions.resume(new RequestCookies(header), {}, T0 + 1)).toBeUndefined();
  });

  it('endOthers: every other session of the caller, not the current one; with includeCurrent, all', async () => {
    const user = newUser();
    const devices = [await begin(user), await begin(user), await begin(user)];
    const stranger = await begin();
    expect(await sessions.endOthers(new RequestCookies(devices[0]!.header), { includeCurrent: false }, T0 + 1)).toBe(2);
    expect((await partition(devices[0]!.session.userKey)).map((doc) => doc.id).sort()).toEqual([devices[0]!.session.id, tokenCacheIdOf(devices[0]!.session.id)].sort());
    expect(await sessions.resume(new RequestCookies(devices[1]!.header), {}, T0 + 1)).toBeUndefined();
    expect(await sessions.resume(new RequestCookies(stranger.header), {}, T0 + 1)).toBeDefined();
    expect(await sessions.endOthers(new RequestCookies(devices[0]!.header), { includeCurrent: true }, T0 + 1)).toBe(1);
    expect(await partition(devices[0]!.session.userKey)).toEqual([]);
    expect(await sessions.endOthers(new RequestCookies(devices[0]!.header), { includeCurrent: true }, T0 + 1)).toBeUndefined();
  });

  it('endUser: every session of the user, in batches of at most 100 deletes', async () => {
    const user = newUser();
    const many = await Promise.all(Array.from({ length: 60 }, () => begin(user)));
    const userKey = many[0]!.session.userKey;
    expect(await partition(userKey)).toHaveLength(120);
    expect(await sessions.endUser(userKey)).toBe(60);
    expect(await partition(userKey)).toEqual([]);
    expect(await sessions.endUser(userKey)).toBe(0);
  });

  it("endBySid: every session that carries Entra's sid, in any partition, and no other", async () => {
    const sid = `sid-${randomUUID()}`;
    const alice = newUser();
    const here = await begin(alice, { claims: { ...alice, sub: 's', login_hint: 'h', sid } });
    const there = await begin(alice, { claims: { ...alice, sub: 's', login_hint: 'h', sid } });
    const other = await begin(alice);
    expect(await sessions.endBySid(sid)).toBe(2);
    for (const ended of [here, there]) expect(await sessions.resume(new RequestCookies(ended.header), {}, T0 + 1)).toBeUndefined();
    expect(await sessions.resume(new RequestCookies(other.header), {}, T0 + 1)).toBeDefined();
    expect(await partition(other.session.userKey)).toHaveLength(2);
    expect(await sessions.endBySid(sid)).toBe(0);
  });
});

describe('resume through the instance cache (SESSION_CACHE_SECONDS)', () => {
  let proxy: CosmosFaultProxy;
  let proxied: Container;
  beforeAll(async () => {
    proxy = await startCosmosFaultProxy(local.cosmos.endpoint);
    proxied = await openSessionsContainer({ ...local.settings, endpoint: proxy.url });
  });
  afterAll(() => proxy?.close());

  /** One app instance: its own cache, Cosmos DB through the counting proxy. */
  const instance = (cacheSeconds = 30, lifetime: SessionLifetime = { idleTimeoutSeconds: IDLE, absoluteTimeoutSeconds: ABSOLUTE }) =>
    new Sessions(cookies, () => Promise.resolve(proxied), { ...lifetime, cacheSeconds });
  /** What the instance asked Cosmos DB for while `act` ran: `operation status`, in order. */
  async function calls(act: () => Promise<unknown>): Promise<string[]> {
    const mark = proxy.log.length;
    await act();
    return proxy.log.slice(mark).map((entry) => `${entry.operation} ${entry.clientStatus}`);
  }
  async function signedInOn(here: Sessions, user = newUser(), overrides: Partial<BeginInput> = {}) {
    const { session, cookie } = await here.begin(beginInput(user, overrides), T0);
    return { session, cookies: new RequestCookies(`${cookie.name}=${cookie.value}`), user };
  }

  it('a session this instance signed in or read in the last SESSION_CACHE_SECONDS costs no Cosmos call; with 0, one point read each time', async () => {
    const cached = instance();
    const { cookies } = await signedInOn(cached);
    expect(await calls(async () => expect(await cached.resume(cookies, {}, T0 + 1)).toBeDefined())).toEqual([]);

    const other = instance();
    expect(await calls(() => other.resume(cookies, {}, T0 + 1))).toEqual(['read 200']);
    expect(await calls(() => other.resume(cookies, {}, T0 + 2))).toEqual([]);

    const off = instance(0);
    expect(await calls(() => off.resume(cookies, {}, T0 + 1))).toEqual(['read 200']);
    expect(await calls(() => off.resume(cookies, {}, T0 + 2))).toEqual(['read 200']);
  });

  it('concurrent requests that miss share one point read', async () => {
    const { cookies } = await signedInOn(instance());
    const cold = instance();
    const log = await calls(() => Promise.all(Array.from({ length: 20 }, () => cold.resume(cookies, {}, T0 + 1))));
    expect(log).toEqual(['read 200']);
  });

  it('the idle clock still slides on hits: once per interval, once for concurrent requests, and the cached copy moves with it', async () => {
    const here = instance();
    const { session, cookies } = await signedInOn(here);
    const due = T0 + TOUCH_INTERVAL_SECONDS;
    const log = await calls(() => Promise.all(Array.from({ length: 20 }, () => here.resume(cookies, {}, due))));
    // The session's lastSeenAt and its token cache's ttl, each patched once.
    expect(log).toEqual(['patch 200', 'patch 200']);
    expect((await stored(session))?.lastSeenAt).toBe(due);
    expect(await calls(async () => expect((await here.resume(cookies, {}, due + 1))?.lastSeenAt).toBe(due))).toEqual([]);
    expect(await calls(() => here.resume(cookies, {}, due + TOUCH_INTERVAL_SECONDS))).toEqual(['patch 200', 'patch 200']);
  });

  it('a cached copy whose touch lost to another instance is dropped: the next request reads what won', async () => {
    const here = instance();
    const there = instance();
    const { cookies } = await signedInOn(here);
    await there.resume(cookies, {}, T0 + 1);
    const due = T0 + TOUCH_INTERVAL_SECONDS;
    expect(await calls(() => here.resume(cookies, {}, due))).toEqual(['patch 200', 'patch 200']);
    expect(await calls(() => there.resume(cookies, {}, due + 1))).toEqual(['patch 412']);
    expect(await calls(async () => expect((await there.resume(cookies, {}, due + 2))?.lastSeenAt).toBe(due))).toEqual(['read 200']);
  });

  it('a cached copy that looks idle is read again: only Cosmos DB says a session is over', async () => {
    const { cookies } = await signedInOn(instance());
    const here = instance();
    await here.resume(cookies, {}, T0 + 1);
    expect(await calls(async () => expect(await here.resume(cookies, { slide: false }, T0 + IDLE)).toBeUndefined())).toEqual(['read 200']);
  });

  it('every way of ending a session on this instance: its next request reads Cosmos DB and finds nothing', async () => {
    const here = instance();
    const user = newUser();
    const sid = `sid-${randomUUID()}`;
    const withSid = { claims: { ...user, sub: 's', login_hint: 'h', sid } };
    const [one, other, bySid, last] = [await signedInOn(here, user), await signedInOn(here, user), await signedInOn(here, user, withSid), await signedInOn(here, user)];
    const ended = async (cookies: RequestCookies) => {
      const log = await calls(async () => expect(await here.resume(cookies, {}, T0 + 1)).toBeUndefined());
      expect(log).toEqual(['read 404']);
    };
    await here.end(one.session);
    await ended(one.cookies);
    await here.endBySid(sid);
    await ended(bySid.cookies);
    await here.endOthers(last.cookies, { includeCurrent: false }, T0 + 1);
    await ended(other.cookies);
    const again = await signedInOn(here, user);
    await here.endUser(last.session.userKey);
    for (const gone of [last, again]) await ended(gone.cookies);
    // Signing in again in the same browser ends the session it had.
    const before = await signedInOn(here);
    await signedInOn(here, before.user, { cookies: before.cookies });
    await ended(before.cookies);
  });

  it('ended on another instance: this one answers from its cache until SESSION_CACHE_SECONDS after its read, then not', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const here = instance();
      const there = instance();
      const { session, cookies } = await signedInOn(here);
      await there.resume(cookies, {}, T0 + 1);
      vi.advanceTimersByTime(10_000);
      await here.end(session);
      expect(await here.resume(cookies, {}, T0 + 11)).toBeUndefined();
      expect(await there.resume(cookies, {}, T0 + 11)).toBeDefined();
      vi.advanceTimersByTime(20_000);
      expect(await there.resume(cookies, {}, T0 + 31)).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
