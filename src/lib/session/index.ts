/**
 * The session: everything about it in one place, behind a few verbs. Its
 * cookie (`cookie.ts`), its documents (`documents.ts`), its clocks
 * (`clock.ts`) and its end all live under `src/lib/session/`; nothing else
 * reads a session cookie or writes a session document.
 *
 * | verb | when | Cosmos |
 * | --- | --- | --- |
 * | {@link Sessions.begin} | sign-in completed | 1 transactional batch (session + token cache); then, when the browser had a session, 1 batch of 2 deletes |
 * | {@link Sessions.resume} | every request with a cookie | none when the instance read it in the last `SESSION_CACHE_SECONDS`, else 1 point read (a touch every few minutes) |
 * | {@link Sessions.list} | `GET /api/sessions`, the start page | 1 single-partition query |
 * | {@link Sessions.end} | this device, or one of the user's sessions | 1 batch of 2 deletes |
 * | {@link Sessions.endOthers} | all other devices (or all, with the current one) | 1 query + batches of ≤ 100 deletes |
 * | {@link Sessions.endUser} | everywhere, admin revoke | 1 query + batches of ≤ 100 deletes |
 * | {@link Sessions.endBySid} | front-channel logout | 1 cross-partition query + 1 batch per user |
 *
 * {@link Sessions.resume} reads through the instance's session cache
 * (`cache.ts`). Every way a session ends goes through one private `remove`,
 * which forgets the ids in that cache before and after it deletes the
 * documents: ended here, a session stops working at once; ended on another
 * instance, within `SESSION_CACHE_SECONDS`.
 *
 * Tested by test/lib/session/sessions.test.ts.
 *
 * @example
 * ```ts
 * const session = await sessions.resume(context.cookies);   // undefined: not signed in
 * const listing = await sessions.list(context.cookies);
 * await sessions.end(session);
 * ```
 */
import type { Container } from '@azure/cosmos';
import type { Cookie } from '@azure/functions';
import type { JWTPayload } from 'jose';
import type { RequestCookies } from '../cookie';
import type { IdTokenClaims } from '../id-token';
import type { Redemption } from '../sign-in';
import { SingleFlight } from '../single-flight';
import { SessionCache } from './cache';
import { idleExpiresAt, isExpired, nowInSeconds, touchDue, ttlAt, type SessionLifetime } from './clock';
import type { SessionCookie, SessionRef } from './cookie';
import { describeDevice } from './device';
import { SessionDocuments, type PartitionEntry, type SessionDocument } from './documents';
import { sessionIdOf, sidHashOf, tokenCacheIdOf, userKeyOf } from './ids';
import { TokenCacheStore } from './token-cache';

export type { SessionRef } from './cookie';
export type { SessionDocument as Session } from './documents';
export { ID_PATTERN, userKeyOf } from './ids';
export type { SessionLifetime } from './clock';

export interface SessionSettings extends SessionLifetime {
  /** How long this instance may answer from memory a session it read (0: never); see `cache.ts`. */
  cacheSeconds: number;
}

/** What the sign-in redeemed (ID token, MSAL's account key and serialized cache), and who signed in where. */
export interface BeginInput extends Redemption {
  /** The secret the sign-in transaction minted; the cookie carries it, the database only its hash. */
  secret: string;
  /** The verified ID token's claims; `tid` and `oid` name the user. */
  claims: IdTokenClaims;
  userAgent: string | null;
  /** The sign-in's cookies: the session this browser had ends, as its cookie is replaced. */
  cookies: RequestCookies;
}

/** One entry of a listing, as `GET /api/sessions` shows it. */
export interface SessionSummary {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  /** When it ends if unused (idle timeout, capped by the absolute lifetime). */
  expiresAt: string;
  absoluteExpiresAt: string;
  device: string;
  current: boolean;
}

type ListedSession = Extract<PartitionEntry, { type: 'session' }>;

type IdleClockMove = Partial<Pick<SessionDocument, 'lastSeenAt' | 'ttl' | '_etag'>>;

export class Sessions {
  readonly tokenCaches: TokenCacheStore;
  private readonly cache: SessionCache;
  private readonly documents: SessionDocuments;
  /** Concurrent requests of one session whose idle clock is due move it once. */
  private readonly slides = new SingleFlight<string, IdleClockMove>();

