/**
 * Bearer access tokens sent by headless clients (device code flow) to this
 * app's API: verified with jose against the tenant's JWKS, like ID tokens,
 * plus the audience (this app's API) and the delegated scope it requires.
 *
 * Failures follow RFC 6750: a bad token is 401 `invalid_token`, a good token
 * without the scope is 403 `insufficient_scope`, each with `WWW-Authenticate`.
 *
 * @example
 * ```ts
 * const claims = await verifyAccessToken(token, { keys, issuer, audiences: config.api.audiences, scope: 'access_as_user' });
 * ```
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AppError } from './errors';
import { TokenRejected, verifyTenantJwt } from './tenant-jwt';

export interface AccessTokenExpectations {
  keys: JWTVerifyGetKey;
  issuer: string;
  audiences: string[];
  scope: string;
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
  const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
  if (!scopes.includes(expected.scope)) {
    throw new AppError('insufficient_scope', {
      detail: `The access token does not grant the "${expected.scope}" scope this API requires.`,
      wwwAuthenticate: `Bearer error="insufficient_scope", scope="${expected.scope}"`,
    });
  }
  return payload;
}

function invalidToken(detail: string): AppError {
  return new AppError('invalid_token', { detail });
}
