/**
 * A form that posts to this app with the page's form token (see
 * `cross-site.ts`): one submit button, hidden fields, nothing else. It works
 * without JavaScript, and the token shows the form came from our own page.
 *
 * Tested by test/functions/home.test.ts and test/security/sessions-routes.test.ts.
 *
 * @example
 * ```ts
 * postForm('/api/logout', { token }, { id: 'sign-out', text: 'Sign out', kind: 'primary' });
 * ```
 */
import { html, type Html } from './html';

export interface FormButton {
  id: string;
  text: string;
  /** `primary` for the page's main action, `danger` for one that cannot be undone. */
  kind?: 'primary' | 'danger' | 'small';
}

export function postForm(action: string, fields: Record<string, string>, button: FormButton): Html {
  return html`<form class="inline" method="post" action="${action}">${Object.entries(fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}<button id="${button.id}"${button.kind ? html` class="${button.kind}"` : ''} type="submit">${button.text}</button></form>`;
}
