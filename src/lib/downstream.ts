/**
 * Calling the downstream API (Microsoft Graph by default) on the signed-in
 * user's behalf, with an access token from the session's token cache.
 *
 * MSAL returns the cached token while it is valid and redeems the refresh
 * token when it is not; the cache plugin then writes the rotated tokens
 * back. Concurrent requests of one session on one instance share that work:
 * one token-cache read, at most one refresh at the tenant and one write, and
 * every request gets the token (other instances refresh on their own, and
 * the plugin's ETag merge keeps both refresh tokens). When no token can be
 * had silently the caller gets a 401 with the login URL. Bearer callers
 * (headless clients) get the downstream token through the on-behalf-of flow,
 * exchanging the token they sent us.
 *
 * Tested by test/functions/me.test.ts (and the refresh in test/functions/sign-in-cycle.test.ts,
 * concurrent refreshes in test/functions/two-instances.test.ts).
 *
 * @example
 * ```ts
 * const body = await callDownstreamApi(runtime, context.caller); // in a function with auth: 'signed-in'
 * ```
 */
import { AppError } from './errors';
import { fromMsalError } from './identity-errors';
import { createMsalClient } from './msal';
import type { Runtime } from './runtime';
import type { Caller } from './current-user';
import type { Session } from './session';
import { SingleFlight } from './single-flight';

/** This instance's token requests in flight, by session id (the downstream scopes are the instance's one set). */
const sessionTokens = new SingleFlight<string, string>();

export async function callDownstreamApi(runtime: Runtime, caller: Caller): Promise<unknown> {
  const accessToken = caller.kind === 'session' ? await tokenForSession(runtime, caller.session) : await tokenOnBehalfOf(runtime, caller.token);
  return fetchJson(runtime.config.downstream.url, accessToken);
}

async function tokenOnBehalfOf(runtime: Runtime, assertion: string): Promise<string> {
  const msal = await createMsalClient(runtime.config, await runtime.identity());
  const result = await msal
    .acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes: runtime.config.downstream.scopes })
    .catch((error: unknown) => {
      throw fromMsalError(error, runtime.loginUrl, 'on-behalf-of');
    });
  if (!result) throw new AppError('interaction_required', { detail: 'No token could be obtained for the downstream API.' });
  return result.accessToken;
}

function tokenForSession(runtime: Runtime, session: Session): Promise<string> {
  return sessionTokens.run(session.id, () => acquireForSession(runtime, session));
}

async function acquireForSession(runtime: Runtime, session: Session): Promise<string> {
  const { config } = runtime;
  const identity = await runtime.identity();
  const msal = await createMsalClient(config, identity, runtime.sessions.tokenCaches.pluginFor(session));
  const account = await msal.getTokenCache().getAccountByHomeId(session.homeAccountId);
  if (!account) {
    throw new AppError('interaction_required', { loginUrl: runtime.loginUrl });
  }
  const { accessToken } = await msal.acquireTokenSilent({ account, scopes: config.downstream.scopes }).catch((error: unknown) => {
    throw fromMsalError(error, runtime.loginUrl, 'silent');
  });
  return accessToken;
}

async function fetchJson(url: string, accessToken: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new AppError('downstream_unavailable');
  }
  if (!response.ok) {
    throw new AppError('downstream_failed', { detail: `The downstream API answered with status ${response.status}.` });
  }
  try {
    return await response.json();
  } catch {
    throw new AppError('downstream_failed', { detail: 'The downstream API did not answer with JSON.' });
  }
}
