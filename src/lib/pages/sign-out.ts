/**
 * Sign-out pages. The confirmation is shown when another site sent the
 * browser to sign out: only a click on our own page signs out.
 *
 * @example
 * ```ts
 * return htmlPage(renderSignOutConfirmation({ appName }), pageSecurityPolicy());
 * ```
 */
import { html } from './html';
import { renderPage, type Frame } from './layout';

export function renderSignOutConfirmation(frame: Frame): string {
  return renderPage(frame, {
    page: 'sign-out',
    title: 'Sign out?',
    main: html`<section class="card">
<h1>Sign out of ${frame.appName}?</h1>
<p>Another site asked to sign you out. If you did not mean to sign out, stay signed in.</p>
<div class="actions">
<form class="inline" method="post" action="/api/logout"><button id="confirm-sign-out" class="primary" type="submit">Sign out</button></form>
<a id="stay-signed-in" class="button" href="/api/home">Stay signed in</a>
</div>
</section>`,
  });
}
