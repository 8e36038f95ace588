/**
 * Cookies: reading the `Cookie` header, the attributes every cookie of ours
 * carries, and the signed session cookie.
 *
 * The session cookie holds a compact JWS (HS256, `kid` header) whose only
 * claims are the session id (`sid`) and the absolute expiry (`exp`): nothing
 * about the user lives in the browser. Over https the cookie is named with
 * the `__Host-` prefix (Secure, Path=/, no Domain), so a sibling subdomain
 * cannot plant or overwrite it.
 *
 * @example
 * ```ts
 * const cookie = await sessionCookie.issue(sessionId, expiresAt);  // → HttpResponseInit cookie
 * const sid = await sessionCookie.read(new RequestCookies(request.headers.get('cookie'))); // undefined when absent or bad
 * ```
 */
import type { Cookie } from '@azure/functions';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { KeyRing } from './keys';

const COOKIE_PREFIX = 'fnauth';
/** Session ids are 256 random bits in base64url (see `randomToken`); anything else is not ours. */
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Browsers drop cookies above 4 KB; anything near that is not ours. */
const MAX_COOKIE_VALUE = 4096;

/**
 * A request's `Cookie` header, parsed once. A name sent more than once means
 * someone planted a duplicate: {@link RequestCookies.get} then reads as no
 * cookie at all.
 */
export class RequestCookies {
  /** The names in the order the browser sent them (oldest first for the same path), each once. */
  readonly names: readonly string[];
  private readonly values = new Map<string, string[]>();

  constructor(header: string | null) {
    for (const pair of header ? header.split(';') : []) {
      const separator = pair.indexOf('=');
      if (separator < 0) continue;
      const name = pair.slice(0, separator).trim();
      if (!name) continue;
      let value = pair.slice(separator + 1).trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
      const existing = this.values.get(name);
      if (existing) existing.push(value);
      else this.values.set(name, [value]);
    }
    this.names = [...this.values.keys()];
  }

  /** Every value sent under `name`. */
  all(name: string): readonly string[] {
    return this.values.get(name) ?? [];
  }

  /** Exactly one value of a reasonable size, or undefined. */
  get(name: string): string | undefined {
    const values = this.all(name);
    return values.length === 1 && values[0]!.length <= MAX_COOKIE_VALUE ? values[0] : undefined;
  }
}

export class CookiePolicy {
  constructor(private readonly secure: boolean) {}

  /** `__Host-` needs Secure; plain-http localhost gets the bare name. */
  name(suffix = ''): string {
    return `${this.secure ? '__Host-' : ''}${COOKIE_PREFIX}${suffix}`;
  }

  set(name: string, value: string, maxAgeSeconds: number): Cookie {
    return { name, value, maxAge: maxAgeSeconds, path: '/', httpOnly: true, secure: this.secure, sameSite: 'Lax' };
  }

  expire(name: string): Cookie {
    return { ...this.set(name, '', 0), expires: new Date(0) };
  }
}

export class SessionCookie {
  readonly name: string;

  constructor(
    private readonly keys: KeyRing,
    private readonly policy: CookiePolicy,
  ) {
    this.name = policy.name();
  }

  async issue(sessionId: string, expiresAtSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<Cookie> {
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', kid: this.keys.current.kid })
      .setExpirationTime(expiresAtSeconds)
      .sign(this.keys.current.key);
    return this.policy.set(this.name, token, Math.max(0, expiresAtSeconds - nowSeconds));
  }

  /** The session id from a valid, unexpired cookie signed by any listed key; otherwise undefined. */
  async read(cookies: RequestCookies): Promise<string | undefined> {
    const token = cookies.get(this.name);
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const match = this.keys.find(header.kid);
          if (!match) throw new joseErrors.JWKSNoMatchingKey();
          return match.key;
        },
        { algorithms: ['HS256'], requiredClaims: ['exp', 'sid'] },
      );
      return typeof payload.sid === 'string' && SESSION_ID_PATTERN.test(payload.sid) ? payload.sid : undefined;
    } catch {
      return undefined;
    }
  }

  clear(): Cookie {
    return this.policy.expire(this.name);
  }
}
