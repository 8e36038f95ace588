/**
 * How the command-line client ends: one exit code per kind of ending, and the
 * one place MSAL's errors become sentences a person can act on.
 *
 * Only MSAL's error *codes* are looked at, never its messages, and a provider
 * error code is echoed only when it looks like one (see `safeCode`): nothing a
 * server or MSAL writes can carry a token into the terminal.
 *
 * @example
 * ```ts
 * throw new CliError(EXIT.loginRequired, 'You are not signed in. Run `fnauth login` first.');
 * ```
 */
import { AuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import type { DiscoveryError } from '../lib/authority';
import { safeCode } from '../lib/identity-errors';
import type { NetworkFailure } from '../lib/network-failure';
import { isLoopback } from '../lib/settings/rules';
import type { NetworkClient, ProviderError } from './network';

/** Exit codes; `fnauth --help` and the README's "Headless devices" section list them too. */
export const EXIT = {
  ok: 0,
  /** A bug or an answer nobody planned for. */
  failure: 1,
  /** Bad flags or settings, including a tenant or host name that does not exist. */
  usage: 2,
  /** Not signed in, or the refresh token no longer works: run `login`. */
  loginRequired: 3,
  /** The device code expired before the user finished signing in. */
  codeExpired: 4,
  /** The user declined the sign-in. */
  declined: 5,
  /** The tenant answered `slow_down`, which MSAL treats as the end of the flow. */
  slowDown: 6,
  /** The sign-in service or the API cannot be reached right now (timeout, refused connection, 5xx). */
  network: 7,
  /** The API answered with a status other than 2xx. */
  apiError: 8,
  /** The tenant refused the request (client id, scope, app registration settings). */
  refused: 9,
  /** Ctrl-C. */
  cancelled: 130,
  /** The output was closed early (`| head`): 128 + SIGPIPE (13), what `yes | head -1` reports for `yes`. */
  closedPipe: 141,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    /** One or more sentences a person can act on. Never holds a token, code or secret. */
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const LOGIN_AGAIN = 'Run `fnauth login` to sign in again.';

/** Where the CLI's settings that choose the sign-in service are named in messages. */
const AUTHORITY_SETTINGS = '--tenant / TENANT_SUBDOMAIN (or --authority / AUTHORITY)';

/** What the last requests revealed that MSAL's error drops. */
type NetworkView = Pick<NetworkClient, 'lastProviderError' | 'lastNetworkFailure'>;

const loginRequired = () =>
  new CliError(EXIT.loginRequired, `Your sign-in has expired or was revoked, so no new access token could be had. ${LOGIN_AGAIN}`);

/**
 * The tenant's OAuth error on a device code poll (MSAL reports it as
 * `post_request_failed`, with the error word as its message). Anything not
 * listed is a refusal (exit 9).
 */
const POLL_ENDINGS: Readonly<Record<string, (oauthError: string) => CliError>> = {
  expired_token: () => codeExpired(),
  authorization_declined: (oauthError) => declined(oauthError),
  access_denied: (oauthError) => declined(oauthError),
  slow_down: () =>
    new CliError(
      EXIT.slowDown,
      'The sign-in service asked this device to poll more slowly (slow_down). MSAL ends the sign-in on that answer ' +
        'instead of slowing down, so it stopped here. Wait a minute, then run `fnauth login` again.',
    ),
};

/**
 * MSAL's error codes and how each ends the command. A code not listed ends
 * as a refusal when the tenant answered (`ServerError`), as "sign in again"
 * when MSAL says an interaction is needed, and as a failure otherwise.
 */
const MSAL_ENDINGS: Readonly<Record<string, (error: AuthError, network?: NetworkView) => CliError>> = {
  device_code_polling_cancelled: () => new CliError(EXIT.cancelled, 'Sign-in cancelled.'),
  device_code_expired: () => codeExpired(),
  user_timeout_reached: () => codeExpired(),
  post_request_failed: (error, network) => {
    const oauthError = safeCode(error.errorMessage);
    return POLL_ENDINGS[oauthError]?.(oauthError) ?? refused(oauthError, network?.lastProviderError());
  },
  network_error: (_error, network) => unreachable(network),
  no_network_connectivity: (_error, network) => unreachable(network),
  endpoints_resolution_error: (_error, network) => unreachable(network),
  get_request_failed: (_error, network) => unreachable(network),
  invalid_grant: (error, network) => (error instanceof ServerError ? loginRequired() : fallback(error, network)),
};

/**
 * MSAL's device-code and silent errors as endings. `network` remembers what
 * MSAL drops: the last OAuth error the tenant answered with, and why the last
 * request got no answer.
 */
export function fromMsalError(error: unknown, network?: NetworkView): CliError {
  if (error instanceof CliError) return error;
  if (!(error instanceof AuthError)) {
    const name = error instanceof Error ? error.name : typeof error;
    return new CliError(EXIT.failure, `Something unexpected went wrong (${safeCode(name)}). Please try again, and report it if it keeps happening.`);
  }
  return (Object.hasOwn(MSAL_ENDINGS, error.errorCode) ? MSAL_ENDINGS[error.errorCode]! : fallback)(error, network);
}

function fallback(error: AuthError, network?: NetworkView): CliError {
  if (error instanceof InteractionRequiredAuthError) return loginRequired();
  if (error instanceof ServerError) return refused(safeCode(error.errorCode), network?.lastProviderError());
  return new CliError(EXIT.failure, `The sign-in failed (${safeCode(error.errorCode)}). Please try again.`);
}

function unreachable(network?: NetworkView): CliError {
  const failure = network?.lastNetworkFailure();
  return (
    (failure && hostMistake(failure, failure.host, AUTHORITY_SETTINGS)) ??
    new CliError(EXIT.network, 'The sign-in service cannot be reached. Check your network connection, then try again.')
  );
}

function declined(oauthError: string): CliError {
  return new CliError(EXIT.declined, `The sign-in was declined (${oauthError}). Run \`fnauth login\` to try again.`);
}

/**
 * The tenant's discovery document could not be had. A tenant or host that
 * does not exist, or an untrusted certificate, is a setting to fix (exit 2);
 * anything else may pass (exit 7).
 */
export function fromDiscoveryError(error: DiscoveryError, setting: string): CliError {
  const { status, aadsts, network } = error.details;
  if (error.code === 'tenant_not_found') {
    return new CliError(
      EXIT.usage,
      `The sign-in service has no tenant at ${error.url} (it answered ${status}${aadsts ? `, AADSTS${aadsts}` : ''}). Check ${setting}.`,
    );
  }
  const mistake = network && hostMistake(network, error.host, setting);
  if (mistake) return mistake;
  const local = isLoopback(new URL(error.url));
  return new CliError(
    EXIT.network,
    `The sign-in service cannot be reached (${error.url}). Check ${setting} and your network connection.` +
      (local ? ' For the local provider: is it running (npm run dev)?' : ''),
  );
}

/**
 * A host name that does not resolve, or a certificate Node does not trust:
 * retrying never helps, so these are settings to fix (exit 2). Undefined for
 * failures that may pass.
 */
export function hostMistake(failure: NetworkFailure, host: string, setting: string): CliError | undefined {
  if (failure.kind === 'host_not_found') {
    return new CliError(EXIT.usage, `The host name ${host} does not exist (its DNS lookup failed). Check ${setting}.`);
  }
  if (failure.kind === 'untrusted_certificate') {
    return new CliError(
      EXIT.usage,
      `This computer does not trust the certificate of ${host} (${failure.code}). For the local stack, set NODE_EXTRA_CA_CERTS ` +
        `to its certificate (.dev/localhost-ca.pem) in the environment fnauth starts with; otherwise check ${setting}.`,
    );
  }
  return undefined;
}

function codeExpired(): CliError {
  return new CliError(EXIT.codeExpired, 'The code expired before the sign-in was completed. Run `fnauth login` to get a new code.');
}

/** The tenant said no; the AADSTS number (when there is one) is what a search or a support case needs. */
export function refused(oauthError: string, provider?: ProviderError): CliError {
  const aadsts = provider?.error === oauthError && provider.codes.length > 0 ? `, AADSTS${provider.codes.join('/AADSTS')}` : '';
  return new CliError(EXIT.refused, `The sign-in service refused the request (${oauthError}${aadsts}). ${hintFor(oauthError, provider)}`.trim());
}

function hintFor(oauthError: string, provider?: ProviderError): string {
  const codes = provider?.codes ?? [];
  if (codes.includes(7000218) || codes.includes(700025) || oauthError === 'invalid_client') {
    return 'The app registration must allow public client flows (Authentication > Advanced settings > Allow public client flows = Yes), and the CLI sends no client secret.';
  }
  if (codes.includes(700016) || oauthError === 'unauthorized_client') {
    return 'Check --client-id (CLI_CLIENT_ID): it must be the Application (client) ID of an app registration in this tenant.';
  }
  if (oauthError === 'invalid_scope' || codes.includes(65001) || codes.includes(650057)) {
    return 'Check --scope (API_SCOPE), e.g. api://<API client id>/access_as_user, and that the CLI registration has that API permission with admin consent.';
  }
  return 'Check the tenant, client id and scope settings.';
}
