/**
 * The ID token's claims as a table a person can read, as the External ID
 * samples show them: each claim, its value (times as dates, lists joined),
 * and what it means for the claims Entra documents. The raw JSON stays one
 * click away at `/api/claims`.
 *
 * @example
 * ```ts
 * html`<table>${claimRows(session.claims)}</table>`;
 * ```
 */
import { html, type Html } from './html';

/** Claims that hold a time in seconds since 1970 (RFC 7519 NumericDate). */
const TIMES = new Set(['iat', 'nbf', 'exp', 'auth_time', 'pwd_exp']);

const MEANINGS: Record<string, string> = {
  aud: 'Who the token is for: the application (client) ID of this app.',
  iss: 'Who issued the token: your tenant, identified by its tenant ID.',
  iat: 'When the token was issued.',
  nbf: 'The token is not valid before this time.',
  exp: 'When the token expires.',
  auth_time: 'When you last entered your credentials.',
  name: 'Your display name.',
  email: 'Your email address.',
  preferred_username: 'The name you sign in with; it may change, so never use it to identify you.',
  oid: 'Your object ID in the tenant: the same in every app of the tenant. Use it (with tid) to identify you.',
  sub: 'Your ID for this app only: another app of the tenant sees a different value.',
  tid: 'The ID of the tenant you signed in to.',
  sid: 'The ID of your sign-in session at the tenant; signing out there ends it.',
  nonce: 'A one-time value this app sent with the sign-in, checked to prevent replays.',
  ver: 'The token format version.',
  roles: 'App roles assigned to you in this app.',
  groups: 'Groups you are a member of.',
  idp: 'The identity provider that authenticated you, when it was not the tenant itself.',
  login_hint: 'An opaque value this app sends back when it signs you out, so the tenant knows which account.',
  at_hash: 'A hash of the access token issued with this ID token.',
  c_hash: 'A hash of the authorization code issued with this ID token.',
  aio: 'An opaque value the tenant uses internally.',
  uti: 'An opaque value the tenant uses internally.',
  rh: 'An opaque value the tenant uses internally.',
};

/** "2026-11-24 16:30:05 UTC", or undefined for a number no date can hold. */
function utc(seconds: number): string | undefined {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function displayValue(name: string, value: unknown): Html {
  const time = TIMES.has(name) && typeof value === 'number' ? utc(value) : undefined;
  if (time) return html`${time} <span class="muted">(${value as number})</span>`;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return html`${value.join(', ')}`;
  if (typeof value === 'string') return html`${value}`;
  return html`<code>${JSON.stringify(value)}</code>`;
}

/** One `<tr>` per claim, in the token's order; every name and value escaped. */
export function claimRows(claims: Record<string, unknown>): Html {
  return html`${Object.entries(claims).map(
    ([name, value]) =>
      html`<tr data-claim="${name}"><td class="name"><code>${name}</code></td><td class="value">${displayValue(name, value)}</td><td class="meaning muted">${MEANINGS[name] ?? ''}</td></tr>\n`,
  )}`;
}
