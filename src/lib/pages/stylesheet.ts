/**
 * The one stylesheet of every page, served by the app itself at
 * `/api/style` so the pages' policy can stay `style-src 'self'`: no inline
 * style, nothing from a CDN. Pages link it under its version
 * (`/api/style?v=<hash of the text>`), which may be cached for a year; a
 * deployment that changes the text changes the link. Any other `v` (a page
 * from before a deployment) gets today's text, revalidated on every use.
 *
 * The route has no dot ("style", not "style.css"): the Functions host has
 * refused some file extensions in routes, and the `Content-Type` is what a
 * browser goes by (with `nosniff`, which every response carries).
 *
 * It is text in a module, not a file beside the code, so it travels with
 * the compiled (or bundled) app and is read once per instance.
 *
 * Tested by test/functions/style.test.ts.
 *
 * @example
 * ```ts
 * html`<link rel="stylesheet" href="${stylesheetHref()}">`;
 * stylesheetResponse(request.query.get('v'), request.headers.get('if-none-match')); // 200 text/css, or 304
 * ```
 */
import { createHash } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { urlFor } from '../routes';

export const STYLESHEET = `:root {
  color-scheme: light dark;
  --fg: #1b1b1f; --muted: #5c5f66; --bg: #f4f5f7; --surface: #fff; --border: #d9dce1;
  --accent: #0f6cbd; --accent-hover: #0c5aa0; --accent-fg: #fff; --danger: #b3261e; --code: #eef0f3;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6e7ea; --muted: #a2a6ad; --bg: #16171a; --surface: #202226; --border: #363940;
    --accent: #479ef5; --accent-hover: #62abf5; --accent-fg: #0b0c0e; --danger: #f1938b; --code: #2a2d32;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; min-height: 100vh; display: flex; flex-direction: column;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg);
}
a { color: var(--accent); }
a:hover { color: var(--accent-hover); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.site-header { background: var(--surface); border-bottom: 1px solid var(--border); }
.site-header .bar { max-width: 56rem; margin: 0 auto; padding: .75rem 1.25rem; display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
.app-name { font-weight: 600; font-size: 1.125rem; color: var(--fg); text-decoration: none; }
.app-name:hover { color: var(--fg); }
.header-user { color: var(--muted); font-size: .9375rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
main { flex: 1; width: 100%; max-width: 56rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .75rem; }
h2 { font-size: 1.25rem; margin: 0 0 .5rem; }
p { margin: 0 0 1rem; }
.lead { font-size: 1.125rem; color: var(--muted); }
.muted { color: var(--muted); }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: 1.5rem; margin: 0 0 1.5rem; }
.card > :last-child { margin-bottom: 0; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: 1.25rem 0 0; }
form.inline { display: inline; margin: 0; }
.button, button {
  display: inline-block; padding: .5rem 1.125rem; border-radius: 6px; border: 1px solid var(--border);
  background: var(--surface); color: var(--fg); font: inherit; font-weight: 600; line-height: 1.5;
  text-decoration: none; cursor: pointer;
}
.button:hover, button:hover { color: var(--fg); border-color: var(--muted); }
.button.primary, button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); }
.button.primary:hover, button.primary:hover { background: var(--accent-hover); border-color: var(--accent-hover); color: var(--accent-fg); }
button.danger { color: var(--danger); }
button.small { padding: .25rem .75rem; font-size: .875rem; }
code, pre { font: .875rem/1.5 ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
code { background: var(--code); padding: .1rem .3rem; border-radius: 4px; }
.table-scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: .9375rem; }
th, td { text-align: left; vertical-align: top; padding: .5rem .75rem; border-bottom: 1px solid var(--border); }
th { font-weight: 600; color: var(--muted); font-size: .8125rem; text-transform: uppercase; letter-spacing: .03em; }
td.value { overflow-wrap: anywhere; }
td.value code { background: none; padding: 0; }
tr.current td { font-weight: 600; }
.error-code { font-size: .875rem; color: var(--muted); margin-top: 1.25rem; }
.site-footer { border-top: 1px solid var(--border); color: var(--muted); font-size: .875rem; }
.site-footer .bar { max-width: 56rem; margin: 0 auto; padding: 1rem 1.25rem; }
@media (max-width: 36rem) {
  main { padding-top: 1.25rem; }
  .card { padding: 1rem; }
  th.meaning, td.meaning { display: none; }
}
`;

/** The first 16 characters of the text's SHA-256 (base64url): changes whenever the text does. */
const STYLESHEET_VERSION = createHash('sha256').update(STYLESHEET).digest('base64url').slice(0, 16);

/** Where pages link the stylesheet (a function: the route table fills as the function modules load). */
export function stylesheetHref(): string {
  return urlFor('style', { query: { v: STYLESHEET_VERSION } });
}

const ETAG = `"${STYLESHEET_VERSION}"`;

/** The stylesheet, or 304 when the browser has this version already (`If-None-Match`). */
export function stylesheetResponse(version: string | null, ifNoneMatch: string | null): HttpResponseInit {
  const headers = {
    ETag: ETAG,
    // The versioned link never changes meaning; anything else must ask again (and usually gets a 304).
    'Cache-Control': version === STYLESHEET_VERSION ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  const known = ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === ETAG) ?? false;
  if (known) return { status: 304, headers };
  return { status: 200, headers: { ...headers, 'Content-Type': 'text/css; charset=utf-8' }, body: STYLESHEET };
}
