/**
 * Server-side sessions in Cosmos DB, one document per sign-in, keyed and
 * partitioned by the session id.
 *
 * Two clocks end a session, both enforced here (Cosmos `ttl` only tidies up
 * afterwards and is not enforced by every server): an idle timeout that
 * slides with use, and an absolute lifetime that does not. Sliding costs a
 * write, so {@link SessionStore.touch} writes at most once per
 * {@link TOUCH_INTERVAL_SECONDS} per session; reading a session is a single
 * point read.
 *
 * @example
 * ```ts
 * const session = await sessions.get(sessionId);   // undefined when missing or expired
 * if (session) await sessions.touch(session);       // usually a no-op
 * ```
 */
import type { Container } from '@azure/cosmos';
import { cosmosCall, cosmosStatus, deleteIfPresent } from './cosmos';
import { AppError } from './errors';

/** The idle clock is advanced no more often than this (or a quarter of the idle timeout, if shorter). */
export const TOUCH_INTERVAL_SECONDS = 300;

/**
 * Cosmos `ttl` of a session's documents written at `now`: gone when the idle
 * timeout or the absolute lifetime ends, whichever comes first.
 */
export function sessionTtl(lifetime: SessionLifetime, now: number, expiresAt: number): number {
  return Math.max(1, Math.min(lifetime.idleTimeoutSeconds, expiresAt - now));
}

export interface SessionRecord {
  id: string;
  /** MSAL's account key (`<oid>.<tid>`), used to find the account in the token cache. */
  homeAccountId: string;
  /** The verified ID token claims. */
  claims: Record<string, unknown>;
  /** Kept for `id_token_hint` at sign-out. */
  idToken: string;
  /** Seconds since the epoch. */
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end of the session. */
  expiresAt: number;
  /** Cosmos time-to-live in seconds, counted from the last write. */
  ttl: number;
  _etag?: string;
}

export interface SessionLifetime {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
}

export type NewSession = Pick<SessionRecord, 'id' | 'homeAccountId' | 'claims' | 'idToken'>;

/** A session id that exists already: the sign-in that minted it was replayed. */
export function signInAlreadyCompleted(): AppError {
  return new AppError('transaction_reused');
}

const nowInSeconds = () => Math.floor(Date.now() / 1000);

export class SessionStore {
  constructor(
    private readonly container: Container,
    private readonly lifetime: SessionLifetime,
  ) {}

  /** Stores a brand-new session; an id that already exists means a replayed sign-in and is refused. */
  async create(input: NewSession, now = nowInSeconds()): Promise<SessionRecord> {
    const expiresAt = now + this.lifetime.absoluteTimeoutSeconds;
    const record: SessionRecord = { ...input, createdAt: now, lastSeenAt: now, expiresAt, ttl: sessionTtl(this.lifetime, now, expiresAt) };
    try {
      await cosmosCall('save your session', () => this.container.items.create(record));
    } catch (error) {
      throw cosmosStatus(error) === 409 ? signInAlreadyCompleted() : error;
    }
    return record;
  }

  /** One point read. Missing, idle-expired or past its absolute lifetime: undefined. */
  async get(id: string, now = nowInSeconds()): Promise<SessionRecord | undefined> {
    const { resource } = await cosmosCall('read your session', () => this.container.item(id, id).read<SessionRecord>());
    if (!resource || this.isExpired(resource, now)) return undefined;
    return resource;
  }

  isExpired(session: SessionRecord, now = nowInSeconds()): boolean {
    return now >= session.expiresAt || now - session.lastSeenAt >= this.lifetime.idleTimeoutSeconds;
  }

  /**
   * Slides the idle timeout. Writes only when the last write is older than
   * {@link TOUCH_INTERVAL_SECONDS} (a quarter of the idle timeout if that is
   * shorter) and returns the record as written; otherwise undefined. A
   * concurrent touch or a sign-out that got there first (412, 404) is fine
   * and ignored.
   */
  async touch(session: SessionRecord, now = nowInSeconds()): Promise<SessionRecord | undefined> {
    const interval = Math.min(TOUCH_INTERVAL_SECONDS, Math.floor(this.lifetime.idleTimeoutSeconds / 4));
    if (now - session.lastSeenAt < interval) return undefined;
    const updated: SessionRecord = { ...session, lastSeenAt: now, ttl: sessionTtl(this.lifetime, now, session.expiresAt) };
    try {
      await cosmosCall('extend your session', () =>
        this.container
          .item(session.id, session.id)
          .replace(updated, session._etag ? { accessCondition: { type: 'IfMatch', condition: session._etag } } : {}),
      );
      return updated;
    } catch (error) {
      const status = cosmosStatus(error);
      if (status === 412 || status === 404) return undefined;
      throw error;
    }
  }

  /** Idempotent: deleting a session that is already gone succeeds. */
  delete(id: string): Promise<void> {
    return deleteIfPresent(this.container, id, 'end your session');
  }

}
