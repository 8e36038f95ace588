/**
 * The page a browser gets for an error: in plain words what happened, then
 * what to do next, in the app's layout. Signing in again is offered where it
 * is the way forward; a way home is always there. It knows whether the user
 * is signed in: a sign-in page used a second time (Back, a bookmark, a
 * reload) tells a signed-in user so, instead of asking them to sign in.
 *
 * @example
 * ```ts
 * renderErrorPage({ appName }, { code: 'transaction_reused', status: 400, detail, signedIn: { name: 'Alice' } });
 * ```
 */
import { isSetupMistake, type ErrorCode } from '../errors';
import { urlFor } from '../routes';
import { html } from './html';
import { renderPage, type Frame } from './layout';

export interface ErrorPage {
  code: ErrorCode;
  status: number;
  /** The sentence for a person (may hold line breaks: a settings message lists one setting a line). */
  detail: string;
  /** Where "Sign in again" leads; without it, the page offers sign-in only where that is the way forward. */
  loginUrl?: string;
  /** Present when the request carries a live session, with the user's name when the ID token has one. */
  signedIn?: { name?: string };
}

/** Errors of a sign-in that was already finished, or lost: a signed-in user has nothing left to do. */
const SIGN_IN_SPENT = new Set<ErrorCode>(['transaction_missing', 'transaction_expired', 'state_mismatch', 'transaction_reused', 'code_redemption_failed']);

/** Errors that signing in (again) fixes. */
const SIGN_IN_FIXES = new Set<ErrorCode>([...SIGN_IN_SPENT, 'access_denied', 'authorization_failed', 'invalid_id_token', 'not_signed_in', 'interaction_required']);

/** The page's heading: what happened, in a few plain words. */
function headline(error: ErrorPage): string {
  if (SIGN_IN_SPENT.has(error.code) || error.code === 'invalid_id_token' || error.code === 'authorization_failed') return 'We could not sign you in';
  if (error.code === 'access_denied') return 'Sign-in was cancelled';
  if (error.code === 'not_signed_in' || error.code === 'interaction_required') return 'Please sign in';
  if (error.code === 'invalid_return_to' || error.code === 'invalid_request') return 'This link does not work';
  if (isSetupMistake(error.code)) return 'Sign-in is not set up correctly';
  if (error.status === 403) return 'You cannot do this here';
  if (error.status === 503) return 'Please try again in a moment';
  if (error.status === 502) return 'Another service did not answer as expected';
  if (error.status >= 500) return 'Something went wrong on our side';
  return 'This did not work';
}

export function renderErrorPage(frame: Pick<Frame, 'appName'>, error: ErrorPage): string {
  const { signedIn } = error;
  const as = signedIn?.name ? html` as <strong>${signedIn.name}</strong>` : '';
  const signInAgain = !signedIn && (error.loginUrl !== undefined || SIGN_IN_FIXES.has(error.code));
  const home = html`<a id="back-home" class="button${signInAgain ? '' : ' primary'}" href="${urlFor('home')}">${signedIn ? 'Continue' : 'Back to home'}</a>`;
  const actions = signInAgain
    ? html`<a id="sign-in-again" class="button primary" href="${error.loginUrl ?? urlFor('login', { query: { returnTo: urlFor('home') } })}">Sign in again</a>\n${home}`
    : home;
  const alreadySignedIn = signedIn !== undefined && SIGN_IN_SPENT.has(error.code);
  const title = alreadySignedIn ? 'You are already signed in' : headline(error);
  const lines = error.detail.split('\n');
  const explanation = alreadySignedIn
    ? html`<p class="lead" id="already-signed-in">You are already signed in${as}. This sign-in page was used before, so there is nothing more to do here.</p>`
    : html`<p class="lead" id="error-detail">${lines.map((line, index) => html`${index > 0 ? html`<br>` : ''}${line}`)}</p>
${signedIn ? html`<p id="still-signed-in">You are still signed in${as}.</p>` : ''}`;
  return renderPage(
    { ...frame, user: signedIn?.name },
    {
      page: 'error',
      title,
      main: html`<section class="card">
<h1 id="error-title">${title}</h1>
${explanation}
<div class="actions">
${actions}
</div>
<p class="error-code" id="error-code">Error code: ${error.code}</p>
</section>`,
    },
  );
}
