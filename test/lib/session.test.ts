import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors';
import { SessionStore, TOUCH_INTERVAL_SECONDS, type NewSession, type SessionRecord } from '../../src/lib/session';
import { startLocalContainers, type LocalContainers } from '../helpers/local-containers';

const IDLE = 3600;
const ABSOLUTE = 4 * 3600;
const T0 = 1_900_000_000;

let local: LocalContainers;
let sessions: SessionStore;
beforeAll(async () => {
  local = await startLocalContainers('session-test');
  sessions = new SessionStore(local.sessions, { idleTimeoutSeconds: IDLE, absoluteTimeoutSeconds: ABSOLUTE });
});
afterAll(() => local?.stop());

const newSession = (id = randomUUID()): NewSession => ({
  id,
  homeAccountId: 'oid.tid',
  claims: { sub: 'subject', name: 'Alice' },
  idToken: 'header.payload.signature',
});

/** The document as stored in Cosmos, read directly. */
async function stored(id: string): Promise<SessionRecord & { _ts?: number }> {
  const { resource, statusCode } = await local.sessions.item(id, id).read<SessionRecord & { _ts?: number }>();
  if (!resource) throw new Error(`no document ${id} (status ${statusCode})`);
  return resource;
}

async function exists(id: string): Promise<boolean> {
  const { resource } = await local.sessions.item(id, id).read();
  return resource !== undefined;
}

