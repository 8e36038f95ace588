/**
 * Every error a caller can see, in one catalogue.
 *
 * Each code fixes its HTTP status, its title and the sentence shown when the
 * place that throws has nothing more precise to say, as jose's `errors.ts`
 * binds a code to its class. Every 503 says when to come back
 * (`Retry-After`), and every answer to an API caller's token says how to
 * authenticate (`WWW-Authenticate`): the catalogue gives both a default.
 *
 * Handlers and modules throw {@link AppError}; the registry turns it into a
 * response (`responses.ts`). A {@link ConfigError} is a setup mistake and
 * reads as `misconfigured` with its own message, which names settings and
 * never their values. Anything else is a bug: `internal_error`, a bare 500
 * whose detail says nothing of the bug, and only its class name is logged.
 *
 * @example
 * ```ts
 * throw new AppError('state_mismatch');
 * throw new AppError('downstream_failed', { detail: `The downstream API answered with status ${status}.` });
 * throw new AppError('store_unavailable', { retryAfterSeconds: 2, reason: 'cosmos:429' });
 * ```
 */
import { ConfigError } from './config';

interface CatalogueEntry {
  status: number;
  /** Short, the same for every occurrence of the code (RFC 9457 `title`); it names the kind of status, the detail says more. */
  title: string;
  /** The sentence shown when the thrower gives none: what happened, and what to do. */
  detail: string;
  retryAfterSeconds?: number;
  wwwAuthenticate?: string;
  /** A setup mistake: a setting or the app registration needs fixing; waiting or retrying never helps. */
  setup?: true;
}

const TRY_SIGNING_IN_AGAIN = 'Please sign in again.';
const SETUP_MISTAKE = 'Sign-in is not set up correctly on this site. The log names the setting to check.';

