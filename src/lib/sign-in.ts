/**
 * The sign-in flow: starting it at `/api/login` and completing it at
 * `/api/redirect`.
 *
 * Start: PKCE (S256), a fresh state, nonce and session id, all sealed in the
 * transaction cookie; MSAL builds the authorize URL.
 * Complete: the transaction must match the returned state and still be
 * fresh; MSAL redeems the code with the same verifier and nonce; the ID token
 * is then verified here (msal-node does not); finally the session begins
 * (`session/`): the session and its token cache in one transactional batch,
 * nothing kept for a failed sign-in.
 *
 * @example
 * ```ts
 * const started = await startSignIn(runtime, { returnTo, prompt: 'create' }, request.headers.get('cookie'));
 * const completed = await completeSignIn(runtime, new URLSearchParams(request.query), request.headers);
 * // each: { location, cookies } for a 302
 * ```
 */
import type { Cookie } from '@azure/functions';
import { createHash } from 'node:crypto';
import { readSingleCookie } from './cookie';
import { AuthError } from './errors';
import { verifyIdToken } from './id-token';
import { fromAuthorizationError, fromMsalError } from './identity-errors';
import { createMsalClient } from './msal';
import { randomToken } from './random';
import type { Runtime } from './runtime';
import { newTransaction } from './transaction';

/** What the callback reads of its request. */
export interface CallbackRequest {
  query: URLSearchParams;
  cookieHeader: string | null;
  userAgent: string | null;
}

export const PROMPTS = ['login', 'select_account', 'create', 'none'] as const;
export type Prompt = (typeof PROMPTS)[number];

export interface SignInOptions {
  /** Absolute URL, already checked by the return-to policy. */
  returnTo: string;
  prompt?: Prompt;
  loginHint?: string;
}

export async function startSignIn(
  runtime: Runtime,
  options: SignInOptions,
  cookieHeader: string | null,
): Promise<{ location: string; cookies: Cookie[] }> {
  const { config } = runtime;
  const identity = await runtime.identity();
  const transaction = newTransaction({ returnTo: options.returnTo, codeVerifier: randomToken() });
  // RFC 7636 S256: base64url(SHA-256(verifier)); the verifier is 43 characters of base64url, as the RFC advises.
  const challenge = createHash('sha256').update(transaction.codeVerifier).digest('base64url');
  const msal = await createMsalClient(config, identity);
  const location = await msal
    .getAuthCodeUrl({
      redirectUri: config.redirectUri,
      scopes: config.downstream.scopes,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
      prompt: options.prompt,
      loginHint: options.loginHint,
    })
    .catch((error: unknown) => {
      throw fromMsalError(error, runtime.loginUrl, 'sign-in');
    });
  return { location, cookies: [...runtime.transactions.dropOldest(cookieHeader), await runtime.transactions.seal(transaction)] };
}

export async function completeSignIn(runtime: Runtime, request: CallbackRequest): Promise<{ location: string; cookies: Cookie[] }> {
  const state = request.query.get('state');
  try {
    return await redeem(runtime, request, state);
  } catch (error) {
    // Whatever went wrong, this sign-in is over: its transaction must not linger.
    if (error instanceof AuthError && state && readSingleCookie(request.cookieHeader, runtime.transactions.cookieName(state))) {
      error.extra.cookies = [runtime.transactions.clear(state)];
    }
    throw error;
  }
}

async function redeem(runtime: Runtime, request: CallbackRequest, state: string | null): Promise<{ location: string; cookies: Cookie[] }> {
  const { config } = runtime;
  const { query, cookieHeader } = request;
  const providerError = query.get('error');
  if (providerError) throw fromAuthorizationError(providerError, query.get('error_description'), runtime.loginUrl);
  const code = query.get('code');
  if (!code || !state || code.length > 4096) {
    throw new AuthError('invalid_request', 400, 'This address is meant for the sign-in service to return to; it is missing its sign-in code.', {
      loginUrl: runtime.loginUrl,
    });
  }
  const transaction = await runtime.transactions.open(cookieHeader, state);
  const identity = await runtime.identity();
  const msal = await createMsalClient(config, identity);
  const result = await msal
    .acquireTokenByCode({
      code,
      redirectUri: config.redirectUri,
      scopes: config.downstream.scopes,
      codeVerifier: transaction.codeVerifier,
      nonce: transaction.nonce,
      state,
    })
    .catch((error: unknown) => {
      throw fromMsalError(error, runtime.loginUrl, 'sign-in');
    });
  if (!result.account || !result.idToken) {
    throw new AuthError('invalid_id_token', 400, 'The sign-in service did not return an ID token. Please try again.');
  }
  const claims = await verifyIdToken(result.idToken, {
    keys: identity.keys,
    issuer: identity.metadata.issuer,
    tenantId: identity.tenantId,
    clientId: config.clientId,
    nonce: transaction.nonce,
  });
  const { cookie } = await runtime.sessions.begin({
    secret: transaction.sessionSecret,
    claims,
    idToken: result.idToken,
    homeAccountId: result.account.homeAccountId,
    tokenCache: msal.getTokenCache().serialize(),
    userAgent: request.userAgent,
    cookieHeader,
  });
  return { location: transaction.returnTo, cookies: [cookie, runtime.transactions.clear(state)] };
}
