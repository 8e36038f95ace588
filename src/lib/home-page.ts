/**
 * The start page: who is signed in, and links to every endpoint, as the
 * Entra browser samples have. Plain HTML; every value from a token is escaped.
 */
import { escapeHtml } from './errors';
import type { SessionRecord } from './session';

const claim = (session: SessionRecord, name: string) => {
  const value = session.claims[name];
  return typeof value === 'string' ? value : undefined;
};

export function renderHomePage(session: SessionRecord | undefined): string {
  const who = session
    ? `<p id="signed-in">Signed in as <strong>${escapeHtml(claim(session, 'name') ?? 'unknown')}</strong> ` +
      `(${escapeHtml(claim(session, 'email') ?? claim(session, 'preferred_username') ?? '')})</p>`
    : '<p id="signed-out">You are not signed in.</p>';
  const links = session
    ? [
        ['claims', '/api/claims', 'View ID token claims'],
        ['call-api', '/api/me', 'Call the API (/api/me)'],
        ['sign-out', '/api/logout', 'Sign out'],
      ]
    : [
        ['sign-in', '/api/login?returnTo=%2Fapi%2Fhome', 'Sign in'],
        ['sign-up', '/api/login?prompt=create&returnTo=%2Fapi%2Fhome', 'Sign up'],
        ['claims', '/api/claims', 'View ID token claims'],
        ['call-api', '/api/me', 'Call the API (/api/me)'],
      ];
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in with Microsoft Entra External ID on Azure Functions</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}li{margin:.4rem 0}</style>
</head>
<body>
<h1>Microsoft Entra External ID on Azure Functions</h1>
${who}
<ul>
${links.map(([id, href, text]) => `<li><a id="${id}" href="${href}">${text}</a></li>`).join('\n')}
</ul>
</body>
</html>`;
}