/** The catalogue. The README's list of error codes is checked against it (`test/readme.test.ts`). */
export const ERRORS = {
  invalid_request: { status: 400, title: 'Bad request', detail: 'This request is missing something it needs, or carries a value that is not allowed.' },
  invalid_return_to: {
    status: 400,
    title: 'Bad request',
    detail: 'The returnTo address is not allowed. Use a path on this app (such as /api/claims) or an address on an allowed site.',
  },
  transaction_missing: {
    status: 400,
    title: 'Bad request',
    detail:
      'We could not find the sign-in you started in this browser. It may have finished already or been started elsewhere. Please sign in again.',
  },
  transaction_expired: { status: 400, title: 'Bad request', detail: 'The sign-in took too long and expired. Please sign in again.' },
  state_mismatch: { status: 400, title: 'Bad request', detail: 'This sign-in response does not belong to a sign-in started here.' },
  transaction_reused: { status: 400, title: 'Bad request', detail: `This sign-in has already been completed. ${TRY_SIGNING_IN_AGAIN}` },
  access_denied: { status: 401, title: 'Sign-in required', detail: 'Sign-in was cancelled or not allowed. You can try again.' },
  authorization_failed: { status: 400, title: 'Bad request', detail: 'The sign-in service reported a problem. Please try again.' },
  code_redemption_failed: {
    status: 400,
    title: 'Bad request',
    detail: `This sign-in was already used, has expired or was refused. ${TRY_SIGNING_IN_AGAIN}`,
  },
  invalid_id_token: {
    status: 400,
    title: 'Bad request',
    detail: "The identity provider's answer could not be verified, so you were not signed in. Please try again.",
  },
  not_signed_in: {
    status: 401,
    title: 'Sign-in required',
    detail: 'You are not signed in, or your session has ended. Sign in to continue.',
    wwwAuthenticate: 'Bearer',
  },
  interaction_required: {
    status: 401,
    title: 'Sign-in required',
    detail: `Your sign-in has expired for this action. ${TRY_SIGNING_IN_AGAIN}`,
    wwwAuthenticate: 'Bearer',
  },
  invalid_token: {
    status: 401,
    title: 'Sign-in required',
    detail: 'The access token was refused.',
    wwwAuthenticate: 'Bearer error="invalid_token"',
  },
  insufficient_scope: {
    status: 403,
    title: 'Forbidden',
    detail: 'The access token does not grant a scope this API requires.',
    wwwAuthenticate: 'Bearer error="insufficient_scope"',
  },
  missing_role: { status: 403, title: 'Forbidden', detail: 'You are signed in, but you do not have an app role this needs.' },
  client_not_allowed: { status: 403, title: 'Forbidden', detail: 'The application that requested this access token may not call this API.' },
  cross_site_request: { status: 403, title: 'Forbidden', detail: "Another site may not make changes with your sign-in. Use this app's own pages." },
  session_not_found: { status: 404, title: 'Not found', detail: 'You have no session with this id. It may have ended already.' },
  downstream_failed: { status: 502, title: 'Upstream error', detail: 'The downstream API did not answer as expected.' },
  downstream_unavailable: {
    status: 503,
    title: 'Service unavailable',
    detail: 'The downstream API cannot be reached right now. Please try again in a moment.',
    retryAfterSeconds: 10,
  },
  store_unavailable: {
    status: 503,
    title: 'Service unavailable',
    detail: 'Our session store is busy or unreachable. Please try again in a moment.',
    retryAfterSeconds: 1,
  },
  identity_provider_unavailable: {
    status: 503,
    title: 'Service unavailable',
    detail: 'The sign-in service cannot be reached right now. Please try again in a moment.',
    retryAfterSeconds: 10,
  },
  tenant_not_found: { status: 500, title: 'Server error', detail: SETUP_MISTAKE, setup: true },
  authority_host_not_found: { status: 500, title: 'Server error', detail: SETUP_MISTAKE, setup: true },
  untrusted_certificate: { status: 500, title: 'Server error', detail: SETUP_MISTAKE, setup: true },
  client_secret_rejected: { status: 500, title: 'Server error', detail: SETUP_MISTAKE, setup: true },
  client_not_authorized: { status: 500, title: 'Server error', detail: SETUP_MISTAKE, setup: true },
  redirect_uri_mismatch: { status: 500, title: 'Server error', detail: SETUP_MISTAKE, setup: true },
  misconfigured: { status: 500, title: 'Server error', detail: SETUP_MISTAKE, setup: true },
  internal_error: { status: 500, title: 'Server error', detail: 'Something went wrong on our side. Please try again later.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** Whether the code is a setup mistake (`setup` in the catalogue): the page and the log say what to fix, never "try again". */
export function isSetupMistake(code: ErrorCode): boolean {
  return (ERRORS[code] as CatalogueEntry).setup === true;
}

/** Whether the code is an outage (a 503, which always says when to come back): the one kind of failure that waiting can fix. */
export function isOutage(code: string): boolean {
  return Object.hasOwn(ERRORS, code) && ERRORS[code as ErrorCode].status === 503;
}

export interface ErrorOptions {
  /** Replaces the catalogue's sentence. A sentence a person can act on; never a token, cookie value or secret. */
  detail?: string;
  /** Replaces the catalogue's `Retry-After`. */
  retryAfterSeconds?: number;
  /** Replaces the catalogue's `WWW-Authenticate`. */
  wwwAuthenticate?: string;
  /** Offer to sign in: problem+json `login_url`, and the page's button. */
  loginUrl?: string;
  /** A short machine code for the log (e.g. the tenant's error code); never shown to the caller. */
  reason?: string;
  /** For a setup mistake: the setting to fix, for the log. A name, never a value. */
  setting?: string;
  /** For a setup mistake: the URL that was tried, for the log. Never one that carries a query. */
  url?: string;
}

/** An error with a code from the catalogue: the one kind of error that reaches a caller as itself. */
export class AppError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly extra: Omit<ErrorOptions, 'detail'>;

  constructor(
    readonly code: ErrorCode,
    options: ErrorOptions = {},
  ) {
    const entry: CatalogueEntry = ERRORS[code];
    const { detail = entry.detail, ...extra } = options;
    super(detail);
    this.name = 'AppError';
    this.status = entry.status;
    this.title = entry.title;
    this.detail = detail;
    this.extra = {
      ...(entry.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: entry.retryAfterSeconds }),
      ...(entry.wwwAuthenticate === undefined ? {} : { wwwAuthenticate: entry.wwwAuthenticate }),
      ...extra,
    };
  }
}

/**
 * A mistake in the settings, the app registration or the Cosmos DB role,
 * worded the one way: "Sign-in is not set up correctly on this site: "
 * then `problem`, which names what to check. No Retry-After: waiting never fixes it.
 */
export function notSetUp(code: ErrorCode, problem: string, log: Pick<ErrorOptions, 'reason' | 'setting' | 'url'>): AppError {
  return new AppError(code, { detail: `Sign-in is not set up correctly on this site: ${problem}`, ...log });
}

/**
 * Any thrown value as the error the caller sees: an {@link AppError} as is,
 * a {@link ConfigError} as `misconfigured` with its message, anything else as
 * `internal_error`.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ConfigError) return new AppError('misconfigured', { detail: error.message, reason: 'settings' });
  return new AppError('internal_error', { reason: `unexpected:${error instanceof Error ? error.name : 'unknown'}` });
}
