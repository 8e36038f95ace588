/**
 * Cookies: reading the `Cookie` header, and the attributes every cookie of
 * ours carries (the session cookie itself lives in `session/cookie.ts`).
 *
 * @example
 * ```ts
 * const policy = new CookiePolicy(config.cookie.secure);
 * policy.set(policy.name('-tx-abc'), value, 600); // HttpOnly, SameSite=Lax, Path=/
 * new RequestCookies(request.headers.get('cookie')).get(policy.name()); // undefined if absent, duplicated or oversized
 * ```
 */
import type { Cookie } from '@azure/functions';

const COOKIE_PREFIX = 'fnauth';
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
