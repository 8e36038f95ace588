/**
 * The session cookie: a compact JWS (HS256, `kid` header) whose claims are the
 * user key (`u`), the session secret (`s`) and the absolute expiry (`exp`).
 * That is what a point read needs (the document id is the secret's hash, the
 * partition is the user key) and nothing else about the user. Over https the
 * cookie is named with the `__Host-` prefix (Secure, Path=/, no Domain), so a
 * sibling subdomain cannot plant or overwrite it.
 *
 * @example
 * ```ts
 * const cookie = await sessionCookie.issue({ userKey, secret }, expiresAt); // → HttpResponseInit cookie
 * const ref = await sessionCookie.read(context.cookies);                    // undefined when absent or bad
 * ```
 */
import type { Cookie } from '@azure/functions';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { CookiePolicy, RequestCookies } from '../cookie';
import type { KeyRing } from '../keys';
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

export class SessionCookie {
  readonly name: string;

  constructor(
    private readonly keys: KeyRing,
    private readonly policy: CookiePolicy,
  ) {
    this.name = policy.name();
  }

  /** Each request's cookie is verified once, however many steps ask for it. */
  private readonly verified = new WeakMap<RequestCookies, Promise<SessionRef | undefined>>();

  async issue(credentials: SessionCredentials, expiresAtSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<Cookie> {
    const token = await new SignJWT({ u: credentials.userKey, s: credentials.secret })
      .setProtectedHeader({ alg: 'HS256', kid: this.keys.current.kid })
      .setExpirationTime(expiresAtSeconds)
      .sign(this.keys.current.key);
    return this.policy.set(this.name, token, Math.max(0, expiresAtSeconds - nowSeconds));
  }

  /** The session a valid, unexpired cookie signed by any listed key names; otherwise undefined. */
  read(cookies: RequestCookies): Promise<SessionRef | undefined> {
    let ref = this.verified.get(cookies);
    if (!ref) {
      ref = this.verify(cookies.get(this.name));
      this.verified.set(cookies, ref);
    }
    return ref;
  }

  private async verify(token: string | undefined): Promise<SessionRef | undefined> {
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const match = this.keys.find(header.kid);
          if (!match) throw new joseErrors.JWKSNoMatchingKey();
          return match.key;
        },
        { algorithms: ['HS256'], requiredClaims: ['exp', 'u', 's'] },
      );
      const { u, s } = payload;
      if (typeof u !== 'string' || typeof s !== 'string' || !ID_PATTERN.test(u) || !ID_PATTERN.test(s)) return undefined;
      return { userKey: u, id: sessionIdOf(s) };
    } catch {
      return undefined;
    }
  }

  clear(): Cookie {
    return this.policy.expire(this.name);
  }
}
