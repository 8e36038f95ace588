/**
 * Bearer access tokens sent by headless clients (device code flow) and by
 * administrators' tools to this app's API: verified with jose against the
 * tenant's JWKS, like ID tokens (tenant and version included), plus the
 * audience (this app's API), the calling client (`azp`, when an allow-list
 * is set), and what the route demands: a delegated scope (`scp`) or an app
 * role (`roles`, from client credentials or a user assigned the role).
 *
 * Failures follow RFC 6750: a bad token is 401 `invalid_token`, a good token
 * without the scope is 403 `insufficient_scope`, each with `WWW-Authenticate`.
 *
 * Tested by test/functions/bearer.test.ts and test/functions/user-sessions.test.ts.
 *
 * @example
 * ```ts
 * const claims = await verifyAccessToken(token, { keys, issuer, tenantId, audiences, allowedClientIds: [], scope: 'access_as_user' });
 * const admin = await verifyAccessToken(token, { keys, issuer, tenantId, audiences, allowedClientIds: [], role: 'Sessions.RevokeAll' });
 * ```
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AppError } from './errors';
import { TokenRejected, verifyTenantJwt } from './tenant-jwt';

export interface AccessTokenExpectations {
  keys: JWTVerifyGetKey;
  issuer: string;
  tenantId: string;
  audiences: string[];
  /** Client ids (`azp`) allowed to call; empty allows every client of the tenant. */
  allowedClientIds: readonly string[];
  /** A delegated scope the token must grant (`scp`)… */
  scope?: string;
  /** …or an app role it must carry (`roles`). */
  role?: string;
  currentDate?: Date;
}

/** The token from an `Authorization: Bearer …` header; undefined when there is no such header. */
export function bearerToken(authorization: string | null): string | undefined {
  if (authorization === null) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
  if (!match) throw invalidToken('The Authorization header must be "Bearer <access token>".');
  return match[1];
}

export async function verifyAccessToken(token: string, expected: AccessTokenExpectations): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    payload = await verifyTenantJwt(token, { ...expected, audience: expected.audiences });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalidToken(`The access token was refused (${error instanceof TokenRejected ? error.code : 'ERR_JWT_INVALID'}).`);
  }
  if (expected.allowedClientIds.length > 0 && !(typeof payload.azp === 'string' && expected.allowedClientIds.includes(payload.azp.toLowerCase()))) {
    throw new AppError('client_not_allowed', { wwwAuthenticate: 'Bearer error="insufficient_scope"' });
  }
  const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
  if (expected.scope !== undefined && !scopes.includes(expected.scope)) {
    throw new AppError('insufficient_scope', {
      detail: `The access token does not grant the "${expected.scope}" scope this API requires.`,
      wwwAuthenticate: `Bearer error="insufficient_scope", scope="${expected.scope}"`,
    });
  }
  const roles = Array.isArray(payload.roles) ? payload.roles : [];
  if (expected.role !== undefined && !roles.includes(expected.role)) {
    throw new AppError('missing_role', {
      detail: `The access token does not carry the "${expected.role}" app role this action requires.`,
      wwwAuthenticate: 'Bearer error="insufficient_scope"',
    });
  }
  return payload;
}

function invalidToken(detail: string): AppError {
  return new AppError('invalid_token', { detail });
}
