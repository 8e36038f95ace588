/**
 * Who is calling: a browser with a session cookie, or a client with a bearer
 * access token.
 *
 * Cookie callers cost one Cosmos point read, or none when this instance read
 * the session within `SESSION_CACHE_SECONDS` (see `Sessions.resume`); the
 * idle clock slides at most once per few minutes, so most requests write
 * nothing. Bearer callers cost no Cosmos call at all: the token is verified
 * against the tenant's keys, which are cached per instance. A bearer token,
 * when sent, decides alone: a bad token is refused even if a cookie is
 * present too.
 *
 * Tested by test/functions/claims.test.ts, test/functions/bearer.test.ts and test/functions/sessions.test.ts.
 *
 * @example
 * ```ts
 * const caller = await findCaller(runtime, context); // undefined: no bearer token and no live session
 * if (caller) return json(describeCaller(caller, runtime.config.session));
 * const admin = await requireAppRole(runtime, context, runtime.config.admin.role); // or throws 401/403
 * ```
 */
import type { JWTPayload } from 'jose';
import { checkRequirement, type AuthRequirement } from './access';
import { bearerToken, verifyAccessToken } from './access-token';
import type { RequestCookies } from './cookie';
import { AppError } from './errors';
import type { Runtime } from './runtime';
import type { Session } from './session';
import { idleExpiresAt, type SessionLifetime } from './session/clock';

export type Caller = { kind: 'session'; session: Session } | { kind: 'bearer'; claims: JWTPayload; token: string };

/** What a caller is found by: the `Authorization` header and the cookies (see `RequestContext`). */
export interface CallerRequest {
  headers: { get(name: string): string | null };
  cookies: RequestCookies;
}

/** What a bearer token must grant besides being valid: a delegated scope, an app role, or nothing more. */
/** What a bearer token must grant beyond being valid: by default the API's delegated scope. */
export type BearerDemand = Exclude<AuthRequirement, 'anonymous' | 'signed-in'>;

export function notSignedIn(runtime: Runtime): AppError {
  return new AppError('not_signed_in', { loginUrl: runtime.loginUrl });
}

/** A verified bearer token that grants what is demanded: the API's delegated scope, or an app role. */
async function verifyBearer(runtime: Runtime, token: string, demand: BearerDemand): Promise<JWTPayload> {
  const identity = await runtime.identity();
  const claims = await verifyAccessToken(token, {
    keys: identity.keys,
    issuer: identity.metadata.issuer,
    tenantId: identity.tenantId,
    audiences: runtime.config.api.audiences,
    allowedClientIds: runtime.config.api.allowedClientIds,
  });
  checkRequirement({ kind: 'bearer', claims, token }, demand);
  return claims;
}

/**
 * The caller, or undefined when the request carries neither a bearer token
 * nor a live session. A bearer token must grant `demand` (by default the
 * API's delegated scope).
 */
export async function findCaller(
  runtime: Runtime,
  request: CallerRequest,
  demand: BearerDemand = { scopes: [runtime.config.api.requiredScope] },
): Promise<Caller | undefined> {
  const token = bearerToken(request.headers.get('authorization'));
  if (token) return { kind: 'bearer', claims: await verifyBearer(runtime, token, demand), token };
  const session = await runtime.sessions.resume(request.cookies);
  return session && { kind: 'session', session };
}

/**
 * Session routes are for cookie callers. A bearer caller (a valid token;
 * an invalid one is refused as such) has no server-side session here, and
 * hears so plainly rather than a misleading "not signed in".
 */
export async function refuseBearer(runtime: Runtime, request: Pick<CallerRequest, 'headers'>): Promise<void> {
  const token = bearerToken(request.headers.get('authorization'));
  if (!token) return;
  await verifyBearer(runtime, token, { scopes: [runtime.config.api.requiredScope] });
  throw new AppError('invalid_request', {
    detail: 'A bearer token has no server-side session here: sessions belong to browser sign-ins and are listed and ended with the session cookie.',
  });
}

/** Administrators' calls: a bearer token carrying the app role, from an app (client credentials) or a user assigned the role. */
export async function requireAppRole(runtime: Runtime, request: Pick<CallerRequest, 'headers'>, role: string): Promise<JWTPayload> {
  const token = bearerToken(request.headers.get('authorization'));
  if (!token) {
    throw new AppError('invalid_token', {
      detail: `This action needs a bearer access token for this API with the "${role}" app role.`,
      wwwAuthenticate: 'Bearer',
    });
  }
  return verifyBearer(runtime, token, { roles: [role] });
}

/** ISO 8601, or null for a time no Date can hold (a signed token may still carry one). */
function iso(seconds: number): string | null {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The claims endpoint's body, the same shape for both kinds of caller. */
export function describeCaller(caller: Caller, lifetime: SessionLifetime) {
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
      expiresAt: iso(idleExpiresAt(session, lifetime)),
      absoluteExpiresAt: iso(session.expiresAt),
    },
  };
}
