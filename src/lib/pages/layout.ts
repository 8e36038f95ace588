/**
 * The frame every page of the app shares: the app's name in the header
 * (a link home) and the footer, who is signed in, and the one stylesheet.
 * No script, no inline style; the policy below forbids both, so a page
 * cannot quietly start depending on them.
 *
 * Tested by test/e2e/pages.test.ts (every page's frame and policy) and test/functions/logout.test.ts.
 *
 * @example
 * ```ts
 * const body = renderPage({ appName: 'Contoso', user: 'Alice' }, { page: 'home', title: 'Home', main: html`<h1>Hello</h1>` });
 * return page(body, { securityPolicy: pageSecurityPolicy(identity.metadata) }); // responses.ts
 * ```
 */
import type { OpenIdMetadata } from '../authority';
import { urlFor } from '../routes';
import { html, type Html } from './html';
import { stylesheetHref } from './stylesheet';

export interface Frame {
  /** `APP_NAME`: the name users know the app by. */
  appName: string;
  /** The signed-in user's name, shown in the header; absent when signed out or not known. */
  user?: string;
}

export interface PageContent {
  /** Names the page on `<body data-page>`: "home", "error", "sign-out". */
  page: string;
  /** The window title, before the app's name. */
  title: string;
  main: Html;
}

export function renderPage(frame: Frame, content: PageContent): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${content.title} · ${frame.appName}</title>
<link rel="stylesheet" href="${stylesheetHref()}">
</head>
<body data-page="${content.page}">
<header class="site-header"><div class="bar">
<a class="app-name" id="app-name" href="${urlFor('home')}">${frame.appName}</a>
${frame.user ? html`<span class="header-user" id="header-user">${frame.user}</span>` : ''}
</div></header>
<main>
${content.main}
</main>
<footer class="site-footer"><div class="bar"><span id="footer-app-name">${frame.appName}</span> · Sign-in by Microsoft Entra External ID</div></footer>
</body>
</html>
`.text;
}

/**
 * No script, styles only from this app, never framed, and forms only to this
 * app and the tenant's sign-out: sign-out answers a form with a redirect to
 * the tenant's end-session endpoint, and browsers check a form's redirects
 * against `form-action` too.
 */
export function pageSecurityPolicy(metadata: Pick<OpenIdMetadata, 'end_session_endpoint'> = {}): string {
  const formTargets = ["'self'", ...(metadata.end_session_endpoint ? [new URL(metadata.end_session_endpoint).origin] : [])];
  return `default-src 'none'; style-src 'self'; form-action ${formTargets.join(' ')}; frame-ancestors 'none'; base-uri 'none'`;
}

/** The front-channel logout page: framed by the tenant's sign-out page only (its end-session and authorize origins). */
export function frameablePolicy(metadata: Pick<OpenIdMetadata, 'end_session_endpoint' | 'authorization_endpoint'>): string {
  const tenantOrigins = [metadata.end_session_endpoint, metadata.authorization_endpoint]
    .filter((url): url is string => typeof url === 'string')
    .map((url) => new URL(url).origin);
  return `default-src 'none'; frame-ancestors ${[...new Set(tenantOrigins)].join(' ')}`;
}
