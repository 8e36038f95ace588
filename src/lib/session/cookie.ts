/**
 * The session cookie: a compact JWS (HS256, `kid` header) whose claims are the
 * user key (`u`), the session secret (`s`) and the absolute expiry (`exp`).
 * That is what a point read needs (the document id is the secret's hash, the
 * partition is the user key) and nothing else about the user. Over https the
 * cookie is named with the `__Host-` prefix (Secure, Path=/, no Domain), so a
 * sibling subdomain cannot plant or overwrite it.
 *
 * It is read on every signed-in request, so it is signed and verified with
 * node:crypto's HMAC over keys imported once per instance, not through a
 * general JOSE library (which imported the key and went through WebCrypto on
 * every call: about 15 times the CPU). The format stays standard JWS, and
 * reading checks what a JWT verifier would for this one shape: only
 * canonical base64url parts, a JSON object header with `alg` exactly HS256,
 * no `crit`, a `kid` of the ring, the signature compared in constant time
 * (before the claims are parsed), then a numeric `exp` in the future and the
 * user key and secret in the shape the session module makes them.
 *
 * @example
 * ```ts
 * const cookie = sessionCookie.issue({ userKey, secret }, expiresAt); // → HttpResponseInit cookie
 * const ref = sessionCookie.read(request.headers.get('cookie'));     // undefined when absent or bad
 * ```
 */
import type { Cookie } from '@azure/functions';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { readSingleCookie, type CookiePolicy } from '../cookie';
import type { KeyRing } from '../keys';
import { equalStrings } from '../random';
import { ID_PATTERN, sessionIdOf } from './ids';

/** What the cookie names: enough to find the session, nothing to read about the user. */
export interface SessionRef {
  userKey: string;
  /** The session document's id: the hash of the secret the cookie carries. */
  id: string;
}

export interface SessionCredentials {
  userKey: string;
  secret: string;
}

/** Header, claims and signature in canonical base64url (no padding, nothing else); HS256 signatures are 43 characters. */
const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JSON object, or undefined for anything else (bad base64url was refused before). */
function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class SessionCookie {
  readonly name: string;
  /** The encoded protected header of new cookies, and the key that signs them. */
  private readonly signing: { header: string; key: KeyObject };
  /** Every listed key by its id: each still verifies. */
  private readonly verifying: Map<string, KeyObject>;

  constructor(
    keys: KeyRing,
    private readonly policy: CookiePolicy,
  ) {
    this.name = policy.name();
    this.verifying = new Map(keys.all.map(({ kid, key }) => [kid, createSecretKey(key)]));
    this.signing = { header: base64url({ alg: 'HS256', kid: keys.current.kid }), key: this.verifying.get(keys.current.kid)! };
  }

  issue(credentials: SessionCredentials, expiresAtSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Cookie {
    const input = `${this.signing.header}.${base64url({ u: credentials.userKey, s: credentials.secret, exp: expiresAtSeconds })}`;
    const token = `${input}.${mac(this.signing.key, input)}`;
    return this.policy.set(this.name, token, Math.max(0, expiresAtSeconds - nowSeconds));
  }

  /** The session a valid, unexpired cookie signed by any listed key names; otherwise undefined. */
  read(cookieHeader: string | null, nowSeconds = Math.floor(Date.now() / 1000)): SessionRef | undefined {
    const token = readSingleCookie(cookieHeader, this.name);
    const parts = token === undefined ? null : COMPACT_JWS.exec(token);
    if (!parts) return undefined;
    const [, encodedHeader, encodedClaims, signature] = parts as unknown as [string, string, string, string];
    const header = jsonObject(encodedHeader);
    if (!header || header.alg !== 'HS256' || 'crit' in header || typeof header.kid !== 'string') return undefined;
    const key = this.verifying.get(header.kid);
    if (!key || !equalStrings(mac(key, `${encodedHeader}.${encodedClaims}`), signature)) return undefined;
    const claims = jsonObject(encodedClaims);
    if (!claims || typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return undefined;
    const { u, s } = claims;
    if (typeof u !== 'string' || typeof s !== 'string' || !ID_PATTERN.test(u) || !ID_PATTERN.test(s)) return undefined;
    return { userKey: u, id: sessionIdOf(s) };
  }

  clear(): Cookie {
    return this.policy.expire(this.name);
  }
}

function mac(key: KeyObject, input: string): string {
  return createHmac('sha256', key).update(input).digest('base64url');
}
