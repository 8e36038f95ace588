/**
 * What our own cookies carry, in standard compact JOSE form: a JWS signed
 * with HS256 (the session cookie) or a JWE encrypted with `dir` + A256GCM
 * (the sign-in transaction), each naming its key with `kid`.
 *
 * Made and checked with node:crypto over keys imported once per instance.
 * A general JOSE library goes through WebCrypto, which imports the key and
 * hands every operation to the thread pool: on the sign-in path and on
 * every signed-in request that cost several times the work itself (see
 * README, Performance and cost). Tokens from other issuers (Entra's) are
 * still verified with jose.
 *
 * Reading checks what a JOSE verifier would for these two shapes, and
 * refuses anything else: only canonical base64url parts of the expected
 * count and size, a JSON object header with exactly our `alg` (and `enc`),
 * no `crit` or `zip`, a `kid` of the ring, then the signature compared in
 * constant time or the GCM tag checked, before the JSON body is parsed.
 *
 * Tested by test/lib/cookie-tokens.test.ts (and through the cookies in
 * test/lib/session/cookie.test.ts, test/lib/transaction.test.ts and
 * test/security/forged-cookies.test.ts).
 *
 * @example
 * ```ts
 * const signed = new SignedTokens(createKeyRing(secrets, 'session'));
 * const token = signed.sign({ u: userKey, s: secret, exp });
 * signed.verify(token); // the claims, or undefined
 * const sealed = new SealedTokens(createKeyRing(secrets, 'transaction'));
 * sealed.open(sealed.seal({ state })); // { state }
 * ```
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { KeyRing } from './keys';
import { equalStrings } from './random';

type Json = Record<string, unknown>;

/** Header, claims and a 43-character HS256 signature. */
const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;
/** Header, an empty encrypted key (`dir`), a 96-bit IV, the ciphertext and a 128-bit tag. */
const COMPACT_JWE = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/;

const encode = (value: Json) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JSON object, or undefined for anything else. */
function decode(part: string | Buffer): Json | undefined {
  try {
    const value: unknown = JSON.parse(typeof part === 'string' ? Buffer.from(part, 'base64url').toString('utf8') : part.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** Each key of the ring as a KeyObject, by `kid`, and the current one's id. */
function importRing(ring: KeyRing): { current: string; keys: Map<string, KeyObject> } {
  return { current: ring.current.kid, keys: new Map(ring.all.map(({ kid, key }) => [kid, createSecretKey(key)])) };
}

/** The key a header names, when the header is ours in every respect. */
function keyFor(header: Json | undefined, expected: Json, keys: Map<string, KeyObject>): KeyObject | undefined {
  if (!header || 'crit' in header || 'zip' in header || typeof header.kid !== 'string') return undefined;
  if (Object.entries(expected).some(([name, value]) => header[name] !== value)) return undefined;
  return keys.get(header.kid);
}

/** Compact JWS, HS256: signed with the ring's current key, verified with any of its keys. */
export class SignedTokens {
  private readonly ring: ReturnType<typeof importRing>;
  private readonly header: string;

  constructor(ring: KeyRing) {
    this.ring = importRing(ring);
    this.header = encode({ alg: 'HS256', kid: this.ring.current });
  }

  sign(claims: Json): string {
    const input = `${this.header}.${encode(claims)}`;
    return `${input}.${mac(this.ring.keys.get(this.ring.current)!, input)}`;
  }

  /** The claims of a token signed by a key of the ring; undefined for anything else. Claims are the caller's to check. */
  verify(token: string): Json | undefined {
    const parts = COMPACT_JWS.exec(token);
    if (!parts) return undefined;
    const [, header, claims, signature] = parts as unknown as [string, string, string, string];
    const key = keyFor(decode(header), { alg: 'HS256' }, this.ring.keys);
    if (!key || !equalStrings(mac(key, `${header}.${claims}`), signature)) return undefined;
    return decode(claims);
  }
}

/** Compact JWE, `dir` + A256GCM: sealed with the ring's current key, opened with any of its keys. */
export class SealedTokens {
  private readonly ring: ReturnType<typeof importRing>;
  private readonly header: string;

  constructor(ring: KeyRing) {
    this.ring = importRing(ring);
    this.header = encode({ alg: 'dir', enc: 'A256GCM', kid: this.ring.current });
  }

  seal(content: Json): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.ring.keys.get(this.ring.current)!, iv);
    // The protected header is the additional authenticated data (RFC 7516, 5.1).
    cipher.setAAD(Buffer.from(this.header, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(content), 'utf8'), cipher.final()]);
    return [this.header, '', iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** The content of a token sealed with a key of the ring and untouched since; undefined for anything else. */
  open(token: string): Json | undefined {
    const parts = COMPACT_JWE.exec(token);
    if (!parts) return undefined;
    const [, header, iv, ciphertext, tag] = parts as unknown as [string, string, string, string, string];
    const key = keyFor(decode(header), { alg: 'dir', enc: 'A256GCM' }, this.ring.keys);
    const [ivBytes, ciphertextBytes, tagBytes] = [iv, ciphertext, tag].map(canonical);
    if (!key || !ivBytes || !ciphertextBytes || !tagBytes) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: 16 });
      decipher.setAAD(Buffer.from(header, 'ascii'));
      decipher.setAuthTag(tagBytes);
      return decode(Buffer.concat([decipher.update(ciphertextBytes), decipher.final()]));
    } catch {
      return undefined;
    }
  }
}

/** The bytes of a base64url part, only when it is their one spelling (a last character's unused bits must be 0). */
function canonical(part: string): Buffer | undefined {
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

function mac(key: KeyObject, input: string): string {
  return createHmac('sha256', key).update(input).digest('base64url');
}
