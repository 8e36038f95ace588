/**
 * What MSAL's errors mean for the person in front of the browser.
 * Only MSAL's error *codes* are looked at: their messages can echo request data.
 */
import { AuthError as MsalError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { AuthError } from './errors';

const NETWORK_CODES = new Set(['network_error', 'no_network_connectivity', 'endpoints_resolution_error', 'post_request_failed', 'get_request_failed']);

/** `sign-in`: redeeming an authorization code; `silent`: using the token cache. */
export type MsalStep = 'sign-in' | 'silent';

export function fromMsalError(error: unknown, loginUrl: string, step: MsalStep): AuthError {
  if (error instanceof AuthError) return error;
  if (step === 'sign-in' && error instanceof ServerError && error.errorCode === 'invalid_grant') {
    return new AuthError('code_redemption_failed', 400, 'This sign-in was already used or has expired. Please sign in again.', { loginUrl });
  }
  if (error instanceof InteractionRequiredAuthError || (error instanceof ServerError && error.errorCode === 'invalid_grant')) {
    return new AuthError('interaction_required', 401, 'Your sign-in has expired for this action. Please sign in again.', { loginUrl });
  }
  if (error instanceof MsalError && NETWORK_CODES.has(error.errorCode)) {
    return new AuthError('identity_provider_unavailable', 503, 'The sign-in service cannot be reached right now. Please try again in a moment.', {
      retryAfterSeconds: 10,
    });
  }
  if (error instanceof MsalError && error.errorCode === 'nonce_mismatch') {
    return new AuthError('invalid_id_token', 400, "The identity provider's answer does not belong to this sign-in, so you were not signed in. Please try again.");
  }
  if (error instanceof ServerError) {
    return new AuthError('code_redemption_failed', 400, `The sign-in service refused the request (${safeCode(error.errorCode)}). Please sign in again.`, { loginUrl });
  }
  return new AuthError('misconfigured', 500, 'Something went wrong on our side. Please try again later.');
}

/** Provider error codes are short tokens (RFC 6749); anything else is not echoed. */
export function safeCode(code: string | null | undefined): string {
  return code && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : 'unknown_error';
}
