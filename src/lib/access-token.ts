/**
 * Bearer access tokens sent by headless clients (device code flow) and by
 * administrators' tools to this app's API: verified with jose against the
 * tenant's JWKS, like ID tokens (tenant and version included), plus the
 * audience (this app's API) and the calling client (`azp`, when an
 * allow-list is set). What a route demands of a verified caller (a delegated
 * scope in `scp`, an app role in `roles`) is checked in one place for every
 * kind of caller: `checkRequirement` in access.ts.
 *
 * An ID token is never an access token, though it passes every check above:
 * its `aud` is this app's client id (one of the default audiences), and it
 * carries the user's `roles`. It also travels where access tokens do not:
 * in sign-out URLs (`id_token_hint`) and in the session document. So a token
 * must name its client in `azp`, which v2.0 access tokens always do and ID
 * tokens never do, and must not carry a `nonce`, which only ID tokens do.
 *
 * Failures follow RFC 6750: a bad token is 401 `invalid_token` with
 * `WWW-Authenticate`.
 *
 * Tested by test/functions/bearer.test.ts and test/functions/user-sessions.test.ts.
 *
 * @example
 * ```ts
 * const claims = await verifyAccessToken(token, { keys, issuer, tenantId, audiences, allowedClientIds: [] });
 * checkRequirement({ kind: 'bearer', claims, token }, { scopes: ['access_as_user'] });
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
  if (typeof payload.azp !== 'string' || payload.nonce !== undefined) {
    throw invalidToken('This is not an access token (an ID token, perhaps): request an access token for this API.');
  }
  if (expected.allowedClientIds.length > 0 && !expected.allowedClientIds.includes(payload.azp.toLowerCase())) {
    throw new AppError('client_not_allowed', { wwwAuthenticate: 'Bearer error="insufficient_scope"' });
  }
  return payload;
}

function invalidToken(detail: string): AppError {
  return new AppError('invalid_token', { detail });
}
