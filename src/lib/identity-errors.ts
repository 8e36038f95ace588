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
import { AppError, notSetUp, toAppError, type ErrorCode } from './errors';

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

/**
 * `sign-in`: redeeming an authorization code; `silent`: using the token cache; `on-behalf-of`: exchanging a
 * caller's bearer token; `app-only`: the app's own token (client credentials) for Microsoft Graph.
 */
export type MsalStep = 'sign-in' | 'silent' | 'on-behalf-of' | 'app-only';

/** What the tenant said, reduced to what is safe to look at and to log. */
interface TenantAnswer {
  /** The OAuth error word or MSAL's error code, checked by {@link safeCode}. */
  error: string;
  aadsts?: number;
  /** For the log: `msal:invalid_client aadsts:7000215`. */
  reason: string;
}

/**
 * Mistakes in the settings or the app registration that the tenant's answer
 * reveals, first match first. Each names the setting to check; `said` is the
 * tenant's error word and AADSTS number, for the page.
 */
const SETUP_MISTAKES: readonly { aadsts?: number; error?: string; code: ErrorCode; setting?: string; problem: (said: string) => string }[] = [
  {
    // Entra reports an unregistered redirect URI as `invalid_client` at the token endpoint, so the number decides.
    aadsts: 50011,
    code: 'redirect_uri_mismatch',
    setting: 'REDIRECT_URI',
    problem: (said) =>
      `the sign-in service does not accept this app's redirect URI (${said}). Add the REDIRECT_URI value to the app registration (Authentication, Web platform), or correct REDIRECT_URI.`,
  },
  {
    error: 'invalid_client',
    code: 'client_secret_rejected',
    setting: 'CLIENT_SECRET',
    problem: (said) =>
      `the sign-in service refused the app's client secret, which is wrong or has expired (${said}). Check the CLIENT_SECRET setting against the app registration's Certificates & secrets.`,
  },
  {
    error: 'unauthorized_client',
    code: 'client_not_authorized',
    setting: 'CLIENT_ID',
    problem: (said) =>
      `the sign-in service does not accept this app for this kind of sign-in (${said}). Check the CLIENT_ID setting, and that the app registration belongs to this tenant.`,
  },
  {
    error: 'invalid_scope',
    code: 'misconfigured',
    setting: 'DOWNSTREAM_API_SCOPES',
    problem: (said) =>
      `the sign-in service refused the scopes this app asks for (${said}). Check the DOWNSTREAM_API_SCOPES setting, and the app registration's API permissions and admin consent.`,
  },
  {
    error: 'unsupported_grant_type',
    code: 'misconfigured',
    problem: (said) => `the sign-in service does not support a request this app needs (${said}).`,
  },
];

/** MSAL's codes for a tenant that could not be reached, or answered garbage. */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'network_error',
  'no_network_connectivity',
  'endpoints_resolution_error',
  'post_request_failed',
  'get_request_failed',
  'temporarily_unavailable',
  'server_error',
  'token_parsing_error',
]);

/**
 * What MSAL's other errors mean, first match first (after outages and setup
 * mistakes); a row without conditions matches anything. `signIn` offers the
 * login URL with the error.
 */
const MSAL_RULES: readonly { errorCode?: string; step?: MsalStep; code: ErrorCode; signIn?: true; detail?: (error: string) => string }[] = [
  {
    // Signing in again would not help: the app lacks a permission or consent.
    step: 'on-behalf-of',
    code: 'downstream_failed',
    detail: (error) =>
      `The sign-in service would not issue a token for the downstream API on your behalf (${error}). Check the app's API permissions and admin consent.`,
  },
  {
    step: 'app-only',
    code: 'downstream_failed',
    detail: (error) =>
      `The sign-in service would not issue the app's own token for Microsoft Graph (${error}). Check the app's API permissions and admin consent.`,
  },
  {
    errorCode: 'nonce_mismatch',
    code: 'invalid_id_token',
    detail: () => "The identity provider's answer does not belong to this sign-in, so you were not signed in. Please try again.",
  },
  { step: 'sign-in', code: 'code_redemption_failed', signIn: true },
  { code: 'interaction_required', signIn: true },
];

