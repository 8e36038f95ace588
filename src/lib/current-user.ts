/**
 * Who is calling: the session named by a valid session cookie.
 *
 * One point read per request. The idle clock slides at most once per few
 * minutes (see `SessionStore.touch`), so most reads write nothing.
 *
 * @example
 * ```ts
 * const session = await requireSession(runtime, request.headers.get('cookie')); // or throws 401
 * ```
 */
import { AuthError } from './errors';
import type { Runtime } from './runtime';
import type { SessionRecord } from './session';

export async function findSession(runtime: Runtime, cookieHeader: string | null): Promise<SessionRecord | undefined> {
  const sessionId = await runtime.sessionCookie.read(cookieHeader);
  if (!sessionId) return undefined;
  const { sessions } = await runtime.stores();
  const session = await sessions.get(sessionId);
  if (session) await sessions.touch(session);
  return session;
}

export async function requireSession(runtime: Runtime, cookieHeader: string | null): Promise<SessionRecord> {
  const session = await findSession(runtime, cookieHeader);
  if (!session) {
    throw new AuthError('not_signed_in', 401, 'You are not signed in, or your session has ended. Sign in to continue.', {
      loginUrl: runtime.loginUrl,
    });
  }
  return session;
}

/** The claims endpoint's body: the ID token claims and when the session ends. */
export function describeSession(session: SessionRecord, idleTimeoutSeconds: number) {
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
  return {
    claims: session.claims,
    session: {
      createdAt: iso(session.createdAt),
      expiresAt: iso(Math.min(session.expiresAt, session.lastSeenAt + idleTimeoutSeconds)),
      absoluteExpiresAt: iso(session.expiresAt),
    },
  };
}
