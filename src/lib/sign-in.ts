/**
 * The sign-in flow: starting it at `/api/login` and the steps that complete
 * it at `/api/redirect` (the function file strings them together).
 *
 * Start: PKCE (S256), a fresh state, nonce and session secret, all sealed in
 * the transaction cookie; MSAL builds the authorize URL.
 * Complete: {@link parseCallback} reads the tenant's answer; the transaction
 * must match the returned state and still be fresh; {@link redeemCode} has
 * MSAL redeem the code with the same verifier and nonce;
 * {@link verifySignInIdToken} verifies the ID token here (msal-node does
 * not); then the session begins (`session/`): the session and its token
 * cache in one transactional batch, nothing kept for a failed sign-in.
 *
 * Tested by test/functions/login.test.ts and test/functions/redirect.test.ts.
 *
 * @example
 * ```ts
 * const started = await startSignIn(runtime, { returnTo, prompt: 'create' }, context.cookies); // { location, cookies } for a 302
 * const { code, state } = parseCallback(context.query, runtime.loginUrl);
 * ```
 */
import type { Cookie } from '@azure/functions';
import { createHash } from 'node:crypto';
import type { RequestCookies } from './cookie';
import { AppError } from './errors';
import { verifyIdToken, type IdTokenClaims } from './id-token';
import { fromAuthorizationError, fromMsalError } from './identity-errors';
import { createMsalClient } from './msal';
import { randomToken } from './random';
import type { Runtime } from './runtime';
import { newTransaction, type LoginTransaction } from './transaction';

export const PROMPTS = ['login', 'select_account', 'create', 'none'] as const;
export type Prompt = (typeof PROMPTS)[number];

export interface SignInOptions {
  /** Absolute URL, already checked by the return-to policy. */
  returnTo: string;
  prompt?: Prompt;
  loginHint?: string;
}

export async function startSignIn(runtime: Runtime, options: SignInOptions, cookies: RequestCookies): Promise<{ location: string; cookies: Cookie[] }> {
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
  return { location, cookies: [...runtime.transactions.dropOldest(cookies), runtime.transactions.seal(transaction)] };
}

/** What the tenant sent to the redirect URI: the code and state, or an error it reported instead. */
export function parseCallback(query: URLSearchParams, loginUrl: string): { code: string; state: string } {
  const providerError = query.get('error');
  if (providerError) throw fromAuthorizationError(providerError, query.get('error_description'), loginUrl);
  const code = query.get('code');
  const state = query.get('state');
  if (!code || !state || code.length > 4096) {
    throw new AppError('invalid_request', {
      detail: 'This address is meant for the sign-in service to return to; it is missing its sign-in code.',
      loginUrl,
    });
  }
  return { code, state };
}

/** What redeeming the code gave: what the session begins with. */
export interface Redemption {
  idToken: string;
  /** MSAL's account key, to find the account in the token cache later. */
  homeAccountId: string;
  /** MSAL's serialized cache, holding the refresh token. */
  tokenCache: string;
}

/** MSAL redeems the code with this sign-in's PKCE verifier and nonce. */
export async function redeemCode(runtime: Runtime, code: string, transaction: LoginTransaction): Promise<Redemption> {
  const { config } = runtime;
  const msal = await createMsalClient(config, await runtime.identity());
  const result = await msal
    .acquireTokenByCode({
      code,
      redirectUri: config.redirectUri,
      scopes: config.downstream.scopes,
      codeVerifier: transaction.codeVerifier,
      nonce: transaction.nonce,
      state: transaction.state,
    })
    .catch((error: unknown) => {
      throw fromMsalError(error, runtime.loginUrl, 'sign-in');
    });
  if (!result.account || !result.idToken) {
    throw new AppError('invalid_id_token', { detail: 'The sign-in service did not return an ID token. Please try again.' });
  }
  return { idToken: result.idToken, homeAccountId: result.account.homeAccountId, tokenCache: msal.getTokenCache().serialize() };
}

/** The ID token, verified against the tenant (keys, issuer, tenant, audience, times) and this sign-in's nonce. */
export async function verifySignInIdToken(runtime: Runtime, idToken: string, transaction: LoginTransaction): Promise<IdTokenClaims> {
  const identity = await runtime.identity();
  return verifyIdToken(idToken, {
    keys: identity.keys,
    issuer: identity.metadata.issuer,
    tenantId: identity.tenantId,
    clientId: runtime.config.clientId,
    nonce: transaction.nonce,
  });
}
