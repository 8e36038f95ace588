/**
 * Signing out: the session ends here (this device, or every session of the
 * user with `everywhere`), the cookie is expired, and the browser goes on to
 * the tenant's end-session endpoint so the Entra session ends too.
 * Idempotent: a caller without a session is simply sent on.
 *
 * The account to sign out at the tenant is named by `logout_hint` (the ID
 * token's `login_hint` claim, Entra's recommendation). Only when the token
 * had no `login_hint` does the whole ID token go in the URL (`id_token_hint`):
 * it carries the user's name and e-mail address into browser history and the
 * tenant's logs, so the session keeps it only in that case. Without either,
 * Entra asks the user which account to sign out.
 *
 * Tested by test/functions/logout.test.ts.
 *
 * @example
 * ```ts
 * const { location, cookie } = await signOut(runtime, context.cookies, { everywhere: false });
 * ```
 */
import type { Cookie } from '@azure/functions';
import type { RequestCookies } from './cookie';
import type { Runtime } from './runtime';
import type { Session } from './session';

export async function signOut(
  runtime: Runtime,
  cookies: RequestCookies,
  options: { everywhere: boolean },
): Promise<{ location: string; cookie: Cookie }> {
  const { sessions } = runtime;
  const ref = sessions.ref(cookies);
  // Read first: the session's claims name the account to sign out at the tenant.
  const session = ref && (await sessions.resume(cookies, { slide: false }));
  if (session && options.everywhere) await sessions.endUser(session.userKey);
  else if (ref) await sessions.end(ref);
  const { metadata } = await runtime.identity();
  return { location: endSessionUrl(metadata.end_session_endpoint, runtime.config.postLogoutRedirectUri, session), cookie: sessions.clearCookie() };
}

function endSessionUrl(endpoint: string | undefined, postLogoutRedirectUri: string, session: Session | undefined): string {
  if (!endpoint) return postLogoutRedirectUri;
  const url = new URL(endpoint);
  url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
  const loginHint = session?.claims.login_hint;
  if (typeof loginHint === 'string') url.searchParams.set('logout_hint', loginHint);
  else if (session?.idToken) url.searchParams.set('id_token_hint', session.idToken);
  return url.href;
}
