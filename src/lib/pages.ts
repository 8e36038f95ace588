/**
 * The app's own pages: the start page (who is signed in, and links to every
 * endpoint, as the Entra browser samples have), the sign-out confirmation
 * and the error page. Plain HTML; every value from a token or a request is
 * escaped.
 */
import { escapeHtml } from './html';
import { urlFor } from './routes';
import type { SessionRecord } from './session';

const claim = (session: SessionRecord, name: string) => {
  const value = session.claims[name];
  return typeof value === 'string' ? value : undefined;
};

/** Pages carry no script and load nothing from elsewhere. */
export const PAGE_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

const STYLE = '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}li{margin:.4rem 0}</style>';

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

/** Shown when another site sent the browser to sign out: only a click here, on our own page, signs out. */
export function renderSignOutConfirmation(): string {
  return page(
    'Sign out?',
    `<h1>Sign out?</h1>
<p>Another site asked to sign you out of this app.</p>
<form method="post" action="${urlFor('logout')}"><button id="confirm-sign-out" type="submit">Sign out</button></form>
<p><a href="${urlFor('home')}">Stay signed in</a></p>`,
  );
}

export function renderHomePage(session: SessionRecord | undefined): string {
  const who = session
    ? `<p id="signed-in">Signed in as <strong>${escapeHtml(claim(session, 'name') ?? 'unknown')}</strong> ` +
      `(${escapeHtml(claim(session, 'email') ?? claim(session, 'preferred_username') ?? '')})</p>`
    : '<p id="signed-out">You are not signed in.</p>';
  const api = [
    ['claims', urlFor('claims'), 'View ID token claims'],
    ['call-api', urlFor('me'), `Call the API (${urlFor('me')})`],
  ];
  const links = session
    ? [...api, ['sign-out', urlFor('logout'), 'Sign out']]
    : [
        ['sign-in', urlFor('login', { query: { returnTo: urlFor('home') } }), 'Sign in'],
        ['sign-up', urlFor('login', { query: { prompt: 'create', returnTo: urlFor('home') } }), 'Sign up'],
        ...api,
      ];
  return page(
    'Sign-in with Microsoft Entra External ID on Azure Functions',
    `<h1>Microsoft Entra External ID on Azure Functions</h1>
${who}
<ul>
${links.map(([id, href, text]) => `<li><a id="${id}" href="${escapeHtml(href!)}">${escapeHtml(text!)}</a></li>`).join('\n')}
</ul>`,
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