  constructor(
    private readonly cookie: SessionCookie,
    container: () => Promise<Container>,
    private readonly lifetime: SessionSettings,
  ) {
    this.documents = new SessionDocuments(container);
    this.tokenCaches = new TokenCacheStore(container, lifetime);
    this.cache = new SessionCache(lifetime.cacheSeconds);
  }

  /**
   * Stores a new session with its token cache (one transactional batch) and
   * returns the cookie for it. Then the session this browser had ends (one
   * more batch of 2 deletes), and only then: if the new one cannot be
   * stored, the old one goes on working.
   */
  async begin(input: BeginInput, now = nowInSeconds()): Promise<{ session: SessionDocument; cookie: Cookie }> {
    const userKey = userKeyOf(input.claims.tid, input.claims.oid);
    const expiresAt = now + this.lifetime.absoluteTimeoutSeconds;
    const session: SessionDocument = {
      id: sessionIdOf(input.secret),
      userKey,
      type: 'session',
      createdWith: 'browser',
      homeAccountId: input.homeAccountId,
      claims: keptClaims(input.claims),
      ...(typeof input.claims.login_hint === 'string' ? {} : { idToken: input.idToken }),
      device: describeDevice(input.userAgent),
      ...(typeof input.claims.sid === 'string' ? { sidHash: sidHashOf(input.claims.sid) } : {}),
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      ttl: ttlAt(this.lifetime, now, expiresAt),
    };
    const previous = this.cookie.read(input.cookies);
    await this.documents.create(session, this.tokenCaches.newDocument(session, input.tokenCache, now));
    this.cache.add(session);
    // Only once the new session is stored: a sign-in that fails leaves the browser the session it had.
    // Ending the old one is a courtesy: it never fails the new sign-in.
    if (previous) await this.end(previous).catch(() => undefined);
    return { session, cookie: this.cookie.issue({ userKey, secret: input.secret }, expiresAt, now) };
  }

  /** The session a `Cookie` header names, without reading the database; undefined when there is no valid cookie. */
  ref(cookies: RequestCookies): SessionRef | undefined {
    return this.cookie.read(cookies);
  }

  /**
   * The caller's live session: from the instance's cache when it read the
   * session less than `SESSION_CACHE_SECONDS` ago, else one point read.
   * Missing, idle or past its absolute lifetime: undefined (only Cosmos DB
   * says so; a cached copy that looks expired is read again). The idle clock
   * slides when due (a patch of the session and of its token cache's `ttl`,
   * once for all concurrent requests), unless `slide` is false.
   */
  async resume(cookies: RequestCookies, options: { slide?: boolean } = {}, now = nowInSeconds()): Promise<SessionDocument | undefined> {
    const ref = this.cookie.read(cookies);
    if (!ref) return undefined;
    let session = this.cache.get(ref);
    if (!session || isExpired(session, this.lifetime, now)) session = await this.cache.fill(ref, () => this.documents.read(ref));
    if (!session || isExpired(session, this.lifetime, now)) return undefined;
    if (options.slide === false || !touchDue(session, this.lifetime, now)) return session;
    const current = session;
    return { ...current, ...(await this.slides.run(current.id, () => this.slide(current, now))) };
  }

