/**
 * How a handler's outcome becomes an HTTP response: the result helpers a
 * function returns, and {@link errorResponse}, the one place an error does.
 *
 * Who is asking decides an error's shape: API routes answer
 * `application/problem+json` (RFC 9457), browser routes a short page from
 * `renderErrorPage`. Status, title, `Retry-After` and `WWW-Authenticate`
 * come from the error catalogue (`errors.ts`).
 *
 * @example
 * ```ts
 * errorResponse(new AppError('not_signed_in'), 'api', { signedIn: false, startUrl: '/api/login' });
 * ```
 */
import type { HttpResponseInit } from '@azure/functions';
import { toAppError } from './errors';
import { renderErrorPage } from './pages';

/** API routes answer problem+json, browser routes a page. */
export type ResponseAudience = 'api' | 'browser';

export interface ErrorPageContext {
  /** Whether the request carried a valid session cookie. */
  signedIn: boolean;
  /** Where "Start again" leads when the error offers no sign-in of its own. */
  startUrl: string;
}

export function errorResponse(error: unknown, audience: ResponseAudience, page: ErrorPageContext = { signedIn: false, startUrl: '/api/login' }): HttpResponseInit {
  const known = toAppError(error);
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (known.extra.retryAfterSeconds !== undefined) headers['Retry-After'] = String(known.extra.retryAfterSeconds);
  if (known.extra.wwwAuthenticate) headers['WWW-Authenticate'] = known.extra.wwwAuthenticate;
  const cookies = known.extra.cookies ? { cookies: known.extra.cookies } : {};

  if (audience === 'api') {
    return {
      status: known.status,
      ...cookies,
      headers: { ...headers, 'Content-Type': 'application/problem+json' },
      jsonBody: {
        type: `urn:fnauth:error:${known.code}`,
        title: known.title,
        status: known.status,
        code: known.code,
        detail: known.detail,
        ...(known.extra.loginUrl ? { login_url: known.extra.loginUrl } : {}),
      },
    };
  }
  return {
    status: known.status,
    ...cookies,
    headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'" },
    body: renderErrorPage({
      title: known.title,
      detail: known.detail,
      code: known.code,
      action: known.extra.loginUrl ? { href: known.extra.loginUrl, label: 'Sign in' } : { href: page.startUrl, label: 'Start again' },
      signedIn: page.signedIn,
    }),
  };
}
