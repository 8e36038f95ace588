/**
 * How a handler's outcome becomes an HTTP response: the result helpers a
 * function returns ({@link json}, {@link page}, {@link redirect},
 * {@link noContent}), and {@link errorResponse}, the one place an error does.
 *
 * Who is asking decides an error's shape: API routes answer
 * `application/problem+json` (RFC 9457), browser routes a short page from
 * `renderErrorPage`. Status, title, `Retry-After` and `WWW-Authenticate`
 * come from the error catalogue (`errors.ts`).
 *
 * @example
 * ```ts
 * return json({ claims });
 * return page(renderHomePage({ appName: runtime.config.appName }));
 * return redirect(transaction.returnTo, { cookies: [sessionCookie] });
 * ```
 */
import type { Cookie, HttpResponseInit } from '@azure/functions';
import { DEFAULT_APP_NAME } from './config';
import { toAppError } from './errors';
import { pageSecurityPolicy, renderErrorPage } from './pages';

export interface ResultOptions {
  status?: number;
  cookies?: Cookie[];
}

/** A JSON body (the host adds `Content-Type: application/json`). */
export function json(body: unknown, options: ResultOptions & { headers?: Record<string, string> } = {}): HttpResponseInit {
  return { status: options.status ?? 200, jsonBody: body, ...(options.headers ? { headers: options.headers } : {}), ...cookiesOf(options) };
}

/**
 * One of our pages, under a policy that lets it load nothing but its own
 * style; by default its forms may post only to us (see `pageSecurityPolicy`).
 */
export function page(html: string, options: ResultOptions & { securityPolicy?: string } = {}): HttpResponseInit {
  return {
    status: options.status ?? 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': options.securityPolicy ?? pageSecurityPolicy({}) },
    body: html,
    ...cookiesOf(options),
  };
}

/** 302 by default; 303 after a form post, so the browser follows with a GET. */
export function redirect(location: string, options: ResultOptions & { status?: 302 | 303 } = {}): HttpResponseInit {
  return { status: options.status ?? 302, headers: { Location: location }, ...cookiesOf(options) };
}

export function noContent(options: Omit<ResultOptions, 'status'> = {}): HttpResponseInit {
  return { status: 204, ...cookiesOf(options) };
}

function cookiesOf(options: ResultOptions): { cookies?: Cookie[] } {
  return options.cookies && options.cookies.length > 0 ? { cookies: options.cookies } : {};
}

/** API routes answer problem+json, browser routes a page. */
export type ResponseAudience = 'api' | 'browser';

export interface ErrorResponseOptions {
  /** For a page: the app's name (`APP_NAME`); the default name when the settings could not be read. */
  appName?: string;
  /** For a page: present when the request carries a live session, with the user's name when the ID token has one. */
  signedIn?: { name?: string };
  /** Sent with the error, e.g. to clear a spent sign-in transaction (see `RequestContext.onFailure`). */
  cookies?: Cookie[];
}

export function errorResponse(error: unknown, audience: ResponseAudience, options: ErrorResponseOptions = {}): HttpResponseInit {
  const known = toAppError(error);
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (known.extra.retryAfterSeconds !== undefined) headers['Retry-After'] = String(known.extra.retryAfterSeconds);
  if (known.extra.wwwAuthenticate) headers['WWW-Authenticate'] = known.extra.wwwAuthenticate;
  const cookies = cookiesOf(options);

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
  const body = renderErrorPage(
    { appName: options.appName ?? DEFAULT_APP_NAME },
    { code: known.code, status: known.status, detail: known.detail, loginUrl: known.extra.loginUrl, signedIn: options.signedIn },
  );
  return { status: known.status, ...cookies, headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': pageSecurityPolicy({}) }, body };
}
