/**
 * The checks every token from the tenant gets, ID token or access token:
 * signature against the tenant's JWKS with asymmetric algorithms only (so
 * `alg: none` and HMAC-with-the-public-key tricks fail), issuer, audience,
 * expiry and not-before with a small clock skew, the tenant (`tid`) and the
 * token version (`ver` 2.0, what the v2.0 endpoints and External ID issue).
 *
 * The signature is checked with node:crypto, on the key the tenant's JWKS
 * names (fetched, cached and chosen by `kid` by jose's remote key set): jose
 * would hand every check to WebCrypto, which costs a thread-pool round trip
 * per token on each sign-in and bearer request. The claims are then checked
 * by jose's own claims validation, exactly as `jwtVerify` does it.
 *
 * Tested by test/lib/id-token.test.ts and test/functions/bearer.test.ts.
 *
 * @example
 * ```ts
 * const payload = await verifyTenantJwt(token, { keys, issuer, tenantId, audience: clientId });
 * // throws TokenRejected with jose's error code, e.g. ERR_JWT_EXPIRED, or ERR_JWT_WRONG_TENANT
 * ```
 */
import { constants, createPublicKey, KeyObject, verify, type JsonWebKey, type webcrypto } from 'node:crypto';
import { decodeProtectedHeader, UnsecuredJWT, type CompactJWSHeaderParameters, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError } from './errors';

/** How node:crypto checks each algorithm, and the key it must be made with. */
interface Algorithm {
  hash: 'sha256' | 'sha384' | 'sha512';
  key: 'rsa' | 'ec';
  /** EC keys: the curve the algorithm names. */
  curve?: string;
  pss?: true;
}

/** Entra signs with RS256; the others are accepted for providers that rotate to them. Asymmetric only. */
const ALGORITHMS: Record<string, Algorithm> = {
  RS256: { hash: 'sha256', key: 'rsa' },
  RS384: { hash: 'sha384', key: 'rsa' },
  RS512: { hash: 'sha512', key: 'rsa' },
  PS256: { hash: 'sha256', key: 'rsa', pss: true },
  PS384: { hash: 'sha384', key: 'rsa', pss: true },
  PS512: { hash: 'sha512', key: 'rsa', pss: true },
  ES256: { hash: 'sha256', key: 'ec', curve: 'prime256v1' },
  ES384: { hash: 'sha384', key: 'ec', curve: 'secp384r1' },
  ES512: { hash: 'sha512', key: 'ec', curve: 'secp521r1' },
};
/** As jose: shorter RSA keys are refused. */
const MIN_RSA_BITS = 2048;
/** The signature may be empty here: `alg: none` is then refused by name, as jose refuses it. */
const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/;
/** The header jose's claims validation sees: it reads only `typ` from it, which we do not ask for. */
const UNSECURED_HEADER = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
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
    const encodedClaims = await verifySignature(token, expected.keys);
    const { payload } = UnsecuredJWT.decode(`${UNSECURED_HEADER}.${encodedClaims}.`, {
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

/**
 * The token's encoded claims, once its signature is the tenant's: an allowed
 * algorithm, no `crit` or `b64` extension, the key the JWKS names for the
 * header, of the algorithm's type (RSA of at least 2048 bits, or EC on the
 * algorithm's curve). Throws TokenRejected with the code jose would use.
 */
async function verifySignature(token: string, keys: JWTVerifyGetKey): Promise<string> {
  const parts = COMPACT_JWS.exec(token);
  if (!parts) throw new TokenRejected('ERR_JWS_INVALID');
  const [, encodedHeader, encodedClaims, encodedSignature] = parts as unknown as [string, string, string, string];
  const header = decodeProtectedHeader(token);
  const algorithm = typeof header.alg === 'string' && Object.hasOwn(ALGORITHMS, header.alg) ? ALGORITHMS[header.alg] : undefined;
  if (!algorithm) throw new TokenRejected('ERR_JOSE_ALG_NOT_ALLOWED');
  if ('crit' in header || 'b64' in header) throw new TokenRejected('ERR_JWS_INVALID');
  const key = publicKeyOf(await keys(header as CompactJWSHeaderParameters, { payload: encodedClaims, signature: encodedSignature }));
  if (!key || !fits(key, algorithm)) throw new TokenRejected('ERR_JOSE_INVALID_KEY');
  const signed = Buffer.from(`${encodedHeader}.${encodedClaims}`, 'ascii');
  const signature = Buffer.from(encodedSignature, 'base64url');
  const valid = verify(
    algorithm.hash,
    signed,
    algorithm.pss
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : { key, dsaEncoding: 'ieee-p1363' },
    signature,
  );
  if (!valid) throw new TokenRejected('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  return encodedClaims;
}

/** Imported once per key: jose's key set hands back the same CryptoKey for a kid until it refreshes. */
const publicKeys = new WeakMap<object, KeyObject>();

function publicKeyOf(key: Awaited<ReturnType<JWTVerifyGetKey>>): KeyObject | undefined {
  if (key instanceof Uint8Array) return undefined;
  if (key instanceof KeyObject) return key.type === 'public' ? key : undefined;
  let imported = publicKeys.get(key);
  if (!imported) {
    imported = 'kty' in key ? createPublicKey({ key: key as JsonWebKey, format: 'jwk' }) : KeyObject.from(key as webcrypto.CryptoKey);
    publicKeys.set(key, imported);
  }
  return imported.type === 'public' ? imported : undefined;
}

function fits(key: KeyObject, algorithm: Algorithm): boolean {
  const details = key.asymmetricKeyDetails ?? {};
  if (algorithm.key === 'ec') return key.asymmetricKeyType === 'ec' && details.namedCurve === algorithm.curve;
  const rsa = key.asymmetricKeyType === 'rsa' || (algorithm.pss === true && key.asymmetricKeyType === 'rsa-pss');
  return rsa && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
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
