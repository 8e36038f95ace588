/**
 * What a handler gets: one object per request, made by the registry.
 *
 * It reads each part of the request once: the query, the headers, and the
 * `Cookie` header, parsed on first use and then shared by everything that
 * looks for a cookie (the session, the sign-in transactions). The runtime
 * is the instance's own (settings, stores, the tenant); reading it with a
 * settings mistake throws, and the answer names the settings to fix.
 *
 * A function that asks for a signed-in caller gets it verified in
 * {@link AuthenticatedContext.caller}; the handler runs only when there is one.
 *
 * {@link RequestContext.onFailure} says what to undo if the handler fails:
 * each hook runs before the error is answered, and the cookies it returns go
 * out with the error.
 *
 * @example
 * ```ts
 * async handler({ runtime, query, cookies, onFailure }) {
 *   const state = query.get('state');
 *   onFailure(() => [runtime.transactions.clear(state)]);
 *   const transaction = await runtime.transactions.open(cookies, state);
 *   …
 * }
 * ```
 */
import type { Cookie, HttpRequest, InvocationContext } from '@azure/functions';
import { RequestCookies } from './cookie';
import type { Caller } from './current-user';
import { readForm } from './forms';
import { getRuntime, type Runtime } from './runtime';

/** Runs when the handler failed; returns cookies to send with the error (e.g. clearing a spent transaction). */
export type FailureHook = () => Cookie[] | undefined | Promise<Cookie[] | undefined>;

export class RequestContext {
  readonly query: URLSearchParams;
  /** The route's `{name}` segments. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: HttpRequest['headers'];
  readonly method: string;
  readonly url: URL;
  private parsedCookies: RequestCookies | undefined;
  private parsedForm: Promise<URLSearchParams> | undefined;
  private readonly failureHooks: FailureHook[] = [];

  constructor(
    /** The request as the host gave it, for what the context does not cover (the body). */
    readonly request: HttpRequest,
    /** The host's invocation: its id and its log. */
    readonly invocation: InvocationContext,
  ) {
    this.query = request.query;
    this.params = request.params;
    this.headers = request.headers;
    this.method = request.method;
    this.url = new URL(request.url);
  }

  /** The instance's runtime; throws a ConfigError naming every bad setting. */
  get runtime(): Runtime {
    return getRuntime();
  }

  /** The `Cookie` header, parsed on first use. */
  get cookies(): RequestCookies {
    this.parsedCookies ??= new RequestCookies(this.headers.get('cookie'));
    return this.parsedCookies;
  }

  /** The posted form of one of our pages (`forms.ts`), read once; empty for anything else. An arrow, like onFailure. */
  readonly form = (): Promise<URLSearchParams> => {
    this.parsedForm ??= readForm(this.request);
    return this.parsedForm;
  };

  /** Says what to undo if the handler fails after this point. An arrow, so handlers can destructure it. */
  readonly onFailure = (hook: FailureHook): void => {
    this.failureHooks.push(hook);
  };

  /**
   * Runs the failure hooks (the registry does, once, when the handler threw)
   * and returns the cookies they ask for. A hook that fails itself is
   * skipped: the original error is the one to answer.
   */
  async undo(): Promise<Cookie[]> {
    const cookies: Cookie[] = [];
    for (const hook of this.failureHooks) {
      try {
        cookies.push(...((await hook()) ?? []));
      } catch {
        // The answer is already an error; a failed clean-up must not replace it.
      }
    }
    return cookies;
  }
}

/** The context of a function that requires a signed-in caller. */
export interface AuthenticatedContext extends RequestContext {
  /** Verified: a live session, or a bearer token checked against the tenant's keys. */
  readonly caller: Caller;
}
