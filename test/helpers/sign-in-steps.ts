/**
 * The browser sign-in steps against the app under test (fake Entra + local
 * Cosmos), through {@link CookieJar}: `/api/login` → the user signs in at
 * Entra → `/api/redirect`. Used by the security, reliability and load tests.
 *
 * @example
 * ```ts
 * const jar = new CookieJar();
 * const { redirect, callback } = await signIn(app, jar, { loginPath: '/api/login?returnTo=%2Fapi%2Fme' });
 * redirect.location; // http://localhost:7071/api/me
 * ```
 */
import { expect } from 'vitest';
import type { AppUnderTest } from './app-under-test';
import { DEFAULT_USERS, type FakeUser } from './fake-entra';
import { CookieJar, type InvokeResult } from './functions';

export interface SignInSteps {
  login: InvokeResult;
  /** The callback URL Entra sent the browser to (carries code and state). */
  callback: string;
  redirect: InvokeResult;
}

export async function startSignIn(
  app: AppUnderTest,
  jar: CookieJar,
  options: { user?: FakeUser; loginPath?: string } = {},
): Promise<{ login: InvokeResult; callback: string }> {
  const login = await jar.invoke(app.fn.login, options.loginPath ?? '/api/login');
  expect(login.status, `login answered ${login.status}: ${login.body.slice(0, 200)}`).toBe(302);
  return { login, callback: app.entra.authorize(login.location!, options.user ?? DEFAULT_USERS[0]!) };
}

export async function signIn(
  app: AppUnderTest,
  jar: CookieJar = new CookieJar(),
  options: { user?: FakeUser; loginPath?: string } = {},
): Promise<SignInSteps> {
  const { login, callback } = await startSignIn(app, jar, options);
  const redirect = await jar.invoke(app.fn.redirect, callback);
  expect(redirect.status, `redirect answered ${redirect.status}: ${redirect.body.slice(0, 200)}`).toBe(302);
  return { login, callback, redirect };
}

/** The session cookie's name on plain-http localhost (the app under test). */
export const SESSION_COOKIE = 'fnauth';
