/**
 * The instance's session cache (src/lib/session/cache.ts) on its own: how
 * long an entry is used, what forgetting does (to reads in flight too), the
 * bound on its size, and one read for concurrent misses. `Sessions` in front
 * of Cosmos DB is tested in sessions.test.ts; two app instances in
 * test/functions/two-instances.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_CACHED_SESSIONS, SessionCache } from '../../../src/lib/session/cache';
import type { SessionDocument } from '../../../src/lib/session/documents';
import { deferred } from '../../helpers/deferred';

const session = (id: string, userKey = 'user-a'): SessionDocument => ({
  id,
  userKey,
  type: 'session',
  createdWith: 'browser',
  homeAccountId: 'oid.tid',
  claims: { name: 'Alice' },
  device: 'Chrome on Windows',
  createdAt: 1,
  lastSeenAt: 1,
  expiresAt: 2,
  ttl: 1,
  _etag: '"1"',
});
const refOf = ({ id, userKey }: SessionDocument) => ({ id, userKey });

/** A read of the database that counts its calls. */
function countedRead(found: SessionDocument) {
  const counted = { calls: 0, read: async () => ((counted.calls += 1), found) };
  return counted;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SessionCache', () => {
  it('answers a session for the cache time from the read that filled it; hits do not extend it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new SessionCache(30);
    const alice = session('s1');
    const database = countedRead(alice);
    expect(cache.get(refOf(alice))).toBeUndefined();
    expect(await cache.fill(refOf(alice), database.read)).toBe(alice);
    vi.advanceTimersByTime(29_999);
    expect(cache.get(refOf(alice))).toBe(alice);
    vi.advanceTimersByTime(1);
    expect(cache.get(refOf(alice))).toBeUndefined();
    expect(database.calls).toBe(1);
  });

  it('answers only for the user key the cookie names', async () => {
    const cache = new SessionCache(30);
    const alice = session('s1');
    await cache.fill(refOf(alice), async () => alice);
    expect(cache.get({ id: 's1', userKey: 'user-b' })).toBeUndefined();
  });

  it('shares one read among concurrent misses of one session', async () => {
    const cache = new SessionCache(30);
    const alice = session('s1');
    const gate = deferred<SessionDocument | undefined>();
    let reads = 0;
    const read = () => {
      reads += 1;
      return gate.promise;
    };
    const waiting = Array.from({ length: 50 }, () => cache.fill(refOf(alice), read));
    gate.resolve(alice);
    expect(new Set(await Promise.all(waiting))).toEqual(new Set([alice]));
    expect(reads).toBe(1);
    expect(cache.get(refOf(alice))).toBe(alice);
  });

  it('keeps nothing for a session that does not exist', async () => {
    const cache = new SessionCache(30);
    expect(await cache.fill({ id: 'gone', userKey: 'user-a' }, async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forget: gone at once, and a read in flight when it was forgotten is returned to its callers but not kept', async () => {
    const cache = new SessionCache(30);
    const alice = session('s1');
    await cache.fill(refOf(alice), async () => alice);
    cache.forget([alice.id]);
    expect(cache.get(refOf(alice))).toBeUndefined();

    const gate = deferred<SessionDocument | undefined>();
    const inFlight = cache.fill(refOf(alice), () => gate.promise);
    cache.forget([alice.id]);
    gate.resolve(alice);
    expect(await inFlight).toBe(alice);
    expect(cache.get(refOf(alice))).toBeUndefined();
  });

  it('holds at most its bound, dropping the least recently used first', async () => {
    const cache = new SessionCache(30, 3);
    const sessions = ['s1', 's2', 's3', 's4'].map((id) => session(id));
    for (const entry of sessions.slice(0, 3)) await cache.fill(refOf(entry), async () => entry);
    expect(cache.get(refOf(sessions[0]!))).toBeDefined(); // s1 is now the most recently used
    await cache.fill(refOf(sessions[3]!), async () => sessions[3]);
    expect(cache.size).toBe(3);
    expect(cache.get(refOf(sessions[1]!))).toBeUndefined();
    for (const kept of [sessions[0]!, sessions[2]!, sessions[3]!]) expect(cache.get(refOf(kept))).toBe(kept);
  });

  it('is bounded at 10,000 sessions by default, as the README says', async () => {
    expect(MAX_CACHED_SESSIONS).toBe(10_000);
    const cache = new SessionCache(30);
    const sessions = Array.from({ length: MAX_CACHED_SESSIONS + 1 }, (_, i) => session(`s${i}`));
    for (const entry of sessions) await cache.fill(refOf(entry), async () => entry);
    expect(cache.size).toBe(MAX_CACHED_SESSIONS);
    expect(cache.get(refOf(sessions[0]!))).toBeUndefined();
  });

  it('update applies the idle clock\'s move to an entry it holds, without making the entry younger', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new SessionCache(30);
    const alice = session('s1');
    await cache.fill(refOf(alice), async () => alice);
    vi.advanceTimersByTime(20_000);
    cache.update(alice.id, { lastSeenAt: 5, _etag: '"2"' });
    expect(cache.get(refOf(alice))).toMatchObject({ lastSeenAt: 5, _etag: '"2"', claims: { name: 'Alice' } });
    vi.advanceTimersByTime(10_000);
    expect(cache.get(refOf(alice))).toBeUndefined();
    cache.update('not-held', { lastSeenAt: 5 });
    expect(cache.size).toBe(0);
  });

  it('off (0 seconds): every fill reads, nothing is kept, nothing is shared', async () => {
    const cache = new SessionCache(0);
    const alice = session('s1');
    const database = countedRead(alice);
    await Promise.all([cache.fill(refOf(alice), database.read), cache.fill(refOf(alice), database.read)]);
    cache.add(alice);
    expect(cache.get(refOf(alice))).toBeUndefined();
    expect(database.calls).toBe(2);
    expect(cache.size).toBe(0);
  });
});
