/**
 * Which requests may change state with a cookie. The session cookie is
 * SameSite=Lax, so a link or a form on another site would carry it.
 *
 * - The browser says where a request came from: `Sec-Fetch-Site`, or, in
 *   browsers without it, `Origin`. A request either names our own origin
 *   (same-origin), names anything else (cross-site: another site, a sibling
 *   subdomain, `Origin: null`), or carries neither (unknown: older Safari,
 *   Firefox and Chrome on a plain link, or a client that is not a browser).
 * - Form posts from our own pages also carry a **form token**, an HMAC of the
 *   session id under a key from `COOKIE_SECRETS`, so that browsers that send
 *   neither header can still prove the form is ours. Another site cannot read
 *   it. A signed-out browser gets the token of "no session": there is nothing
 *   of ours left to protect, and the tenant's end-session page decides alone.
 *
 * A form post is accepted when the request is same-origin, or unknown with a
 * valid token. `DELETE` needs no token: another origin meets a CORS preflight
 * that nothing here ever allows, so a browser never sends it; a cross-site
 * one is refused all the same.
 *
 * @example
 * ```ts
 * const site = requestSite(request.headers, config.appOrigin);
 * if (!acceptsFormPost(site, formTokens.verify(ref?.id, form.get('token')))) return confirmationPage;
 * ```
 */
import { createHmac } from 'node:crypto';
import { AppError } from './errors';
import type { KeyRing } from './keys';
import { equalStrings } from './random';

export type RequestSite = 'same-origin' | 'cross-site' | 'unknown';

export function requestSite(headers: { get(name: string): string | null }, appOrigin: string): RequestSite {
  const site = headers.get('sec-fetch-site');
  // "none": the user typed the address or opened a bookmark, which is theirs to do.
  if (site) return site === 'same-origin' || site === 'none' ? 'same-origin' : 'cross-site';
  const origin = headers.get('origin');
  if (origin !== null) return origin === appOrigin ? 'same-origin' : 'cross-site';
  return 'unknown';
}

export function acceptsFormPost(site: RequestSite, validToken: boolean): boolean {
  return site === 'same-origin' || (site === 'unknown' && validToken);
}

/** For API calls that change state (`DELETE`): a browser on another site is refused outright. */
export function refuseCrossSite(headers: { get(name: string): string | null }, appOrigin: string): void {
  if (requestSite(headers, appOrigin) === 'cross-site') {
    throw new AppError('cross_site_request');
  }
}

export class FormTokens {
  constructor(private readonly keys: KeyRing) {}

  /** The token our pages put in their forms for this session (or for none). */
  issue(sessionId: string | undefined): string {
    return this.mac(this.keys.current.key, sessionId);
  }

  /** Any listed key verifies, so rotating `COOKIE_SECRETS` breaks no open page. */
  verify(sessionId: string | undefined, token: string | null | undefined): boolean {
    if (!token || token.length > 64) return false;
    return this.keys.all.some((key) => equalStrings(this.mac(key.key, sessionId), token));
  }

  private mac(key: Uint8Array, sessionId: string | undefined): string {
    return createHmac('sha256', key).update(`form\n${sessionId ?? ''}`).digest('base64url');
  }
}
