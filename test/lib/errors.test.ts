import { describe, expect, it } from 'vitest';
import '../../src/functions/login'; // "Start again" leads to its route
import { ConfigError } from '../../src/lib/config';
import { AppError, ERRORS, toAppError, type ErrorCode } from '../../src/lib/errors';
import { errorResponse } from '../../src/lib/responses';

describe('errorResponse for API callers', () => {
  it('renders application/problem+json with type, title, status, code, detail and login_url', () => {
    const error = new AppError('not_signed_in', { detail: 'Please sign in.', loginUrl: 'http://localhost:7071/api/login' });
    const response = errorResponse(error, 'api');
    expect(response.status).toBe(401);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' });
    expect(response.jsonBody).toEqual({
      type: 'urn:fnauth:error:not_signed_in',
      title: 'Sign-in required',
      status: 401,
      code: 'not_signed_in',
      detail: 'Please sign in.',
      login_url: 'http://localhost:7071/api/login',
    });
  });

  it('leaves login_url out when there is none', () => {
    const response = errorResponse(new AppError('invalid_return_to', { detail: 'Not allowed.' }), 'api');
    expect(response.jsonBody).toEqual({
      type: 'urn:fnauth:error:invalid_return_to',
      title: 'Bad request',
      status: 400,
      code: 'invalid_return_to',
      detail: 'Not allowed.',
    });
  });

  it('sets Retry-After and WWW-Authenticate when given, and not otherwise', () => {
    const unavailable = errorResponse(new AppError('store_unavailable', { detail: 'Busy.', retryAfterSeconds: 7 }), 'api');
    expect(unavailable.headers).toMatchObject({ 'Retry-After': '7' });
    expect((unavailable.jsonBody as { title: string }).title).toBe('Service unavailable');
    const challenge = errorResponse(
      new AppError('invalid_token', { detail: 'Bad token.', wwwAuthenticate: 'Bearer error="invalid_token"' }),
      'api',
    );
    expect(challenge.headers).toMatchObject({ 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    const plain = errorResponse(new AppError('invalid_request', { detail: 'Bad.' }), 'browser');
    expect(Object.keys(plain.headers as Record<string, string>)).not.toContain('Retry-After');
    expect(Object.keys(plain.headers as Record<string, string>)).not.toContain('WWW-Authenticate');
    expect(errorResponse(new AppError('store_unavailable', { detail: 'Busy.', retryAfterSeconds: 3 }), 'browser').headers).toMatchObject({
      'Retry-After': '3',
    });
  });
});

describe('errorResponse for browsers', () => {
  it('renders an HTML page that escapes the detail and forbids everything by CSP', () => {
    const error = new AppError('invalid_request', {
      detail: 'Bad <script>alert("x")</script> & \'more\'',
      loginUrl: 'http://localhost:7071/api/login?returnTo="><script>',
    });
    const response = errorResponse(error, 'browser');
    const body = String(response.body);
    expect(response.status).toBe(400);
    expect(response.headers).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'",
      'Cache-Control': 'no-store',
    });
    expect(body).not.toContain('<script>');
    expect(body).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;more&#39;');
    expect(body).toContain('href="http://localhost:7071/api/login?returnTo=&#34;&#62;&#60;script&#62;"');
    expect(body).toContain('Error code: invalid_request');
    expect(body).toMatch(/^<!doctype html>/);
  });

  it('offers to start again when there is no login URL', () => {
    expect(String(errorResponse(new AppError('state_mismatch', { detail: 'x' }), 'browser').body)).toContain('<a href="/api/login">Start again</a>');
  });
});

describe('errors that are not AppErrors', () => {
  it.each(['api', 'browser'] as const)('become a bare 500 without the message (%s)', (audience) => {
    const error = new Error('secret-token-xyz');
    error.stack = 'Error: secret-token-xyz\n    at somewhere (secret-token-xyz.ts:1:1)';
    const response = errorResponse(error, audience);
    expect(response.status).toBe(500);
    const rendered = JSON.stringify(response);
    expect(rendered).not.toContain('secret-token-xyz');
    if (audience === 'api') expect(response.jsonBody).toMatchObject({ code: 'internal_error', status: 500, title: 'Server error' });
  });

  it('also for thrown non-errors', () => {
    for (const thrown of ['secret-token-xyz', { token: 'secret-token-xyz' }, undefined, null]) {
      const response = errorResponse(thrown, 'api');
      expect(response.status).toBe(500);
      expect(JSON.stringify(response)).not.toContain('secret-token-xyz');
    }
  });
});

describe('the catalogue', () => {
  it.each(Object.entries(ERRORS))('%s has a status, a title and a sentence; a 503 says when to come back', (code, entry) => {
    const error = new AppError(code as ErrorCode);
    expect(error.status).toBe(entry.status);
    expect(error.title.length).toBeGreaterThan(0);
    expect(error.detail).toMatch(/\.$/);
    if (entry.status === 503) expect(error.extra.retryAfterSeconds).toBeGreaterThan(0);
    expect([400, 401, 403, 404, 500, 502, 503]).toContain(entry.status);
  });

  it('lets the thrower replace the sentence and the Retry-After, never the status', () => {
    const error = new AppError('store_unavailable', { detail: 'We could not save your session.', retryAfterSeconds: 4 });
    expect(error).toMatchObject({ status: 503, detail: 'We could not save your session.', extra: { retryAfterSeconds: 4 } });
  });
});

describe('toAppError', () => {
  it('keeps an AppError, reads a ConfigError as misconfigured with its message, and anything else as internal_error', () => {
    const known = new AppError('state_mismatch');
    expect(toAppError(known)).toBe(known);
    const settings = new ConfigError(['CLIENT_ID is missing.']);
    expect(toAppError(settings)).toMatchObject({ code: 'misconfigured', status: 500, detail: settings.message, extra: { reason: 'settings' } });
    expect(toAppError(new RangeError('secret'))).toMatchObject({ code: 'internal_error', status: 500, extra: { reason: 'unexpected:RangeError' } });
    expect(toAppError('secret').detail).not.toContain('secret');
  });
});
