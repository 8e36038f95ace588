/**
 * Who is calling: a browser with a session cookie, or a headless client with
 * a bearer access token.
 *
 * Cookie callers cost one Cosmos point read; the idle clock slides at most
 * once per few minutes (see `SessionStore.touch`, which then also renews the
 * token cache's expiry), so most reads write nothing. Bearer callers cost
 * no Cosmos call at all: the token is verified against the tenant's keys,
 * which are cached per instance.
 *
 * @example
 * ```ts
 * const caller = await findCaller(runtime, context); // undefined: neither a cookie nor a bearer token
 * if (caller) return json(describeCaller(caller, runtime.config.session.idleTimeoutSeconds));
 * ```
 */
import type { JWTPayload } from 'jose';
import { bearerToken, verifyAccessToken } from './access-token';
import type { RequestCookies } from './cookie';
import type { Runtime } from './runtime';
import type { SessionRecord } from './session';

export type Caller = { kind: 'session'; session: SessionRecord } | { kind: 'bearer'; claims: JWTPayload; token: string };

/** What a caller is found by: the `Authorization` header and the cookies. */
export interface CallerRequest {
  headers: { get(name: string): string | null };
  cookies: RequestCookies;
}

export async function findSession(runtime: Runtime, cookies: RequestCookies): Promise<SessionRecord | undefined> {
  const sessionId = await runtime.sessionCookie.read(cookies);
  if (!sessionId) return undefined;
  const { sessions, tokenCaches } = await runtime.stores();
  const session = await sessions.get(sessionId);
  if (!session) return undefined;
  const touched = await sessions.touch(session);
  if (touched) await tokenCaches.renew(session.id, session.expiresAt);
  return touched ?? session;
}

/**
 * The caller, or undefined when the request carries neither. A bearer token,
 * when sent, decides alone: a bad token is refused even if a cookie is present too.
 */
export async function findCaller(runtime: Runtime, request: CallerRequest): Promise<Caller | undefined> {
  const token = bearerToken(request.headers.get('authorization'));
  if (token) {
    const identity = await runtime.identity();
    const claims = await verifyAccessToken(token, {
      keys: identity.keys,
      issuer: identity.metadata.issuer,
      audiences: runtime.config.api.audiences,
      scope: runtime.config.api.requiredScope,
    });
    return { kind: 'bearer', claims, token };
  }
  const session = await findSession(runtime, request.cookies);
  return session && { kind: 'session', session };
}

/** ISO 8601, or null for a time no Date can hold (a signed token may still carry one). */
function iso(seconds: number): string | null {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The claims endpoint's body, the same shape for both kinds of caller. */
export function describeCaller(caller: Caller, idleTimeoutSeconds: number) {
  if (caller.kind === 'bearer') {
    const { iat = 0, exp = 0 } = caller.claims;
    return {
      claims: caller.claims,
      session: { authenticatedWith: 'bearer', createdAt: iso(iat), expiresAt: iso(exp), absoluteExpiresAt: iso(exp) },
    };
  }
  const { session } = caller;
  return {
    claims: session.claims,
    session: {
      authenticatedWith: 'cookie',
      createdAt: iso(session.createdAt),
      expiresAt: iso(Math.min(session.expiresAt, session.lastSeenAt + idleTimeoutSeconds)),
      absoluteExpiresAt: iso(session.expiresAt),
    },
  };
}
