/**
 * Errors that reach a caller, and the one place they become HTTP responses.
 *
 * Handlers throw {@link AuthError}; {@link errorResponse} renders it as
 * `application/problem+json` (RFC 9457) for API callers or as a short escaped
 * HTML page for browsers. A {@link ConfigError} is a setup mistake: its
 * message, which names the settings to fix and never their values, is the
 * detail, as it is in the log. Anything else is a bug: it is rendered as a
 * bare 500 without detail, and only its name reaches the log.
 *
 * @example
 * ```ts
 * throw new AuthError('state_mismatch', 400, 'This sign-in link does not match the one we started.');
 * ```
 */
import type { Cookie, HttpResponseInit } from '@azure/functions';
import { ConfigError } from './config';

export type AuthErrorCode =
  | 'invalid_return_to'
  | 'invalid_request'
  | 'transaction_missing'
  | 'transaction_expired'
  | 'state_mismatch'
  | 'transaction_reused'
  | 'authorization_failed'
  | 'code_redemption_failed'
  | 'invalid_id_token'
  | 'not_signed_in'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'missing_role'
  | 'client_not_allowed'
  | 'cross_site_request'
  | 'session_not_found'
  | 'interaction_required'
  | 'downstream_failed'
  | 'store_unavailable'
  | 'identity_provider_unavailable'
  | 'tenant_not_found'
  | 'authority_host_not_found'
  | 'untrusted_certificate'
  | 'client_secret_rejected'
  | 'client_not_authorized'
  | 'redirect_uri_mismatch'
  | 'misconfigured';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign-in required',
  403: 'Forbidden',
  404: 'Not found',
  502: 'Upstream error',
  503: 'Service unavailable',
  500: 'Server error',
};

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    readonly status: number,
    /** A sentence a person can act on. Never holds a token, cookie value or secret. */
    readonly detail: string,
    readonly extra: {
      retryAfterSeconds?: number;
      loginUrl?: string;
      wwwAuthenticate?: string;
      /** A short machine code for the log (e.g. the tenant's error code); never shown to the caller. */
      reason?: string;
      /** For a setup mistake: the setting to fix, for the log. A name, never a value. */
      setting?: string;
      /** For a setup mistake: the URL that was tried, for the log. Never one that carries a query. */
      url?: string;
      /** Cookies to send with the error page, e.g. to clear a spent sign-in transaction. */
      cookies?: Cookie[];
    } = {},
  ) {
    super(detail);
    this.name = 'AuthError';
  }
}

/** Who is asking decides the shape: API routes always get JSON, browser routes get a page. */
export type ResponseAudience = 'api' | 'browser';

export function errorResponse(error: unknown, audience: ResponseAudience): HttpResponseInit {
  const known =
    error instanceof AuthError
      ? error
      : error instanceof ConfigError
        ? new AuthError('misconfigured', 500, error.message)
        : new AuthError('misconfigured', 500, 'Something went wrong on our side. Please try again later.');
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (known.extra.retryAfterSeconds !== undefined) headers['Retry-After'] = String(known.extra.retryAfterSeconds);
  if (known.extra.wwwAuthenticate) headers['WWW-Authenticate'] = known.extra.wwwAuthenticate;
  const title = TITLES[known.status] ?? 'Error';
  const cookies = known.extra.cookies ? { cookies: known.extra.cookies } : {};

  if (audience === 'api') {
    return {
      status: known.status,
      ...cookies,
      headers: { ...headers, 'Content-Type': 'application/problem+json' },
      jsonBody: {
        type: `urn:fnauth:error:${known.code}`,
        title,
        status: known.status,
        code: known.code,
        detail: known.detail,
        ...(known.extra.loginUrl ? { login_url: known.extra.loginUrl } : {}),
      },
    };
  }
  const action = known.extra.loginUrl
    ? `<p><a href="${escapeHtml(known.extra.loginUrl)}">Sign in</a></p>`
    : '<p><a href="/api/login">Start again</a></p>';
  return {
    status: known.status,
    ...cookies,
    headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'" },
    body:
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(known.detail).replaceAll('\n', '<br>')}</p>` +
      `<p><small>Error code: ${escapeHtml(known.code)}</small></p>${action}</body></html>`,
  };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
