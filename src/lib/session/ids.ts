/**
 * The names a session's documents go by, derived so that the database never
 * holds a value that works as a cookie.
 *
 * - The **user key** is the partition key of everything one user has here:
 *   a hash of the verified `tid` and `oid`. It is not keyed by a secret, so an
 *   administrator's revoke can compute it from an `oid`, and rotating
 *   `COOKIE_SECRETS` moves no data. It keeps the raw `oid` out of the cookie,
 *   but it is not a secret: anyone who knows an `oid` can compute it, and it
 *   opens nothing without a session secret.
 * - The **session secret** is 256 random bits that only the cookie carries.
 *   The session document's id is its hash, so a copy of the database holds
 *   no usable session, and a point read needs only the cookie.
 *
 * Tested by test/lib/session/sessions.test.ts.
 *
 * @example
 * ```ts
 * const userKey = userKeyOf(claims.tid, claims.oid);
 * const id = sessionIdOf(secret);            // the document id
 * tokenCacheIdOf(id);                        // its token cache's id
 * ```
 */
import { createHash } from 'node:crypto';

/** User keys, session ids and secrets: 256 bits in base64url. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const hash = (label: string, ...parts: string[]) => createHash('sha256').update([label, ...parts].join('\n')).digest('base64url');

/** GUIDs compare case-insensitively: `oid` from a token and from an admin's URL must give the same key. */
export function userKeyOf(tenantId: string, oid: string): string {
  return hash('fnauth user v1', tenantId.toLowerCase(), oid.toLowerCase());
}

export function sessionIdOf(secret: string): string {
  return hash('fnauth session v1', secret);
}

/** Entra's `sid` claim, indexed as a fixed-size hash for front-channel logout. */
export function sidHashOf(sid: string): string {
  return hash('fnauth sid v1', sid);
}

/** Never matches {@link ID_PATTERN}, so no session id can name a token cache. */
export function tokenCacheIdOf(sessionId: string): string {
  return `${sessionId}.tokens`;
}
