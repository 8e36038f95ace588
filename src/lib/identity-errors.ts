/**
 * What the tenant's errors mean for the person in front of the browser, and
 * for whoever watches the logs: MSAL's errors, a failed discovery, and errors
 * sent to the redirect URI.
 *
 * Only error names, codes, AADSTS numbers and HTTP status are looked at:
 * messages and descriptions can echo request data. MSAL's errors are told
 * apart by name rather than class, so that this module does not load
 * msal-node at start-up. The tenant's codes travel as the error's `reason`,
 * which is logged; a setup-mistake page shows the AADSTS number too, since
 * that is what a search or a support case needs.
 *
 * - the tenant is down, slow or answers garbage: 503 with Retry-After;
 * - a setup mistake (a tenant or host that does not exist, a refused client
 *   secret, an unknown client, an unregistered redirect URI, a bad scope):
 *   500 with no Retry-After, since retrying never fixes it. The page says
 *   sign-in is not set up correctly and names the setting to check; the log
 *   line carries the setting and the URL tried (`extra.setting`, `extra.url`);
 * - the user's grant is gone: 401 with the login URL (browser flows) or a
 *   502 for on-behalf-of, where signing in again would not help.
 */
import type { DiscoveryError } from './authority';
import { AuthError, type AuthErrorCode } from './errors';

interface MsalLikeError {
  name: string;
  errorCode: string;
  status?: number;
  /** Entra's first error code (the AADSTS number), on MSAL's ServerError. */
  errorNo?: string | number;
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
/** AADSTS50011: the redirect URI is not registered. Entra reports it as `invalid_client` at the token endpoint. */
const REDIRECT_URI_MISMATCH = 50011;

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
  const aadsts = Number.isInteger(Number(msal.errorNo)) && Number(msal.errorNo) > 0 ? Number(msal.errorNo) : undefined;
  const reason = `msal:${safeCode(msal.errorCode)}${aadsts ? ` aadsts:${aadsts}` : ''}`;

  if (UNAVAILABLE_CODES.has(msal.errorCode) || (msal.status ?? 0) >= 500) return identityProviderUnavailable(reason);
  const mistake = registrationMistake(safeCode(msal.errorCode), aadsts, reason);
  if (mistake) return mistake;
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

/**
 * What Entra sent back to the redirect URI instead of a code
 * (`?error=…&error_description=…`). Only the error word and the AADSTS number
 * are kept: the description can echo request data.
 */
export function fromAuthorizationError(error: string, description: string | null, loginUrl: string): AuthError {
  const code = safeCode(error);
  const aadsts = Number(/\bAADSTS(\d{1,9})\b/.exec(description ?? '')?.[1]) || undefined;
  const reason = `authorize:${code}${aadsts ? ` aadsts:${aadsts}` : ''}`;
  if (code === 'access_denied') {
    return new AuthError('authorization_failed', 401, 'Sign-in was cancelled or not allowed. You can try again.', { loginUrl, reason });
  }
  // RFC 6749 §4.1.2.1: the redirect's way of saying 500 and 503.
  if (code === 'server_error' || code === 'temporarily_unavailable') return identityProviderUnavailable(reason);
  const mistake = registrationMistake(code, aadsts, reason);
  if (mistake) return mistake;
  return new AuthError('authorization_failed', 400, `The sign-in service reported a problem (${code}). Please try again.`, { loginUrl, reason });
}

/** The tenant's discovery document could not be had; `setting` is the one that chose the authority. */
export function fromDiscoveryError(error: DiscoveryError, setting: string): AuthError {
  const log = { reason: error.reason, setting, url: error.url };
  const { status, aadsts, network } = error.details;
  switch (error.code) {
    case 'tenant_not_found':
      return setupMistake(
        'tenant_not_found',
        `the sign-in service has no tenant at ${error.url} (it answered ${status}${aadsts ? `, AADSTS${aadsts}` : ''}). Check the ${setting} setting.`,
        log,
      );
    case 'host_not_found':
      return setupMistake('authority_host_not_found', `the host name ${error.host} does not exist (its DNS lookup failed). Check the ${setting} setting.`, log);
    case 'untrusted_certificate':
      return setupMistake(
        'untrusted_certificate',
        `this app does not trust the certificate of ${error.host} (${network?.code ?? 'untrusted'}). ` +
          `For a local or private sign-in service, start the app with NODE_EXTRA_CA_CERTS set to its CA certificate; otherwise check the ${setting} setting.`,
        log,
      );
    default:
      return identityProviderUnavailable(error.reason);
  }
}

/** The app's registration or settings, as the tenant's error code reveals them; undefined for anything else. */
function registrationMistake(oauthError: string, aadsts: number | undefined, reason: string): AuthError | undefined {
  const number = aadsts ? `, AADSTS${aadsts}` : '';
  if (aadsts === REDIRECT_URI_MISMATCH) {
    return setupMistake(
      'redirect_uri_mismatch',
      `the sign-in service does not accept this app's redirect URI (${oauthError}${number}). Add the REDIRECT_URI value to the app registration (Authentication, Web platform), or correct REDIRECT_URI.`,
      { reason, setting: 'REDIRECT_URI' },
    );
  }
  switch (oauthError) {
    case 'invalid_client':
      return setupMistake(
        'client_secret_rejected',
        `the sign-in service refused the app's client secret, which is wrong or has expired (${oauthError}${number}). Check the CLIENT_SECRET setting against the app registration's Certificates & secrets.`,
        { reason, setting: 'CLIENT_SECRET' },
      );
    case 'unauthorized_client':
      return setupMistake(
        'client_not_authorized',
        `the sign-in service does not accept this app for this kind of sign-in (${oauthError}${number}). Check the CLIENT_ID setting, and that the app registration belongs to this tenant.`,
        { reason, setting: 'CLIENT_ID' },
      );
    case 'invalid_scope':
      return setupMistake(
        'misconfigured',
        `the sign-in service refused the scopes this app asks for (${oauthError}${number}). Check the DOWNSTREAM_API_SCOPES setting, and the app registration's API permissions and admin consent.`,
        { reason, setting: 'DOWNSTREAM_API_SCOPES' },
      );
    case 'unsupported_grant_type':
      return setupMistake('misconfigured', `the sign-in service does not support a request this app needs (${oauthError}${number}).`, { reason });
    default:
      return undefined;
  }
}

/** A mistake in the settings or the app registration: 500, no Retry-After, a page that says so. */
function setupMistake(code: AuthErrorCode, problem: string, log: { reason: string; setting?: string; url?: string }): AuthError {
  return new AuthError(code, 500, `Sign-in is not set up correctly on this site: ${problem}`, log);
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
