/**
 * The app's own pages: the start page (who is signed in, where, and links to
 * every endpoint, as the Entra browser samples have), the sign-out
 * confirmation, the empty page of front-channel logout, and the error page.
 * Plain HTML, no script; every value from a token or a request is escaped,
 * and every link comes from the route table (`urlFor`).
 *
 * Their forms post to our own origin, and sign-out answers with a redirect to
 * the tenant's end-session endpoint. Chromium checks that redirect against
 * the page's `form-action`, so the policy names the tenant's end-session
 * origin too: without it the app session would end and the tenant's would not.
 *
 * Tested by test/functions/home.test.ts, test/functions/logout.test.ts and test/lib/errors.test.ts (the error page).
 *
 * @example
 * ```ts
 * return page(renderSignOutConfirmation({ token, everywhere: false }), { securityPolicy: pageSecurityPolicy(identity.metadata) });
 * ```
 */
import type { OpenIdMetadata } from './authority';
import { escapeHtml } from './html';
import { urlFor } from './routes';
import type { Session, SessionSummary } from './session';

/** No script, nothing loaded from elsewhere, forms only to us and to the tenant's sign-out, never framed. */
export function pageSecurityPolicy(metadata: Pick<OpenIdMetadata, 'end_session_endpoint'>): string {
  const formTargets = ["'self'", ...(metadata.end_session_endpoint ? [new URL(metadata.end_session_endpoint).origin] : [])];
  return `default-src 'none'; style-src 'unsafe-inline'; form-action ${formTargets.join(' ')}; frame-ancestors 'none'`;
}

/** The front-channel logout page: framed by the tenant's sign-out page only. */
export function frameablePolicy(tenantOrigins: string[]): string {
  return `default-src 'none'; frame-ancestors ${tenantOrigins.join(' ')}`;
}

const STYLE =
  '<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;line-height:1.5}li{margin:.4rem 0}' +
  'table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd}form{display:inline}</style>';

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${STYLE}
</head>
<body>
${body}
</body>
</html>`;
}

/** A form that posts to our own origin with the page's form token. */
function form(action: string, fields: Record<string, string>, button: { id: string; text: string }): string {
  const hidden = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<form method="post" action="${action}">${hidden}<button id="${button.id}" type="submit">${escapeHtml(button.text)}</button></form>`;
}

/** Shown when the browser did not show that our own page asked: only a click here signs out. */
export function renderSignOutConfirmation(options: { token: string; everywhere: boolean }): string {
  const fields: Record<string, string> = { token: options.token, ...(options.everywhere ? { everywhere: '1' } : {}) };
  return layout(
    'Sign out?',
    `<h1>Sign out?</h1>
<p>${options.everywhere ? 'A request was made to sign you out on every device.' : 'A request was made to sign you out of this app.'} If you did not ask for it, stay signed in.</p>
${form(urlFor('logout'), fields, { id: 'confirm-sign-out', text: 'Sign out' })}
<p><a href="${urlFor('home')}">Stay signed in</a></p>`,
  );
}

/** Front-channel logout answers an empty page (no style either): the tenant's sign-out page loads it, hidden, in a frame. */
export function renderFrontChannelPage(): string {
  return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body></body></html>';
}

const claim = (session: Session, name: string) => {
  const value = session.claims[name];
  return typeof value === 'string' ? value : undefined;
};

/** "2026-11-24 16:30 UTC" */
const when = (isoTime: string) => `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)} UTC`;

export interface SignedInHome {
  session: Session;
  /** The user's sessions, newest first (see `Sessions.list`). */
  sessions: SessionSummary[];
  /** The form token of this session (see `cross-site.ts`). */
  token: string;
}

/** The start page; signed out without an argument. */
export function renderHomePage(signedIn?: SignedInHome): string {
  if (!signedIn) {
    const links = [
      ['sign-in', urlFor('login', { query: { returnTo: urlFor('home') } }), 'Sign in'],
      ['sign-up', urlFor('login', { query: { prompt: 'create', returnTo: urlFor('home') } }), 'Sign up'],
      ['claims', urlFor('claims'), 'View ID token claims'],
      ['call-api', urlFor('me'), `Call the API (${urlFor('me')})`],
    ];
    return layout(
      'Sign-in with Microsoft Entra External ID on Azure Functions',
      `<h1>Microsoft Entra External ID on Azure Functions</h1>
<p id="signed-out">You are not signed in.</p>
<ul>
${links.map(([id, href, text]) => `<li><a id="${id}" href="${escapeHtml(href!)}">${escapeHtml(text!)}</a></li>`).join('\n')}
</ul>`,
    );
  }
  const { session, sessions, token } = signedIn;
  const rows = sessions.map(
    (entry) =>
      `<tr data-session-id="${escapeHtml(entry.id)}"${entry.current ? ' id="current-session"' : ''}><td>${escapeHtml(entry.device)}</td>` +
      `<td>${when(entry.createdAt)}</td><td>${when(entry.lastSeenAt)}</td><td>` +
      (entry.current ? 'This device' : form(urlFor('home'), { token, end: entry.id }, { id: `end-${escapeHtml(entry.id)}`, text: 'Sign out' })) +
      '</td></tr>',
  );
  return layout(
    'Sign-in with Microsoft Entra External ID on Azure Functions',
    `<h1>Microsoft Entra External ID on Azure Functions</h1>
<p id="signed-in">Signed in as <strong>${escapeHtml(claim(session, 'name') ?? 'unknown')}</strong> (${escapeHtml(claim(session, 'email') ?? claim(session, 'preferred_username') ?? '')})</p>
<ul>
<li><a id="claims" href="${urlFor('claims')}">View ID token claims</a></li>
<li><a id="call-api" href="${urlFor('me')}">Call the API (${urlFor('me')})</a></li>
<li><a id="list-sessions" href="${urlFor('sessions')}">Your sessions as JSON (${urlFor('sessions')})</a></li>
</ul>
<h2>Where you are signed in</h2>
<table id="sessions">
<tr><th>Device</th><th>Signed in</th><th>Last seen</th><th></th></tr>
${rows.join('\n')}
</table>
<p>
${form(urlFor('logout'), { token }, { id: 'sign-out', text: 'Sign out of this device' })}
${form(urlFor('home'), { token, end: 'others' }, { id: 'sign-out-others', text: 'Sign out of all other devices' })}
${form(urlFor('logout'), { token, everywhere: '1' }, { id: 'sign-out-everywhere', text: 'Sign out everywhere' })}
</p>`,
  );
}

export interface ErrorPage {
  title: string;
  /** May hold line breaks (a settings message lists one setting a line). */
  detail: string;
  code: string;
  /** What the person can do next. */
  action: { href: string; label: string };
  /** Whether the request carried a valid session cookie (not whether the session is still alive). */
  signedIn: boolean;
}

/** The page a browser gets for an error (see `responses.ts`); it loads nothing, so its policy is `default-src 'none'`. */
export function renderErrorPage(error: ErrorPage): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(error.title)}</title></head>` +
    `<body><h1>${escapeHtml(error.title)}</h1><p>${escapeHtml(error.detail).replaceAll('\n', '<br>')}</p>` +
    `<p><small>Error code: ${escapeHtml(error.code)}</small></p>` +
    `<p><a href="${escapeHtml(error.action.href)}">${escapeHtml(error.action.label)}</a></p></body></html>`
  );
}
