/**
 * The start page. Signed out it offers only what works signed out: sign in
 * and sign up (nothing that would answer with a 401). Signed in it shows who
 * the user is, the API call and sign-out, the ID token's claims as a table
 * (the JSON one click away), and where the user is signed in, with a way to
 * end each of those sessions, all others, or all.
 *
 * Tested by test/functions/home.test.ts and test/e2e/pages.test.ts.
 *
 * @example
 * ```ts
 * renderHomePage({ appName: 'Contoso' });
 * renderHomePage({ appName: 'Contoso' }, { session, sessions, token, apiUrl: config.downstream.url });
 * ```
 */
import type { Session, SessionSummary } from '../session';
import { claimRows } from './claims-table';
import { postForm } from './form';
import { urlFor } from '../routes';
import { html } from './html';
import { renderPage, type Frame } from './layout';

export interface SignedInHome {
  session: Pick<Session, 'claims'>;
  /** The user's sessions, newest first (see `Sessions.list`). */
  sessions: SessionSummary[];
  /** The form token of this session (see `cross-site.ts`). */
  token: string;
  /** What `/api/me` calls (`DOWNSTREAM_API_URL`). */
  apiUrl: string;
}

const text = (claims: Record<string, unknown>, name: string) => {
  const value = claims[name];
  return typeof value === 'string' && value.trim() ? value : undefined;
};

/** The user's name as pages greet them: the `name` claim, else how they sign in. */
export function displayName(claims: Record<string, unknown>): string | undefined {
  return text(claims, 'name') ?? text(claims, 'preferred_username') ?? text(claims, 'email');
}

/** "2026-11-24 16:30 UTC" */
const when = (isoTime: string) => `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)} UTC`;

function sessionRows(sessions: SessionSummary[], token: string) {
  return sessions.map(
    (entry) =>
      html`<tr data-session-id="${entry.id}"${entry.current ? html` id="current-session" class="current"` : ''}><td>${entry.device}</td><td>${when(entry.createdAt)}</td><td>${when(entry.lastSeenAt)}</td><td>${
        entry.current ? 'This device' : postForm(urlFor('home'), { token, end: entry.id }, { id: `end-${entry.id}`, text: 'Sign out', kind: 'small' })
      }</td></tr>\n`,
  );
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
<a id="sign-in" class="button primary" href="${urlFor('login', { query: { returnTo: urlFor('home') } })}">Sign in</a>
<a id="sign-up" class="button" href="${urlFor('login', { query: { prompt: 'create', returnTo: urlFor('home') } })}">Sign up</a>
</div>
</section>`,
    });
  }
  const { session, sessions, token, apiUrl } = signedIn;
  const { claims } = session;
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
<a id="call-api" class="button primary" href="${urlFor('me')}">Call the API</a>
${postForm(urlFor('logout'), { token }, { id: 'sign-out', text: 'Sign out' })}
</div>
</section>
<section class="card" id="id-token">
<h2>Your ID token</h2>
<p class="muted">What your tenant said about you when you signed in. <a id="claims" href="${urlFor('claims')}">View as JSON</a></p>
<div class="table-scroll"><table id="claims-table">
<thead><tr><th>Claim</th><th>Value</th><th class="meaning">Meaning</th></tr></thead>
<tbody>
${claimRows(claims)}</tbody>
</table></div>
</section>
<section class="card" id="where-signed-in">
<h2>Where you are signed in</h2>
<p class="muted">Each browser or device you signed in with. <a id="list-sessions" href="${urlFor('sessions')}">View as JSON</a></p>
<div class="table-scroll"><table id="sessions">
<thead><tr><th>Device</th><th>Signed in</th><th>Last seen</th><th></th></tr></thead>
<tbody>
${sessionRows(sessions, token)}</tbody>
</table></div>
<div class="actions">
${postForm(urlFor('home'), { token, end: 'others' }, { id: 'sign-out-others', text: 'Sign out of all other devices' })}
${postForm(urlFor('logout'), { token, everywhere: '1' }, { id: 'sign-out-everywhere', text: 'Sign out everywhere', kind: 'danger' })}
</div>
</section>`,
    },
  );
}
