/**
 * What MSAL's errors mean for the person in front of the browser.
 * Only MSAL's error names and codes are looked at: their messages can echo
 * request data. Names rather than classes, so that this module does not
 * load msal-node at start-up.
 */
import { AuthError } from './errors';

interface MsalLikeError {
  name: string;
  errorCode: string;
}

function msalError(error: unknown): MsalLikeError | undefined {
  if (!(error instanceof Error) || typeof (error as { errorCode?: unknown }).errorCode !== 'string') return undefined;
  return error as Error & MsalLikeError;
}

const NETWORK_CODES = new Set(['network_error', 'no_network_connectivity', 'endpoints_resolution_error', 'post_request_failed', 'get_request_failed']);

/** `sign-in`: redeeming an authorization code; `silent`: using the token cache; `on-behalf-of`: exchanging a caller's bearer token. */
export type MsalStep = 'sign-in' | 'silent' | 'on-behalf-of';

export function fromMsalError(error: unknown, loginUrl: string, step: MsalStep): AuthError {
  if (error instanceof AuthError) return error;
  const msal = msalError(error);
  if (!msal) return new AuthError('misconfigured', 500, 'Something went wrong on our side. Please try again later.');
  const isServerError = msal.name === 'ServerError';
  if (step === 'sign-in' && isServerError && msal.errorCode === 'invalid_grant') {
    return new AuthError('code_redemption_failed', 400, 'This sign-in was already used or has expired. Please sign in again.', { loginUrl });
  }
  if (msal.name === 'InteractionRequiredAuthError' || (isServerError && msal.errorCode === 'invalid_grant')) {
    return new AuthError('interaction_required', 401, 'Your sign-in has expired for this action. Please sign in again.', { loginUrl });
  }
  if (NETWORK_CODES.has(msal.errorCode)) {
    return new AuthError('identity_provider_unavailable', 503, 'The sign-in service cannot be reached right now. Please try again in a moment.', {
      retryAfterSeconds: 10,
    });
  }
  if (msal.errorCode === 'nonce_mismatch') {
    return new AuthError('invalid_id_token', 400, "The identity provider's answer does not belong to this sign-in, so you were not signed in. Please try again.");
  }
  if (step === 'on-behalf-of' && isServerError) {
    return new AuthError(
      'downstream_failed',
      502,
      `The sign-in service would not issue a token for the downstream API on your behalf (${safeCode(msal.errorCode)}). Check the app's API permissions and admin consent.`,
    );
  }
  if (isServerError) {
    return new AuthError('code_redemption_failed', 400, `The sign-in service refused the request (${safeCode(msal.errorCode)}). Please sign in again.`, { loginUrl });
  }
  return new AuthError('misconfigured', 500, 'Something went wrong on our side. Please try again later.');
}

/** Provider error codes are short tokens (RFC 6749); anything else is not echoed. */
export function safeCode(code: string | null | undefined): string {
  return code && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : 'unknown_error';
}
