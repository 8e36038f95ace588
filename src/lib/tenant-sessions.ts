/**
 * Ending a user's sessions at the tenant, not only here: Microsoft Graph
 * `POST /users/{id}/revokeSignInSessions` invalidates the user's refresh
 * tokens and browser session cookies at Entra ("with a delay of a few
 * minutes", Graph's documentation says). The app calls it with its own
 * token (client credentials), which needs the `User.RevokeSessions.All`
 * application permission with admin consent. Off unless
 * `REVOKE_TENANT_SESSIONS` is true.
 *
 * The sessions here have ended before Graph is called, so every failure
 * says so, and the call is safe to repeat. What Graph answers decides the rest:
 *
 * | Graph | result |
 * | --- | --- |
 * | 2xx | `true`: revoked |
 * | 404 (no such user in the tenant, e.g. deleted) | `false`: nothing at the tenant to revoke |
 * | 403 (permission not granted) | 500 `misconfigured`, naming `REVOKE_TENANT_SESSIONS` and the permission |
 * | 429, 5xx, unreachable | 503 `downstream_unavailable` with Graph's `Retry-After` (or 10 s) |
 * | anything else | 502 `downstream_failed` |
 *
 * Tested by test/functions/user-sessions.test.ts.
 *
 * @example
 * ```ts
 * const revoked = await revokeTenantSessions(runtime, '11111111-1111-4111-8111-111111111111');
 * ```
 */
import { AppError } from './errors';
import { fromMsalError } from './identity-errors';
import { createMsalClient } from './msal';
import type { Runtime } from './runtime';

const GRAPH = 'https://graph.microsoft.com';
const ENDED_HERE = "The user's sessions here have ended, but";

/** True when the tenant revoked the user's sessions; false when the tenant has no such user. */
export async function revokeTenantSessions(runtime: Runtime, userId: string): Promise<boolean> {
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
      detail: `${ENDED_HERE} Microsoft Graph cannot be reached to end them at the tenant. Try again in a moment.`,
      reason: 'graph:unreachable',
    });
  }
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return true;
  if (response.status === 404) return false;
  throw graphRefused(response);
}

function graphRefused(response: Response): AppError {
  const { status } = response;
  const reason = `graph:${status}`;
  if (status === 403) {
    return new AppError('misconfigured', {
      detail: `${ENDED_HERE} Microsoft Graph refused to end them at the tenant (status 403): grant the app the User.RevokeSessions.All application permission with admin consent, or set REVOKE_TENANT_SESSIONS to false.`,
      reason,
      setting: 'REVOKE_TENANT_SESSIONS',
    });
  }
  if (status === 429 || status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'));
    return new AppError('downstream_unavailable', {
      detail: `${ENDED_HERE} Microsoft Graph is busy or unavailable (status ${status}). Call again later to end them at the tenant.`,
      reason,
      ...(Number.isInteger(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  return new AppError('downstream_failed', {
    detail: `${ENDED_HERE} Microsoft Graph did not end them at the tenant (status ${status}).`,
    reason,
  });
}
