/**
 * The user's part of sign-in, sign-up, device code and sign-out on the local OpenID provider
 * (`dev/provider`), done over HTTP with {@link HttpFormDriver}, for tests that do not need a
 * real browser. Page ids are the ones documented in `dev/provider/index.ts`.
 */
import { HttpFormDriver, parseForms, textById, type HttpResponse } from './http-form-driver';

export interface Credentials {
  email: string;
  password: string;
}

/** True for URLs with the same origin and path as `target` (query ignored). */
export function sameEndpoint(target: string): (url: URL) => boolean {
  const wanted = new URL(target);
  return (url) => url.origin === wanted.origin && url.pathname === wanted.pathname;
}

function fail(step: string, page: HttpResponse): never {
  const error = textById(page.body, 'error') ?? textById(page.body, 'error-description') ?? '';
  throw new Error(`${step}: ended on ${page.status} ${page.url}${error ? ` (${error})` : ''}\n${page.body.slice(0, 2000)}`);
}

/**
 * Opens `authorizeUrl` and signs in with the form (unless the provider session already covers
 * it). Returns the redirect back to `redirectUri` (with `code` and `state`), which is not requested.
 */
export async function signInAtProvider(
  browser: HttpFormDriver,
  authorizeUrl: string,
  credentials: Credentials,
  redirectUri: string,
): Promise<URL> {
  const stopAt = sameEndpoint(redirectUri);
  const page = await browser.follow(authorizeUrl, { stopAt });
  if (page.stopped) return new URL(page.url);
  if (!parseForms(page.body, page.url).some((form) => form.id === 'signin-form')) fail('Expected the sign-in page', page);
  const done = await browser.submitForm(page, { form: '#signin-form', fields: { ...credentials }, stopAt });
  if (!done.stopped) fail('Sign-in did not return to the app', done);
  return new URL(done.url);
}

/**
 * Signs up through the pages: from the sign-in page's "Create one" link (or directly with
 * `prompt=create`), fills the form, types the one-time code shown on the page. Returns the
 * redirect back to `redirectUri`.
 */
export async function signUpAtProvider(
  browser: HttpFormDriver,
  authorizeUrl: string,
  user: Credentials & { displayName: string },
  redirectUri: string,
): Promise<URL> {
  const stopAt = sameEndpoint(redirectUri);
  let page = await browser.follow(authorizeUrl, { stopAt });
  if (!parseForms(page.body, page.url).some((form) => form.id === 'signup-form')) {
    const link = /<a\b[^>]*\bid="create-account"[^>]*\bhref="([^"]+)"/.exec(page.body)?.[1];
    if (!link) fail('Expected the sign-in or sign-up page', page);
    page = await browser.follow(new URL(link.replace(/&amp;/g, '&'), page.url));
  }
  const verify = await browser.submitForm(page, {
    form: '#signup-form',
    fields: { email: user.email, displayName: user.displayName, password: user.password },
  });
  const code = textById(verify.body, 'otp-display');
  if (!code) fail('Expected the email verification page', verify);
  const done = await browser.submitForm(verify, { form: '#verify-form', fields: { otp: code }, stopAt });
  if (!done.stopped) fail('Sign-up did not return to the app', done);
  return new URL(done.url);
}

/**
 * The person's side of the device code flow: opens `verificationUri`, enters `userCode`,
 * confirms, signs in. Returns the final page (id `device-success`).
 */
export async function approveDeviceCode(
  browser: HttpFormDriver,
  verificationUri: string,
  userCode: string,
  credentials: Credentials,
): Promise<HttpResponse> {
  const entry = await browser.follow(verificationUri);
  const confirm = await browser.submitForm(entry, { form: '#op.deviceInputForm', fields: { user_code: userCode } });
  if (!textById(confirm.body, 'device-user-code')) fail('Expected the device confirmation page', confirm);
  let page = await browser.submitForm(confirm, { submitter: '#device-confirm' });
  if (parseForms(page.body, page.url).some((form) => form.id === 'signin-form')) {
    page = await browser.submitForm(page, { form: '#signin-form', fields: { ...credentials } });
  }
  if (textById(page.body, 'device-success') === undefined) fail('Device sign-in did not succeed', page);
  return page;
}

/**
 * Opens the provider's sign-out URL and lets its self-submitting page run (as a browser with
 * JavaScript would). Returns the redirect to `postLogoutRedirectUri`, which is not requested.
 */
export async function signOutAtProvider(browser: HttpFormDriver, logoutUrl: string, postLogoutRedirectUri: string): Promise<URL> {
  const page = await browser.follow(logoutUrl, { stopAt: sameEndpoint(postLogoutRedirectUri) });
  if (!page.stopped) fail('Sign-out did not return to the app', page);
  return new URL(page.url);
}
