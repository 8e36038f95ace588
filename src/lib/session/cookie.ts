/**
 * The session cookie: a compact JWS (HS256, `kid` header) whose claims are the
 * user key (`u`), the session secret (`s`) and the absolute expiry (`exp`).
 * That is what a point read needs (the document id is the secret's hash, the
 * partition is the user key) and nothing else about the user. Over https the
 * cookie is named with the `__Host-` prefix (Secure, Path=/, no Domain), so a
 * sibling subdomain cannot plant or overwrite it.
 *
 * It is read on every signed-in request, so it is made and checked with
 * node:crypto over keys imported once per instance (`cookie-tokens.ts`);
 * reading then checks a numeric `exp` in the future and the user key and
 * secret in the shape the session module makes them.
 *
 * @example
 * ```ts
 * const cookie = sessionCookie.issue({ userKey, secret }, expiresAt); // → HttpResponseInit cookie
 * const ref = sessionCookie.read(context.cookies);                    // undefined when absent or bad
 * ```
 */
import type { Cookie } from '@azure/functions';
import type { CookiePolicy, RequestCookies } from '../cookie';
import { SignedTokens } from '../cookie-tokens';
import type { KeyRing } from '../keys';
import { nowInSeconds } from './clock';
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
  private readonly tokens: SignedTokens;

  constructor(
    keys: KeyRing,
    private readonly policy: CookiePolicy,
  ) {
    this.name = policy.name();
    this.tokens = new SignedTokens(keys);
  }

  issue(credentials: SessionCredentials, expiresAtSeconds: number, nowSeconds = nowInSeconds()): Cookie {
    const token = this.tokens.sign({ u: credentials.userKey, s: credentials.secret, exp: expiresAtSeconds });
    return this.policy.set(this.name, token, Math.max(0, expiresAtSeconds - nowSeconds));
  }

  /** The session a valid, unexpired cookie signed by any listed key names; otherwise undefined. */
  read(cookies: RequestCookies): SessionRef | undefined {
    const token = cookies.get(this.name);
    const claims = token === undefined ? undefined : this.tokens.verify(token);
    if (!claims || typeof claims.exp !== 'number' || claims.exp <= nowInSeconds()) return undefined;
    const { u, s } = claims;
    if (typeof u !== 'string' || typeof s !== 'string' || !ID_PATTERN.test(u) || !ID_PATTERN.test(s)) return undefined;
    return { userKey: u, id: sessionIdOf(s) };
  }

  clear(): Cookie {
    return this.policy.expire(this.name);
  }
}
