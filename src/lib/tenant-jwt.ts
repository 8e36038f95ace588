/**
 * The checks every token from the tenant gets, ID token or access token:
 * signature against the tenant's JWKS with asymmetric algorithms only (so
 * `alg: none` and HMAC-with-the-public-key tricks fail), issuer, audience,
 * expiry and not-before with a small clock skew, the tenant (`tid`) and the
 * token version (`ver` 2.0, what the v2.0 endpoints and External ID issue).
 *
 * Tested by test/lib/id-token.test.ts and test/functions/bearer.test.ts.
 *
 * @example
 * ```ts
 * const payload = await verifyTenantJwt(token, { keys, issuer, tenantId, audience: clientId });
 * // throws TokenRejected with jose's error code, e.g. ERR_JWT_EXPIRED, or ERR_JWT_WRONG_TENANT
 * ```
 */
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError } from './errors';

/** Entra signs with RS256; the others are accepted for providers that rotate to them. */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** Small enough to matter, large enough for clocks on serverless hosts. */
export const CLOCK_TOLERANCE_SECONDS = 120;

export interface TenantJwtExpectations {
  keys: JWTVerifyGetKey;
  issuer: string;
  /** The tenant's id: tokens must carry it as `tid`. */
  tenantId: string;
  audience: string | string[];
  /** For tests: the time to verify at. */
  currentDate?: Date;
}

/** Why a token was refused, as a code safe to show and log (never the token). */
export class TokenRejected extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'TokenRejected';
  }
}

export async function verifyTenantJwt(token: string, expected: TenantJwtExpectations): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, expected.keys, {
      algorithms: ASYMMETRIC_ALGORITHMS,
      issuer: expected.issuer,
      audience: expected.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub', 'tid', 'ver'],
      currentDate: expected.currentDate,
    });
    if (typeof payload.tid !== 'string' || payload.tid.toLowerCase() !== expected.tenantId.toLowerCase()) throw new TokenRejected('ERR_JWT_WRONG_TENANT');
    if (payload.ver !== '2.0') throw new TokenRejected('ERR_JWT_NOT_V2');
    return payload;
  } catch (error) {
    // An outage while fetching the keys is not the token's fault: let it through as is.
    if (error instanceof AppError || error instanceof TokenRejected) throw error;
    throw new TokenRejected((error as { code?: string }).code ?? 'ERR_JWT_INVALID');
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The tenant id an issuer names: Entra's issuers carry it as the first path
 * segment (`https://<tenant-id>.ciamlogin.com/<tenant-id>/v2.0`), and so
 * does the local provider's. Undefined when the issuer names none.
 */
export function tenantIdOf(issuer: string): string | undefined {
  const url = new URL(issuer);
  const [first] = url.pathname.split('/').filter(Boolean);
  if (first && GUID.test(first)) return first.toLowerCase();
  const [label] = url.hostname.split('.');
  return label && GUID.test(label) ? label.toLowerCase() : undefined;
}
