/**
 * Sign-out pages. The confirmation is shown when the browser did not show
 * that our own page asked to sign out: only a click here signs out. The
 * front-channel page is what the tenant's sign-out page loads, hidden, in a
 * frame: empty, without even the stylesheet.
 *
 * Tested by test/functions/logout.test.ts, test/functions/frontchannel-logout.test.ts and test/e2e/sessions.test.ts.
 *
 * @example
 * ```ts
 * return page(renderSignOutConfirmation({ appName }, { token, everywhere: false }), { securityPolicy: pageSecurityPolicy(metadata) });
 * ```
 */
import { urlFor } from '../routes';
import { postForm } from './form';
import { html } from './html';
import { renderPage, type Frame } from './layout';

export function renderSignOutConfirmation(frame: Frame, options: { token: string; everywhere: boolean }): string {
  const fields: Record<string, string> = { token: options.token, ...(options.everywhere ? { everywhere: '1' } : {}) };
  return renderPage(frame, {
    page: 'sign-out',
    title: 'Sign out?',
    main: html`<section class="card">
<h1>${options.everywhere ? html`Sign out of ${frame.appName} everywhere?` : html`Sign out of ${frame.appName}?`}</h1>
<p>${options.everywhere ? 'A request was made to sign you out on every device.' : 'A request was made to sign you out.'} If you did not ask for it, stay signed in.</p>
<div class="actions">
${postForm(urlFor('logout'), fields, { id: 'confirm-sign-out', text: 'Sign out', kind: 'primary' })}
<a id="stay-signed-in" class="button" href="${urlFor('home')}">Stay signed in</a>
</div>
</section>`,
  });
}

export function renderFrontChannelPage(): string {
  return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body></body></html>';
}
