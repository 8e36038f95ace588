/**
 * ID token verification. msal-node checks only state and nonce, so this is
 * where the token is actually trusted: signature against the tenant's JWKS
 * (asymmetric algorithms only, so `alg: none` and HMAC tricks fail), issuer,
 * audience, expiry and not-before with a small clock skew, and the nonce of
 * this very sign-in.
 *
 * @example
 * ```ts
 * const claims = await verifyIdToken(result.idToken, {
 *   keys: createRemoteJWKSet(new URL(metadata.jwks_uri)),
 *   issuer: metadata.issuer, clientId: config.clientId, nonce: transaction.nonce,
 * });
 * ```
 */
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthError } from './errors';
import { equalStrings } from './random';

/** Entra signs with RS256; the others are accepted for providers that rotate to them. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** Small enough to matter, large enough for clocks on serverless hosts. */
export const CLOCK_TOLERANCE_SECONDS = 120;

export interface IdTokenExpectations {
  keys: JWTVerifyGetKey;
  issuer: string;
  clientId: string;
  nonce: string;
  /** For tests: the time to verify at. */
  currentDate?: Date;
}

export async function verifyIdToken(idToken: string, expected: IdTokenExpectations): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, expected.keys, {
      algorithms: ASYMMETRIC_ALGORITHMS,
      issuer: expected.issuer,
      audience: expected.clientId,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub'],
      currentDate: expected.currentDate,
    }));
  } catch (error) {
    throw invalidIdToken((error as { code?: string }).code ?? 'ERR_JWT_INVALID');
  }
  if (typeof payload.nonce !== 'string' || !equalStrings(payload.nonce, expected.nonce)) {
    throw invalidIdToken('ERR_NONCE_MISMATCH');
  }
  return payload;
}

function invalidIdToken(reason: string): AuthError {
  return new AuthError(
    'invalid_id_token',
    400,
    `The identity provider's answer could not be verified (${reason}), so you were not signed in. Please try again.`,
  );
}
