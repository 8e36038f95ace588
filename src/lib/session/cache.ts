/**
 * The instance's memory of the sessions it resumed recently, in front of the
 * point read: a warm instance answers a signed-in request without calling
 * Cosmos DB, and a session ended anywhere still stops working within a bound
 * the README states.
 *
 * - **The bound.** An entry is used for `SESSION_CACHE_SECONDS` (default 30)
 *   from the point read that filled it; hits do not extend it. A session
 *   ended on another instance therefore stops working here within that time.
 *   0 turns the cache off: every request reads Cosmos DB.
 * - **At once on this instance.** Every way a session ends goes through
 *   `Sessions`, which forgets the ids here before and after it removes the
 *   documents; a read still in flight when they are forgotten is not kept.
 * - **Bounded memory.** At most {@link MAX_CACHED_SESSIONS} entries; the least
 *   recently used goes first. 10,000 sessions with an Entra ID token's usual
 *   claims took 15.5 MB of heap (measured with Node 20), about twice that
 *   where a session keeps its ID token (no `login_hint`): a bound however
 *   many users there are.
 * - **One read for many.** Concurrent requests of one session that find no
 *   entry share one point read.
 *
 * What it holds is the session document as read (claims, clocks, ETag), to be
 * treated as read-only by everyone who gets it.
 *
 * Tested by test/lib/session/cache.test.ts, test/lib/session/sessions.test.ts
 * and, on two instances, test/functions/two-instances.test.ts.
 *
 * @example
 * ```ts
 * const cache = new SessionCache(30);
 * const session = cache.get(ref) ?? (await cache.fill(ref, () => documents.read(ref)));
 * cache.forget([ref.id]); // the session ended
 * ```
 */
import { SingleFlight } from '../single-flight';
import type { SessionRef } from './cookie';
import type { SessionDocument } from './documents';

/** Sessions one instance keeps at most. */
export const MAX_CACHED_SESSIONS = 10_000;

interface Entry {
  session: SessionDocument;
  /** `Date.now()` after which the entry is not used: its fill time plus the cache time. */
  staleAt: number;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly reads = new SingleFlight<string, SessionDocument | undefined>();
  private readonly ttlMs: number;

  constructor(
    seconds: number,
    private readonly maxEntries = MAX_CACHED_SESSIONS,
  ) {
    this.ttlMs = seconds * 1000;
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** How many sessions it holds now. */
  get size(): number {
    return this.entries.size;
  }

  /** The session the ref names, when it was read less than the cache time ago; undefined otherwise. */
  get(ref: SessionRef): SessionDocument | undefined {
    const entry = this.entries.get(ref.id);
    if (!entry) return undefined;
    if (Date.now() >= entry.staleAt || entry.session.userKey !== ref.userKey) {
      this.entries.delete(ref.id);
      return undefined;
    }
    // Map order is insertion order: moving a hit to the end keeps the least recently used first.
    this.entries.delete(ref.id);
    this.entries.set(ref.id, entry);
    return entry.session;
  }

  /**
   * Reads the session with `read` and keeps it. Concurrent calls for one
   * session share one read; a read overtaken by {@link forget} is returned to
   * its callers but not kept. With the cache off, simply `read()`.
   */
  fill(ref: SessionRef, read: () => Promise<SessionDocument | undefined>): Promise<SessionDocument | undefined> {
    if (!this.enabled) return read();
    const flight = this.reads.run(ref.id, async () => {
      const session = await read();
      if (session && this.reads.holds(ref.id, flight)) this.keep(ref.id, session);
      return session;
    });
    return flight;
  }

  /** Keeps a session this instance wrote (a sign-in), as if it had just been read. */
  add(session: SessionDocument): void {
    if (this.enabled) this.keep(session.id, session);
  }

  /** Applies a change this instance wrote (the idle clock's move) to an entry it holds, keeping the entry's age. */
  update(id: string, change: Partial<SessionDocument>): void {
    const entry = this.entries.get(id);
    if (entry) entry.session = { ...entry.session, ...change };
  }

  /** Drops these ids, and any read of them in flight: the next request reads Cosmos DB. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) {
      this.entries.delete(id);
      this.reads.forget(id);
    }
  }

  private keep(id: string, session: SessionDocument): void {
    this.entries.delete(id);
    this.entries.set(id, { session, staleAt: Date.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