describe('SessionStore', () => {
  it('creates a session and gets it back', async () => {
    const input = newSession();
    const created = await sessions.create(input, T0);
    expect(created).toMatchObject({ ...input, createdAt: T0, lastSeenAt: T0, expiresAt: T0 + ABSOLUTE, ttl: IDLE });
    const read = await sessions.get(input.id, T0 + 1);
    expect(read).toMatchObject({ ...input, createdAt: T0, lastSeenAt: T0, expiresAt: T0 + ABSOLUTE });
    expect(read?._etag).toBeTruthy();
    expect(await stored(input.id)).toMatchObject({ id: input.id, homeAccountId: 'oid.tid', claims: input.claims });
  });

  it('refuses a second create with the same id as transaction_reused, leaving the first intact', async () => {
    const input = newSession();
    await sessions.create(input, T0);
    const error: unknown = await sessions.create({ ...input, homeAccountId: 'attacker.tid' }, T0 + 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'transaction_reused', status: 400 });
    expect((await stored(input.id)).homeAccountId).toBe('oid.tid');
  });

  it('gets undefined for an id that does not exist', async () => {
    expect(await sessions.get(randomUUID(), T0)).toBeUndefined();
  });

  it('ends a session after the idle timeout', async () => {
    const input = newSession();
    await sessions.create(input, T0);
    expect(await sessions.get(input.id, T0 + IDLE - 1)).toBeDefined();
    expect(await sessions.get(input.id, T0 + IDLE)).toBeUndefined();
    expect(await sessions.get(input.id, T0 + IDLE + 1)).toBeUndefined();
  });

  it('ends a session at its absolute lifetime even while it is in use', async () => {
    const input = newSession();
    await sessions.create(input, T0);
    // Keep it busy: touch every 50 minutes up to the end.
    let now = T0;
    let session = (await sessions.get(input.id, now))!;
    while (now + 3000 < T0 + ABSOLUTE) {
      now += 3000;
      session = (await sessions.get(input.id, now))!;
      expect(session).toBeDefined();
      expect(await sessions.touch(session, now)).toBeDefined();
    }
    expect(T0 + ABSOLUTE - (await stored(input.id)).lastSeenAt).toBeLessThan(IDLE);
    expect(await sessions.get(input.id, T0 + ABSOLUTE - 1)).toBeDefined();
    expect(await sessions.get(input.id, T0 + ABSOLUTE)).toBeUndefined();
  });

  it('touch writes only after TOUCH_INTERVAL_SECONDS', async () => {
    const input = newSession();
    await sessions.create(input, T0);
    const first = (await sessions.get(input.id, T0))!;
    const before = await stored(input.id);

    expect(await sessions.touch(first, T0 + TOUCH_INTERVAL_SECONDS - 1)).toBeUndefined();
    const unchanged = await stored(input.id);
    expect(unchanged._etag).toBe(before._etag);
    expect(unchanged.lastSeenAt).toBe(T0);

    expect(await sessions.touch(first, T0 + TOUCH_INTERVAL_SECONDS)).toBeDefined();
    const after = await stored(input.id);
    expect(after._etag).not.toBe(before._etag);
    expect(after.lastSeenAt).toBe(T0 + TOUCH_INTERVAL_SECONDS);
    expect(after).toMatchObject({ createdAt: T0, expiresAt: T0 + ABSOLUTE, homeAccountId: 'oid.tid' });

    // The idle clock slid: what was idle-expired before the touch is alive now.
    expect(await sessions.get(input.id, T0 + IDLE)).toBeDefined();
  });

  it('slides often enough for short idle timeouts (a quarter of the timeout)', async () => {
    const brief = new SessionStore(local.sessions, { idleTimeoutSeconds: 300, absoluteTimeoutSeconds: ABSOLUTE });
    const input = newSession();
    let session = await brief.create(input, T0);
    for (let now = T0 + 75; now <= T0 + 900; now += 75) {
      session = (await brief.get(input.id, now))!;
      expect(session).toBeDefined();
      expect((await brief.touch(session, now))?.lastSeenAt).toBe(now);
    }
  });

  it('a touch that lost the race (stale ETag) or whose session was deleted is a no-op', async () => {
    const input = newSession();
    await sessions.create(input, T0);
    const copyA = (await sessions.get(input.id, T0))!;
    const copyB = (await sessions.get(input.id, T0))!;
    expect(await sessions.touch(copyA, T0 + 400)).toBeDefined();
    expect(await sessions.touch(copyB, T0 + 500)).toBeUndefined();
    expect((await stored(input.id)).lastSeenAt).toBe(T0 + 400);

    const latest = (await sessions.get(input.id, T0 + 400))!;
    await sessions.delete(input.id);
    expect(await sessions.touch(latest, T0 + 1000)).toBeUndefined();
    expect(await exists(input.id)).toBe(false);
  });

  it('sets ttl to at most the idle timeout and at most the remaining absolute lifetime', async () => {
    const input = newSession();
    const created = await sessions.create(input, T0);
    expect(created.ttl).toBe(IDLE);
    expect((await stored(input.id)).ttl).toBe(IDLE);

    const nearTheEnd = T0 + ABSOLUTE - 600;
    expect(await sessions.touch((await sessions.get(input.id, T0))!, nearTheEnd)).toBeDefined();
    const record = await stored(input.id);
    expect(record.ttl).toBe(600);
    expect(record.ttl).toBeLessThanOrEqual(IDLE);
    expect(record.ttl).toBeLessThanOrEqual(record.expiresAt - record.lastSeenAt);

    const shortLived = new SessionStore(local.sessions, { idleTimeoutSeconds: IDLE, absoluteTimeoutSeconds: 900 });
    const other = newSession();
    expect((await shortLived.create(other, T0)).ttl).toBe(900);
    expect((await stored(other.id)).ttl).toBe(900);
  });

  it('delete removes the session and is idempotent', async () => {
    const input = newSession();
    await sessions.create(input, T0);
    await sessions.delete(input.id);
    expect(await exists(input.id)).toBe(false);
    expect(await sessions.get(input.id, T0)).toBeUndefined();
    await expect(sessions.delete(input.id)).resolves.toBeUndefined();
    await expect(sessions.delete(randomUUID())).resolves.toBeUndefined();
  });

  it('isExpired follows both clocks', () => {
    const record: SessionRecord = {
      ...newSession(),
      createdAt: T0,
      lastSeenAt: T0 + 100,
      expiresAt: T0 + ABSOLUTE,
      ttl: IDLE,
    };
    expect(sessions.isExpired(record, T0 + 100 + IDLE - 1)).toBe(false);
    expect(sessions.isExpired(record, T0 + 100 + IDLE)).toBe(true);
    expect(sessions.isExpired({ ...record, lastSeenAt: T0 + ABSOLUTE - 10 }, T0 + ABSOLUTE)).toBe(true);
  });
});
