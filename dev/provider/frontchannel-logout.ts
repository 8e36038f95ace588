/**
 * Front-channel logout as Entra does it: when the user signs out at the tenant, the sign-out page
 * loads the *Front-channel logout URL* of every app that signed in through that tenant session in
 * a hidden iframe, with `?sid=<the session's sid>&iss=<issuer>`, then goes on to the
 * `post_logout_redirect_uri`. The iframes are cross-site, so the app's `SameSite=Lax` cookies do
 * not come along: the app has to find its session by `sid`.
 *
 * oidc-provider 9 dropped its front-channel feature. This middleware (for `provider.use`) takes
 * over the answer of a completed sign-out (`end_session_confirm`, a 303 to where the user goes
 * next): when any app of the ended session registered a front-channel URL, the answer becomes
 * the page with the iframes, which continues to the same place once they have loaded, or after
 * {@link FRONTCHANNEL_WAIT_MS} at the latest. Without JavaScript the user clicks "Continue".
 *
 * @example
 * ```ts
 * provider.use(frontchannelLogout({ clients, issuer }));
 * ```
 */
import { randomBytes } from 'node:crypto';
import type * as Oidc from 'oidc-provider';
import type { ProviderClient } from './configuration';
import { frontchannelLogoutPage } from './pages';
import { sessionSid } from './ids';

/** How long the sign-out page waits for the apps' front-channel URLs before it goes on anyway. */
export const FRONTCHANNEL_WAIT_MS = 5000;

export function frontchannelLogout(deps: { clients: readonly ProviderClient[]; issuer: string }) {
  const registered = new Map(deps.clients.flatMap((client) => (client.frontchannelLogoutUri ? [[client.clientId, client] as const] : [])));

  return async (ctx: Oidc.KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    if (ctx.oidc?.route !== 'end_session_confirm' || ctx.status !== 303) return;
    const session = ctx.oidc.session;
    // Only a complete sign-out ends the session; `logout` without "yes" signs out of one app.
    if (!session || !(session as { destroyed?: boolean }).destroyed) return;
    const sid = sessionSid(session.uid);
    const frames = Object.keys(session.authorizations ?? {}).flatMap((clientId) => {
      const client = registered.get(clientId);
      if (!client?.frontchannelLogoutUri) return [];
      const src = new URL(client.frontchannelLogoutUri);
      src.searchParams.set('sid', sid);
      src.searchParams.set('iss', deps.issuer);
      return [{ src: src.href, clientName: client.clientName ?? client.clientId }];
    });
    if (frames.length === 0) return;

    const continueTo = ctx.response.get('location');
    const nonce = randomBytes(16).toString('base64');
    const frameOrigins = [...new Set(frames.map((frame) => new URL(frame.src).origin))];
    ctx.remove('location');
    ctx.status = 200;
    ctx.type = 'html';
    ctx.set(
      'content-security-policy',
      `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; frame-src ${frameOrigins.join(' ')}; ` +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    ctx.set('x-frame-options', 'DENY');
    ctx.body = frontchannelLogoutPage({ frames, continueTo, nonce, waitMs: FRONTCHANNEL_WAIT_MS });
  };
}

/** Why `uri` cannot be a front-channel logout URL (Entra's rules), or undefined when it can. */
export function frontchannelLogoutUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URL';
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) return 'must use https (http only on localhost)';
  if (url.hash) return 'must not have a fragment';
  return undefined;
}
