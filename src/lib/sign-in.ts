/**
 * The sign-in flow: starting it at `/api/login` and completing it at
 * `/api/redirect`.
 *
 * Start: PKCE (S256), a fresh state, nonce and session id, all sealed in the
 * transaction cookie; MSAL builds the authorize URL.
 * Complete: the transaction must match the returned state and still be
 * fresh; MSAL redeems the code with the same verifier and nonce; the ID token
 * is then verified here (msal-node does not); finally the token cache and the
 * session are created side by side: two Cosmos writes, nothing kept for a failed sign-in.
 *
 * @example
 * ```ts
 * const started = await startSignIn(runtime, { returnTo, prompt: 'create' }, context.cookies);
 * const completed = await completeSignIn(runtime, context.query, context.cookies);
 * // each: { location, cookies } for a 302
 * ```
 */
import type { Cookie } from '@azure/functions';
import { createHash } from 'node:crypto';
import type { RequestCookies } from './cookie';
import { cosmosStatus } from './cosmos';
import { AppError } from './errors';
import { verifyIdToken } from './id-token';
import { fromAuthorizationError, fromMsalError } from './identity-errors';
import { createMsalClient } from './msal';
import type { Runtime } from './runtime';
import { signInAlreadyCompleted } from './session';
import { randomToken } from './random';
import { deleteSession } from './sign-out';
import { newTransaction } from './transaction';

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
  cookies: RequestCookies,
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
  return { location, cookies: [...runtime.transactions.dropOldest(cookies), await runtime.transactions.seal(transaction)] };
}

export async function completeSignIn(
  runtime: Runtime,
  query: URLSearchParams,
  cookies: RequestCookies,
): Promise<{ location: string; cookies: Cookie[] }> {
  const { config } = runtime;
  const state = query.get('state');
  const providerError = query.get('error');
  if (providerError) throw fromAuthorizationError(providerError, query.get('error_description'), runtime.loginUrl);
  const code = query.get('code');
  if (!code || !state || code.length > 4096) {
    throw new AppError('invalid_request', {
      detail: 'This address is meant for the sign-in service to return to; it is missing its sign-in code.',
      loginUrl: runtime.loginUrl,
    });
  }
  const transaction = await runtime.transactions.open(cookies, state);
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
    throw new AppError('invalid_id_token', { detail: 'The sign-in service did not return an ID token. Please try again.' });
  }
  const claims = await verifyIdToken(result.idToken, {
    keys: identity.keys,
    issuer: identity.metadata.issuer,
    clientId: config.clientId,
    nonce: transaction.nonce,
  });

  // Signing in again (as anyone) ends the session this browser had: its cookie is about to be replaced.
  const previousSessionId = await runtime.sessionCookie.read(cookies);
  if (previousSessionId) await deleteSession(runtime, previousSessionId).catch(() => undefined);

  const { sessions, tokenCaches } = await runtime.stores();
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + config.session.absoluteTimeoutSeconds;
  // Both documents at once: one round trip instead of two. Each `create` fails on an existing id, so a
  // replayed sign-in creates nothing, and only what this request created is removed if the other fails.
  const [cacheWrite, sessionWrite] = await Promise.allSettled([
    tokenCaches.create(transaction.sessionId, msal.getTokenCache().serialize(), expiresAt),
    sessions.create({ id: transaction.sessionId, homeAccountId: result.account.homeAccountId, claims, idToken: result.idToken }, now),
  ]);
  if (cacheWrite.status === 'rejected' || sessionWrite.status === 'rejected') {
    await Promise.all([
      cacheWrite.status === 'fulfilled' ? tokenCaches.delete(transaction.sessionId).catch(() => undefined) : undefined,
      sessionWrite.status === 'fulfilled' ? sessions.delete(transaction.sessionId).catch(() => undefined) : undefined,
    ]);
    const failure = sessionWrite.status === 'rejected' ? sessionWrite.reason : (cacheWrite as PromiseRejectedResult).reason;
    throw cosmosStatus(failure) === 409 ? signInAlreadyCompleted() : failure;
  }
  const session = sessionWrite.value;
  return {
    location: transaction.returnTo,
    cookies: [await runtime.sessionCookie.issue(session.id, session.expiresAt), runtime.transactions.clear(state)],
  };
}
