/**
 * Ending a user's sessions at the tenant, not only here: Microsoft Graph
 * `POST /users/{id}/revokeSignInSessions` invalidates the user's refresh
 * tokens and browser session cookies at Entra ("with a delay of a few
 * minutes", Graph's documentation says). The app calls it with its own
 * token (client credentials), which needs the `User.RevokeSessions.All`
 * application permission with admin consent. Off unless
 * `REVOKE_TENANT_SESSIONS` is true.
 *
 * Tested by test/functions/user-sessions.test.ts.
 *
 * @example
 * ```ts
 * await revokeTenantSessions(runtime, '11111111-1111-4111-8111-111111111111');
 * ```
 */
import { AppError } from './errors';
import { fromMsalError } from './identity-errors';
import { createMsalClient } from './msal';
import type { Runtime } from './runtime';

const GRAPH = 'https://graph.microsoft.com';

export async function revokeTenantSessions(runtime: Runtime, userId: string): Promise<void> {
  const msal = await createMsalClient(runtime.config, await runtime.identity());
  const result = await msal.acquireTokenByClientCredential({ scopes: [`${GRAPH}/.default`] }).catch((error: unknown) => {
    throw fromMsalError(error, runtime.loginUrl, 'app-only');
  });
  if (!result) throw new AppError('downstream_failed', { detail: 'The sign-in service issued no token for Microsoft Graph.' });
  let response: Response;
  try {
    response = await fetch(`${GRAPH}/v1.0/users/${encodeURIComponent(userId)}/revokeSignInSessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${result.accessToken}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new AppError('downstream_unavailable', {
      detail: "The user's sessions here have ended, but Microsoft Graph cannot be reached to end them at the tenant. Try again in a moment.",
    });
  }
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return;
  const why =
    response.status === 403
      ? 'grant the app the User.RevokeSessions.All application permission with admin consent, or set REVOKE_TENANT_SESSIONS to false'
      : response.status === 404
        ? 'the tenant has no user with this id'
        : 'try again later';
  throw new AppError('downstream_failed', {
    detail: `The user's sessions here have ended, but Microsoft Graph refused to end them at the tenant (status ${response.status}): ${why}.`,
    reason: `graph:${response.status}`,
  });
}
