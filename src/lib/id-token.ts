/**
 * ID token verification. msal-node checks only state and nonce, so this is
 * where the token is actually trusted: signature against the tenant's JWKS
 * (asymmetric algorithms only, so `alg: none` and HMAC tricks fail), issuer,
 * audience, expiry and not-before with a small clock skew, tenant and
 * version, the nonce of this very sign-in, and the `oid` that names the
 * user. The token checks shared with access tokens live in `tenant-jwt.ts`.
 *
 * @example
 * ```ts
 * const identity = await runtime.identity();
 * const claims = await verifyIdToken(redemption.idToken, {
 *   keys: identity.keys, issuer: identity.metadata.issuer, tenantId: identity.tenantId,
 *   clientId: runtime.config.clientId, nonce: transaction.nonce,
 * });
 * ```
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AppError } from './errors';
import { equalStrings } from './random';
import { TokenRejected, verifyTenantJwt } from './tenant-jwt';

export interface IdTokenExpectations {
  keys: JWTVerifyGetKey;
  issuer: string;
  tenantId: string;
  clientId: string;
  nonce: string;
  /** For tests: the time to verify at. */
  currentDate?: Date;
}

/** The claims a session is keyed on are always there once verified. */
export type IdTokenClaims = JWTPayload & { tid: string; oid: string };

export async function verifyIdToken(idToken: string, expected: IdTokenExpectations): Promise<IdTokenClaims> {
  let payload: JWTPayload;
  try {
    payload = await verifyTenantJwt(idToken, { ...expected, audience: expected.clientId });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalidIdToken(error instanceof TokenRejected ? error.code : 'ERR_JWT_INVALID');
  }
  if (typeof payload.nonce !== 'string' || !equalStrings(payload.nonce, expected.nonce)) {
    throw invalidIdToken('ERR_NONCE_MISMATCH');
  }
  // The user's object id names their sessions; Entra includes it with the `profile` scope, which MSAL always asks for.
  if (typeof payload.oid !== 'string' || payload.oid.length === 0) throw invalidIdToken('ERR_JWT_CLAIM_MISSING_OID');
  return payload as IdTokenClaims;
}

function invalidIdToken(reason: string): AppError {
  return new AppError('invalid_id_token', {
    detail: `The identity provider's answer could not be verified (${reason}), so you were not signed in. Please try again.`,
  });
}
