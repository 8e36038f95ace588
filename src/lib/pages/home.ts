/**
 * The start page. Signed out it offers only what works signed out: sign in
 * and sign up (nothing that would answer with a 401). Signed in it shows who
 * the user is, the ID token's claims as a table with the JSON one click
 * away, the API call, and sign-out.
 *
 * @example
 * ```ts
 * renderHomePage({ appName: 'Contoso' });
 * renderHomePage({ appName: 'Contoso' }, { claims: session.claims, apiUrl: config.downstream.url });
 * ```
 */
import { claimRows } from './claims-table';
import { html } from './html';
import { renderPage, type Frame } from './layout';

const SIGN_IN = '/api/login?returnTo=%2Fapi%2Fhome';
const SIGN_UP = '/api/login?prompt=create&returnTo=%2Fapi%2Fhome';

export interface SignedInHome {
  /** The verified ID token claims of the session. */
  claims: Record<string, unknown>;
  /** What `/api/me` calls (`DOWNSTREAM_API_URL`). */
  apiUrl: string;
}

const text = (claims: Record<string, unknown>, name: string) => {
  const value = claims[name];
  return typeof value === 'string' && value.trim() ? value : undefined;
};

/** The user's name as the page greets them: the `name` claim, else how they sign in. */
export function displayName(claims: Record<string, unknown>): string | undefined {
  return text(claims, 'name') ?? text(claims, 'preferred_username') ?? text(claims, 'email');
}

export function renderHomePage(frame: Pick<Frame, 'appName'>, signedIn?: SignedInHome): string {
  if (!signedIn) {
    return renderPage(frame, {
      page: 'home',
      title: 'Welcome',
      main: html`<section class="card">
<h1>Welcome to ${frame.appName}</h1>
<p class="lead">Sign in with your account, or create one in a minute: all it takes is an email address.</p>
<p id="signed-out" class="muted">You are not signed in.</p>
<div class="actions">
<a id="sign-in" class="button primary" href="${SIGN_IN}">Sign in</a>
<a id="sign-up" class="button" href="${SIGN_UP}">Sign up</a>
</div>
</section>`,
    });
  }
  const { claims, apiUrl } = signedIn;
  const name = displayName(claims);
  const account = text(claims, 'email') ?? text(claims, 'preferred_username');
  return renderPage(
    { ...frame, user: name },
    {
      page: 'home',
      title: 'Home',
      main: html`<section class="card">
<h1 id="signed-in">Hello${name ? html`, ${name}` : ''}</h1>
<p class="lead">You are signed in${account && account !== name ? html` as <strong id="account">${account}</strong>` : ''}.</p>
<p class="muted" id="api-description"><strong>Call the API</strong> asks <code>${apiUrl}</code> about you with an access token from your session's token cache, and shows its answer.</p>
<div class="actions">
<a id="call-api" class="button primary" href="/api/me">Call the API</a>
<a id="sign-out" class="button" href="/api/logout">Sign out</a>
</div>
</section>
<section class="card" id="id-token">
<h2>Your ID token</h2>
<p class="muted">What your tenant said about you when you signed in. <a id="claims" href="/api/claims">View as JSON</a></p>
<div class="table-scroll"><table id="claims-table">
<thead><tr><th>Claim</th><th>Value</th><th class="meaning">Meaning</th></tr></thead>
<tbody>
${claimRows(claims)}</tbody>
</table></div>
</section>`,
    },
  );
}
