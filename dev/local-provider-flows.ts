/**
 * The user's part of sign-in, sign-up, device code and sign-out on the local OpenID provider
 * (`dev/provider`), done over HTTP with {@link HttpFormDriver}, for tests and the bench, which need no
 * real browser. Page ids are the ones documented in `dev/provider/index.ts`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { HttpFormDriver, httpRequest, parseForms, textById, type HttpResponse } from './http-form-driver';

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

export interface CodeFlowClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

type ProviderEndpoints = { authority: string; caCert: string };

/** An authorization request of a confidential client with PKCE, state and nonce, as the app sends it. */
export function authorizeRequest(
  provider: ProviderEndpoints,
  client: CodeFlowClient,
  options: { scope?: string; prompt?: string } = {},
): { url: string; state: string; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(`${provider.authority}oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope: options.scope ?? 'openid profile offline_access User.Read',
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.prompt ? { prompt: options.prompt } : {}),
  }).toString();
  return { url: url.href, state, verifier };
}

/** Redeems an authorization code; returns the token endpoint's JSON answer, or throws with it. */
export async function redeemCode(provider: ProviderEndpoints, client: CodeFlowClient, code: string, verifier: string): Promise<Record<string, string>> {
  const response = await httpRequest(`${provider.authority}oauth2/v2.0/token`, {
    ca: provider.caCert,
    form: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    },
  });
  if (response.status !== 200) throw new Error(`The token endpoint answered ${response.status}: ${response.body}`);
  return JSON.parse(response.body) as Record<string, string>;
}

/**
 * The whole browser sign-in of a confidential client without MSAL: authorize, sign in (or pass
 * through the provider session), redeem the code. Returns the token endpoint's JSON answer
 * (`id_token`, `access_token`, `refresh_token`, …).
 *
 * @example
 * ```ts
 * const tokens = await codeFlowTokens(browser, idp, { clientId, clientSecret, redirectUri }, alice);
 * decodeJwtPayload(tokens.id_token).sid;
 * ```
 */
export async function codeFlowTokens(
  browser: HttpFormDriver,
  provider: ProviderEndpoints,
  client: CodeFlowClient,
  credentials: Credentials,
  options: { scope?: string; prompt?: string } = {},
): Promise<Record<string, string>> {
  const request = authorizeRequest(provider, client, options);
  const back = await signInAtProvider(browser, request.url, credentials, client.redirectUri);
  if (back.searchParams.get('state') !== request.state) throw new Error(`The provider answered ${back.href}`);
  return redeemCode(provider, client, back.searchParams.get('code') ?? '', request.verifier);
}
