/**
 * Cookies: reading the `Cookie` header, and the attributes every cookie of
 * ours carries (the session cookie itself lives in `session/cookie.ts`).
 *
 * @example
 * ```ts
 * const policy = new CookiePolicy(config.cookie.secure);
 * policy.set(policy.name('-tx-abc'), value, 600); // HttpOnly, SameSite=Lax, Path=/
 * readSingleCookie(request.headers.get('cookie'), policy.name()); // undefined if absent, duplicated or oversized
 * ```
 */
import type { Cookie } from '@azure/functions';

const COOKIE_PREFIX = 'fnauth';
/** Browsers drop cookies above 4 KB; anything near that is not ours. */
const MAX_COOKIE_VALUE = 4096;

/**
 * Every value sent under `name`. More than one means someone planted a
 * duplicate, which callers treat as no cookie at all.
 */
export function readCookie(header: string | null, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue;
    let value = pair.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    values.push(value);
  }
  return values;
}

/** The names in a `Cookie` header, in the order the browser sent them (oldest first for the same path). */
export function cookieNames(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((pair) => pair.slice(0, Math.max(0, pair.indexOf('='))).trim())
    .filter(Boolean);
}

/** Exactly one value of a reasonable size, or undefined. */
export function readSingleCookie(header: string | null, name: string): string | undefined {
  const values = readCookie(header, name);
  return values.length === 1 && values[0]!.length <= MAX_COOKIE_VALUE ? values[0] : undefined;
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
