/**
 * The app's own pages: the start page (who is signed in, where, and links to
 * every endpoint, as the Entra browser samples have), the sign-out
 * confirmation, and the empty page of front-channel logout. Plain HTML, no
 * script; every value from a token is escaped.
 *
 * Their forms post to our own origin, and sign-out answers with a redirect to
 * the tenant's end-session endpoint. Chromium checks that redirect against
 * the page's `form-action`, so the policy names the tenant's end-session
 * origin too: without it the app session would end and the tenant's would not.
 *
 * @example
 * ```ts
 * return htmlPage(renderSignOutConfirmation({ token, everywhere: false }), pageSecurityPolicy(identity.metadata));
 * ```
 */
import type { HttpResponseInit } from '@azure/functions';
import type { OpenIdMetadata } from './authority';
import { escapeHtml } from './errors';
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

export function htmlPage(body: string, policy: string, status = 200): HttpResponseInit {
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': policy }, body };
}

const STYLE =
  '<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;line-height:1.5}li{margin:.4rem 0}' +
  'table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd}form{display:inline}</style>';

function page(title: string, body: string): string {
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
  return page(
    'Sign out?',
    `<h1>Sign out?</h1>
<p>${options.everywhere ? 'A request was made to sign you out on every device.' : 'A request was made to sign you out of this app.'} If you did not ask for it, stay signed in.</p>
${form('/api/logout', fields, { id: 'confirm-sign-out', text: 'Sign out' })}
<p><a href="/api/home">Stay signed in</a></p>`,
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
      ['sign-in', '/api/login?returnTo=%2Fapi%2Fhome', 'Sign in'],
      ['sign-up', '/api/login?prompt=create&returnTo=%2Fapi%2Fhome', 'Sign up'],
      ['claims', '/api/claims', 'View ID token claims'],
      ['call-api', '/api/me', 'Call the API (/api/me)'],
    ];
    return page(
      'Sign-in with Microsoft Entra External ID on Azure Functions',
      `<h1>Microsoft Entra External ID on Azure Functions</h1>
<p id="signed-out">You are not signed in.</p>
<ul>
${links.map(([id, href, text]) => `<li><a id="${id}" href="${href}">${text}</a></li>`).join('\n')}
</ul>`,
    );
  }
  const { session, sessions, token } = signedIn;
  const rows = sessions.map(
    (entry) =>
      `<tr data-session-id="${escapeHtml(entry.id)}"${entry.current ? ' id="current-session"' : ''}><td>${escapeHtml(entry.device)}</td>` +
      `<td>${when(entry.createdAt)}</td><td>${when(entry.lastSeenAt)}</td><td>` +
      (entry.current ? 'This device' : form('/api/home', { token, end: entry.id }, { id: `end-${escapeHtml(entry.id)}`, text: 'Sign out' })) +
      '</td></tr>',
  );
  return page(
    'Sign-in with Microsoft Entra External ID on Azure Functions',
    `<h1>Microsoft Entra External ID on Azure Functions</h1>
<p id="signed-in">Signed in as <strong>${escapeHtml(claim(session, 'name') ?? 'unknown')}</strong> (${escapeHtml(claim(session, 'email') ?? claim(session, 'preferred_username') ?? '')})</p>
<ul>
<li><a id="claims" href="/api/claims">View ID token claims</a></li>
<li><a id="call-api" href="/api/me">Call the API (/api/me)</a></li>
<li><a id="list-sessions" href="/api/sessions">Your sessions as JSON (/api/sessions)</a></li>
</ul>
<h2>Where you are signed in</h2>
<table id="sessions">
<tr><th>Device</th><th>Signed in</th><th>Last seen</th><th></th></tr>
${rows.join('\n')}
</table>
<p>
${form('/api/logout', { token }, { id: 'sign-out', text: 'Sign out of this device' })}
${form('/api/home', { token, end: 'others' }, { id: 'sign-out-others', text: 'Sign out of all other devices' })}
${form('/api/logout', { token, everywhere: '1' }, { id: 'sign-out-everywhere', text: 'Sign out everywhere' })}
</p>`,
  );
}