  /**
   * The caller's live sessions, newest first, with `current` on the caller's
   * own: one single-partition query, which also proves the caller's session
   * is alive. Undefined when the caller is not signed in.
   */
  async list(cookies: RequestCookies, now = nowInSeconds()): Promise<SessionSummary[] | undefined> {
    const found = await this.partitionOf(cookies, now);
    if (!found) return undefined;
    return found.sessions
      .filter((entry) => !isExpired(entry, this.lifetime, now))
      .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id))
      .map((entry) => this.summary(entry, entry.id === found.current.id));
  }

  /**
   * Ends one session of a user and its token cache. True when it existed;
   * an id that names nothing in this user's partition, another user's
   * included, is false.
   */
  async end(ref: SessionRef): Promise<boolean> {
    const found = await this.remove(ref.userKey, [ref.id, tokenCacheIdOf(ref.id)]);
    return found.has(ref.id);
  }

  /**
   * Ends every other session of the caller (and, with `includeCurrent`, the
   * caller's own too): one query, then batches. Undefined when the caller is
   * not signed in; otherwise how many sessions ended.
   */
  async endOthers(cookies: RequestCookies, options: { includeCurrent: boolean }, now = nowInSeconds()): Promise<number | undefined> {
    const found = await this.partitionOf(cookies, now);
    if (!found) return undefined;
    const keep = options.includeCurrent ? new Set<string>() : new Set([found.current.id, tokenCacheIdOf(found.current.id)]);
    return this.removeEntries(found.current.userKey, found.entries.filter((entry) => !keep.has(entry.id)));
  }

  /** Ends every session of one user, wherever it was started: one query, then batches. How many ended. */
  async endUser(userKey: string): Promise<number> {
    return this.removeEntries(userKey, await this.documents.partition(userKey));
  }

  /** Ends every session that Entra's `sid` names (front-channel logout). How many ended. */
  async endBySid(sid: string): Promise<number> {
    const refs = await this.documents.withSid(sidHashOf(sid));
    const byUser = new Map<string, string[]>();
    for (const ref of refs) byUser.set(ref.userKey, [...(byUser.get(ref.userKey) ?? []), ref.id, tokenCacheIdOf(ref.id)]);
    await Promise.all([...byUser].map(([userKey, ids]) => this.remove(userKey, ids)));
    return refs.length;
  }

  clearCookie(): Cookie {
    return this.cookie.clear();
  }

  private async removeEntries(userKey: string, entries: PartitionEntry[]): Promise<number> {
    await this.remove(
      userKey,
      entries.map((entry) => entry.id),
    );
    return entries.filter((entry) => entry.type === 'session').length;
  }

  /**
   * The one way documents are removed. The ids leave the instance's cache
   * before (no request here is answered from it meanwhile) and after (a
   * read that raced the delete is not kept), whether the delete succeeds or not.
   */
  private async remove(userKey: string, ids: string[]): Promise<Set<string>> {
    this.cache.forget(ids);
    try {
      return await this.documents.remove(userKey, ids);
    } finally {
      this.cache.forget(ids);
    }
  }

  /** The partition of the cookie's user, and the caller's own live session in it; sliding its clock when due. */
  private async partitionOf(cookies: RequestCookies, now: number) {
    const ref = this.cookie.read(cookies);
    if (!ref) return undefined;
    const entries = await this.documents.partition(ref.userKey);
    const sessions = entries.filter((entry): entry is ListedSession => entry.type === 'session');
    const listed = sessions.find((entry) => entry.id === ref.id);
    if (!listed || isExpired(listed, this.lifetime, now)) return undefined;
    const current = { ...listed, ...(await this.slide({ ...listed, userKey: ref.userKey }, now)), userKey: ref.userKey };
    return { current, entries, sessions: sessions.map((entry) => (entry.id === current.id ? current : entry)) };
  }

  /**
   * The idle clock's move, when due: the session's `lastSeenAt` and both
   * documents' `ttl`, applied to the cached copy too. Otherwise nothing. A
   * move that lost a race or found the session gone writes nothing and drops
   * the cached copy, so the next request reads what won.
   */
  private async slide(session: SessionRef & Pick<SessionDocument, 'lastSeenAt' | 'expiresAt' | '_etag'>, now: number): Promise<IdleClockMove> {
    if (!touchDue(session, this.lifetime, now)) return {};
    const ttl = ttlAt(this.lifetime, now, session.expiresAt);
    const touched = await this.documents.touch(session, now, ttl);
    if (!touched) {
      this.cache.forget([session.id]);
      return {};
    }
    await this.tokenCaches.renew(session);
    const moved = { lastSeenAt: now, ttl, ...touched };
    this.cache.update(session.id, moved);
    return moved;
  }

  private summary(entry: ListedSession, current: boolean): SessionSummary {
    return {
      id: entry.id,
      createdAt: iso(entry.createdAt),
      lastSeenAt: iso(entry.lastSeenAt),
      expiresAt: iso(idleExpiresAt(entry, this.lifetime)),
      absoluteExpiresAt: iso(entry.expiresAt),
      device: entry.device,
      current,
    };
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * ID token claims a session does not keep: Entra's `sid` (kept only as its
 * hash, which front-channel logout looks up) and `ipaddr`, an optional claim
 * a tenant may add (no IP address is kept). `/api/claims` and the start page
 * show the rest.
 */
const CLAIMS_NOT_KEPT: ReadonlySet<string> = new Set(['sid', 'ipaddr']);

function keptClaims(claims: JWTPayload): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !CLAIMS_NOT_KEPT.has(name)));
}
