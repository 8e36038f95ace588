/**
 * What MSAL's errors mean for the person in front of the browser, and for
 * whoever watches the logs.
 *
 * Only MSAL's error names, codes and HTTP status are looked at: messages can
 * echo request data. Names rather than classes, so that this module does not
 * load msal-node at start-up. The tenant's own error code travels as the
 * error's `reason`, which is logged but never shown.
 *
 * - the tenant is down or answers garbage: 503 with Retry-After;
 * - the app's registration is wrong (expired secret, unknown client, bad
 *   scope): 500, so it alerts like the outage it is, not like a user error;
 * - the user's grant is gone: 401 with the login URL (browser flows) or a
 *   502 for on-behalf-of, where signing in again would not help.
 */
import { AuthError } from './errors';

interface MsalLikeError {
  name: string;
  errorCode: string;
  status?: number;
}

function msalError(error: unknown): MsalLikeError | undefined {
  if (!(error instanceof Error) || typeof (error as { errorCode?: unknown }).errorCode !== 'string') return undefined;
  return error as Error & MsalLikeError;
}

const UNAVAILABLE_CODES = new Set([
  'network_error',
  'no_network_connectivity',
  'endpoints_resolution_error',
  'post_request_failed',
  'get_request_failed',
  'temporarily_unavailable',
  'server_error',
  'token_parsing_error',
]);
const MISCONFIGURED_CODES = new Set(['invalid_client', 'unauthorized_client', 'invalid_scope', 'unsupported_grant_type']);

/**
 * `sign-in`: redeeming an authorization code; `silent`: using the token cache; `on-behalf-of`: exchanging a
 * caller's bearer token; `app-only`: the app's own token (client credentials) for Microsoft Graph.
 */
export type MsalStep = 'sign-in' | 'silent' | 'on-behalf-of' | 'app-only';

export function fromMsalError(error: unknown, loginUrl: string, step: MsalStep): AuthError {
  if (error instanceof AuthError) return error;
  const msal = msalError(error);
  if (!msal) {
    return new AuthError('misconfigured', 500, 'Something went wrong on our side. Please try again later.', {
      reason: `unexpected:${error instanceof Error ? error.name : 'unknown'}`,
    });
  }
  const reason = `msal:${safeCode(msal.errorCode)}`;

  if (UNAVAILABLE_CODES.has(msal.errorCode) || (msal.status ?? 0) >= 500) return identityProviderUnavailable(reason);
  if (MISCONFIGURED_CODES.has(msal.errorCode)) {
    return new AuthError('misconfigured', 500, 'Sign-in is not set up correctly on our side. Please try again later.', { reason });
  }
  if (step === 'on-behalf-of' || step === 'app-only') {
    const whose = step === 'app-only' ? "the app's own token for Microsoft Graph" : 'a token for the downstream API on your behalf';
    return new AuthError(
      'downstream_failed',
      502,
      `The sign-in service would not issue ${whose} (${safeCode(msal.errorCode)}). Check the app's API permissions and admin consent.`,
      { reason },
    );
  }
  if (msal.errorCode === 'nonce_mismatch') {
    return new AuthError('invalid_id_token', 400, "The identity provider's answer does not belong to this sign-in, so you were not signed in. Please try again.", {
      reason,
    });
  }
  if (step === 'sign-in') {
    return new AuthError('code_redemption_failed', 400, 'This sign-in was already used, has expired or was refused. Please sign in again.', {
      loginUrl,
      reason,
    });
  }
  return new AuthError('interaction_required', 401, 'Your sign-in has expired for this action. Please sign in again.', { loginUrl, reason });
}

export function identityProviderUnavailable(reason?: string): AuthError {
  return new AuthError('identity_provider_unavailable', 503, 'The sign-in service cannot be reached right now. Please try again in a moment.', {
    retryAfterSeconds: 10,
    reason,
  });
}

/** Provider error codes are short tokens (RFC 6749); anything else is not echoed. */
export function safeCode(code: string | null | undefined): string {
  return code && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : 'unknown_error';
}
