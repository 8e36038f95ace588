/**
 * Signing out: the session and its token cache are deleted, the cookie is
 * expired, and the browser goes on to the tenant's end-session endpoint so
 * the Entra session ends too. Idempotent: a caller without a session is
 * simply sent on.
 *
 * @example
 * ```ts
 * const { location, cookie } = await signOut(runtime, request.headers.get('cookie'));
 * ```
 */
import type { Cookie } from '@azure/functions';
import type { Runtime } from './runtime';

export async function signOut(runtime: Runtime, cookieHeader: string | null): Promise<{ location: string; cookie: Cookie }> {
  const { config } = runtime;
  const sessionId = await runtime.sessionCookie.read(cookieHeader);
  let hints: { idToken?: string; loginHint?: string } = {};
  if (sessionId) {
    const { sessions, tokenCaches } = await runtime.stores();
    const session = await sessions.get(sessionId);
    if (session) {
      hints = {
        idToken: session.idToken,
        loginHint: typeof session.claims.login_hint === 'string' ? session.claims.login_hint : undefined,
      };
    }
    await Promise.all([sessions.delete(sessionId), tokenCaches.delete(sessionId)]);
  }
  const { metadata } = await runtime.identity();
  const location = endSessionUrl(metadata.end_session_endpoint, config.postLogoutRedirectUri, hints);
  return { location, cookie: runtime.sessionCookie.clear() };
}

function endSessionUrl(endpoint: string | undefined, postLogoutRedirectUri: string, hints: { idToken?: string; loginHint?: string }): string {
  if (!endpoint) return postLogoutRedirectUri;
  const url = new URL(endpoint);
  url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
  if (hints.idToken) url.searchParams.set('id_token_hint', hints.idToken);
  if (hints.loginHint) url.searchParams.set('logout_hint', hints.loginHint);
  return url.href;
}
