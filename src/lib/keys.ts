/**
 * Cookie keys derived from the `COOKIE_SECRETS` setting.
 *
 * Each secret yields independent 256-bit keys through HKDF, one per purpose:
 * one signs session cookies (HS256), one encrypts login transactions
 * (A256GCM), one makes the form tokens of our pages (HMAC). The key
 * id is a hash of the derived key, so it names a key without revealing it.
 * The first secret signs and encrypts; every secret is accepted, so a new
 * secret can be put first and the old one dropped a session lifetime later.
 *
 * @example
 * ```ts
 * const ring = createKeyRing(['new-secret-…', 'old-secret-…'], 'session');
 * ring.current.kid;      // used for new cookies
 * ring.all;             // every listed secret still verifies, newest first
 * ```
 */
import { createHash, hkdfSync } from 'node:crypto';

export type KeyPurpose = 'session' | 'transaction' | 'form';

export interface CookieKey {
  kid: string;
  key: Uint8Array;
}

export interface KeyRing {
  current: CookieKey;
  /** Every listed key, newest first. */
  all: readonly CookieKey[];
}

export function createKeyRing(secrets: readonly string[], purpose: KeyPurpose): KeyRing {
  const keys = secrets.map((secret) => {
    const key = new Uint8Array(hkdfSync('sha256', secret, 'fnauth-cookie-keys', `fnauth ${purpose} v1`, 32));
    const kid = createHash('sha256').update(key).digest('base64url').slice(0, 16);
    return { kid, key };
  });
  const [current] = keys;
  if (!current) throw new Error('createKeyRing needs at least one secret');
  return { current, all: keys };
}
