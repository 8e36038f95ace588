/**
 * Signing out: the session and its token cache are deleted, the cookie is
 * expired, and the browser goes on to the tenant's end-session endpoint so
 * the Entra session ends too. Idempotent: a caller without a session is
 * simply sent on.
 *
 * Another site must not be able to sign users out (the session cookie is
 * SameSite=Lax, so a cross-site link would carry it): a request the browser
 * marks as cross-site gets a confirmation page instead, whose button posts
 * from our own origin.
 *
 * @example
 * ```ts
 * if (isCrossSiteRequest(request.headers, config.appOrigin)) return confirmationPage;
 * const { location, cookie } = await signOut(runtime, context.cookies);
 * ```
 */
import type { Cookie } from '@azure/functions';
import type { RequestCookies } from './cookie';
import type { Runtime } from './runtime';
import type { SessionRecord } from './session';

/**
 * True when the browser says the request came from another site
 * (`Sec-Fetch-Site`), or, for browsers without it, when `Origin` names
 * another origin. Non-browser clients send neither and are not cross-site.
 */
export function isCrossSiteRequest(headers: { get(name: string): string | null }, appOrigin: string): boolean {
  const site = headers.get('sec-fetch-site');
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = headers.get('origin');
  return origin !== null && origin !== appOrigin;
}

export async function signOut(runtime: Runtime, cookies: RequestCookies): Promise<{ location: string; cookie: Cookie }> {
  const sessionId = await runtime.sessionCookie.read(cookies);
  let session: SessionRecord | undefined;
  if (sessionId) {
    // Read first: the session's ID token names the account to sign out at the tenant.
    session = await (await runtime.stores()).sessions.get(sessionId);
    await deleteSession(runtime, sessionId);
  }
  const { metadata } = await runtime.identity();
  const location = endSessionUrl(metadata.end_session_endpoint, runtime.config.postLogoutRedirectUri, session);
  return { location, cookie: runtime.sessionCookie.clear() };
}

/** Deletes a session and its token cache: two deletes, no read. */
export async function deleteSession(runtime: Runtime, sessionId: string): Promise<void> {
  const { sessions, tokenCaches } = await runtime.stores();
  await Promise.all([sessions.delete(sessionId), tokenCaches.delete(sessionId)]);
}

/**
 * `logout_hint` (Entra's recommendation) when the ID token carried a
 * `login_hint` claim; otherwise `id_token_hint`, so Entra can still tell
 * which account to sign out without asking.
 */
function endSessionUrl(endpoint: string | undefined, postLogoutRedirectUri: string, session: SessionRecord | undefined): string {
  if (!endpoint) return postLogoutRedirectUri;
  const url = new URL(endpoint);
  url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
  const loginHint = session?.claims.login_hint;
  if (typeof loginHint === 'string') url.searchParams.set('logout_hint', loginHint);
  else if (session) url.searchParams.set('id_token_hint', session.idToken);
  return url.href;
}