/** What MSAL's error at `step` means for the caller; an error that is not MSAL's is a bug. */
export function fromMsalError(error: unknown, loginUrl: string, step: MsalStep): AppError {
  if (error instanceof AppError) return error;
  const msal = msalError(error);
  if (!msal) return toAppError(error);
  const aadsts = Number.isInteger(Number(msal.errorNo)) && Number(msal.errorNo) > 0 ? Number(msal.errorNo) : undefined;
  const answer = { error: safeCode(msal.errorCode), aadsts, reason: `msal:${safeCode(msal.errorCode)}${aadsts ? ` aadsts:${aadsts}` : ''}` };

  if (UNAVAILABLE_CODES.has(msal.errorCode) || (msal.status ?? 0) >= 500) return identityProviderUnavailable(answer.reason);
  const mistake = setupMistake(answer);
  if (mistake) return mistake;
  const rule = MSAL_RULES.find((candidate) => (candidate.errorCode ?? msal.errorCode) === msal.errorCode && (candidate.step ?? step) === step)!;
  return new AppError(rule.code, {
    ...(rule.detail ? { detail: rule.detail(answer.error) } : {}),
    ...(rule.signIn ? { loginUrl } : {}),
    reason: answer.reason,
  });
}

/**
 * What Entra sent back to the redirect URI instead of a code
 * (`?error=…&error_description=…`). Only the error word and the AADSTS number
 * are kept: the description can echo request data.
 */
export function fromAuthorizationError(error: string, description: string | null, loginUrl: string): AppError {
  const code = safeCode(error);
  const aadsts = Number(/\bAADSTS(\d{1,9})\b/.exec(description ?? '')?.[1]) || undefined;
  const reason = `authorize:${code}${aadsts ? ` aadsts:${aadsts}` : ''}`;
  if (code === 'access_denied') return new AppError('access_denied', { loginUrl, reason });
  // RFC 6749 §4.1.2.1: the redirect's way of saying 500 and 503.
  if (code === 'server_error' || code === 'temporarily_unavailable') return identityProviderUnavailable(reason);
  return (
    setupMistake({ error: code, aadsts, reason }) ??
    new AppError('authorization_failed', { detail: `The sign-in service reported a problem (${code}). Please try again.`, loginUrl, reason })
  );
}

/** The tenant's discovery document could not be had; `setting` is the one that chose the authority. */
export function fromDiscoveryError(error: DiscoveryError, setting: string): AppError {
  const log = { reason: error.reason, setting, url: error.url };
  const { status, aadsts, network } = error.details;
  switch (error.code) {
    case 'tenant_not_found':
      return notSetUp(
        'tenant_not_found',
        `the sign-in service has no tenant at ${error.url} (it answered ${status}${aadsts ? `, AADSTS${aadsts}` : ''}). Check the ${setting} setting.`,
        log,
      );
    case 'host_not_found':
      return notSetUp('authority_host_not_found', `the host name ${error.host} does not exist (its DNS lookup failed). Check the ${setting} setting.`, log);
    case 'untrusted_certificate':
      return notSetUp(
        'untrusted_certificate',
        `this app does not trust the certificate of ${error.host} (${network?.code ?? 'untrusted'}). ` +
          `For a local or private sign-in service, start the app with NODE_EXTRA_CA_CERTS set to its CA certificate; otherwise check the ${setting} setting.`,
        log,
      );
    default:
      return identityProviderUnavailable(error.reason);
  }
}

/** The first {@link SETUP_MISTAKES} row the answer matches, as an error; undefined for anything else. */
function setupMistake(answer: TenantAnswer): AppError | undefined {
  const row = SETUP_MISTAKES.find((candidate) => (candidate.aadsts ? candidate.aadsts === answer.aadsts : candidate.error === answer.error));
  if (!row) return undefined;
  const said = `${answer.error}${answer.aadsts ? `, AADSTS${answer.aadsts}` : ''}`;
  return notSetUp(row.code, row.problem(said), { reason: answer.reason, ...(row.setting ? { setting: row.setting } : {}) });
}

export function identityProviderUnavailable(reason?: string): AppError {
  return new AppError('identity_provider_unavailable', reason ? { reason } : {});
}

/** Provider error codes are short tokens (RFC 6749); anything else is not echoed. */
export function safeCode(code: string | null | undefined): string {
  return code && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : 'unknown_error';
}
