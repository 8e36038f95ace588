/**
 * A session's two clocks, enforced here in code (Cosmos `ttl` only tidies up
 * afterwards and is not enforced by every server): an idle timeout that
 * slides with use, and an absolute lifetime that does not.
 *
 * Sliding costs a write, so it happens at most once per
 * {@link TOUCH_INTERVAL_SECONDS} (or a quarter of the idle timeout, if
 * shorter): `lastSeenAt` moves at that cadence, not on every request.
 *
 * @example
 * ```ts
 * if (isExpired(session, lifetime, now)) return undefined;
 * if (touchDue(session, lifetime, now)) await slide(session);
 * ```
 */

/** The idle clock is advanced no more often than this (or a quarter of the idle timeout, if shorter). */
export const TOUCH_INTERVAL_SECONDS = 300;

export interface SessionLifetime {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
}

/** What the clocks read; times in seconds since the epoch. */
export interface Clocked {
  lastSeenAt: number;
  /** The absolute end. */
  expiresAt: number;
}

export const nowInSeconds = () => Math.floor(Date.now() / 1000);

export function isExpired(session: Clocked, lifetime: SessionLifetime, now = nowInSeconds()): boolean {
  return now >= session.expiresAt || now - session.lastSeenAt >= lifetime.idleTimeoutSeconds;
}

export function touchDue(session: Clocked, lifetime: SessionLifetime, now = nowInSeconds()): boolean {
  return now - session.lastSeenAt >= Math.min(TOUCH_INTERVAL_SECONDS, Math.floor(lifetime.idleTimeoutSeconds / 4));
}

/** When the session ends if unused from now on: the idle timeout, capped by the absolute lifetime. */
export function idleExpiresAt(session: Clocked, lifetime: SessionLifetime): number {
  return Math.min(session.expiresAt, session.lastSeenAt + lifetime.idleTimeoutSeconds);
}

/**
 * Cosmos `ttl` of a session's documents written at `now`: gone when the idle
 * timeout or the absolute lifetime ends, whichever comes first.
 */
export function ttlAt(lifetime: SessionLifetime, now: number, expiresAt: number): number {
  return Math.max(1, Math.min(lifetime.idleTimeoutSeconds, expiresAt - now));
}
