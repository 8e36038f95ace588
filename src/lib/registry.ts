/**
 * The one way functions are registered, and the plumbing every request goes
 * through, so that a function file tells only its request's story.
 *
 * Each file in `src/functions` calls {@link defineFunction} once. That
 * registers the function with the Azure Functions host (`app.http`), adds
 * its route to the route table (`routes.ts`, which `urlFor` reads) and to
 * {@link routeTable}, which the local development host serves as is: a
 * route exists in exactly one place.
 *
 * Every request then goes the same way:
 * 1. a {@link RequestContext} is made (query, headers, cookies parsed once, the runtime);
 * 2. when the function asks for a caller (`auth`), it is found and verified,
 *    and its roles and scopes checked (`access.ts`): no caller is a 401 for
 *    an API, a redirect to sign-in for a page; the wrong caller is a 403. A
 *    session cookie rides along on requests another site starts, a bearer
 *    token never does: a cookie caller's request that may change state (any
 *    method but GET, HEAD and OPTIONS) from another site is refused
 *    (`cross-site.ts`, 403 `cross_site_request`);
 * 3. the handler runs;
 * 4. if it throws, its failure hooks run and the error becomes a response
 *    (`errorResponse`);
 * 5. security headers are added (`X-Frame-Options: DENY` unless the
 *    function is `frameable` and names its own `frame-ancestors`), and one
 *    structured log line is written (path only: query strings carry codes
 *    and state).
 *
 * Tested by test/functions/add-your-own.test.ts, test/functions/misconfigured.test.ts and test/security/log-hygiene.test.ts.
 *
 * @example
 * ```ts
 * export default defineFunction({
 *   name: 'claims', route: 'claims', methods: ['GET'], audience: 'api', auth: 'signed-in',
 *   handler: async ({ caller }) => json({ claims: callerClaims(caller) }),
 * });
 * ```
 */
import { app, type HttpHandler, type HttpMethod, type HttpResponseInit } from '@azure/functions';
import { checkRequirement, type AuthRequirement } from './access';
import { appNameOf, ConfigError } from './config';
import { refuseCrossSite } from './cross-site';
import { findCaller, notSignedIn } from './current-user';
import { toAppError, type AppError } from './errors';
import { displayName } from './pages';
import { RequestContext, type AuthenticatedContext } from './request-context';
import { errorResponse, redirect, type ErrorResponseOptions, type ResponseAudience } from './responses';
import { addRoute, urlFor } from './routes';
import { getRuntime, type Runtime } from './runtime';
import { warmUpAfterFirstInvocation } from './warm-up';

/** What the handler of a function with this requirement gets. */
export type ContextFor<A extends AuthRequirement> = A extends 'anonymous' ? RequestContext : AuthenticatedContext;

export interface FunctionDefinition<A extends AuthRequirement = AuthRequirement> {
  /** The function's name in the host, and for `urlFor`; also its file name. */
  name: string;
  /** Relative to `/api/`; `{name}` segments are parameters (`context.params`). */
  route: string;
  methods: HttpMethod[];
  /** API routes answer problem+json, browser routes a page. */
  audience: ResponseAudience;
  /** Who may call it (`access.ts`); anonymous when left out. */
  auth?: A;
  /**
   * Only for a page another site must frame (front-channel logout): the
   * response then carries no `X-Frame-Options`, and the handler names who
   * may frame it in its own `frame-ancestors` (or nobody may).
   */
  frameable?: boolean;
  handler: (context: ContextFor<A>) => Promise<HttpResponseInit>;
}

export interface RegisteredFunction extends FunctionDefinition {
  /** The handler with authentication, error handling, headers and logging: what the host runs. */
  run: HttpHandler;
}

export const routeTable: RegisteredFunction[] = [];

/**
 * Settings are checked when the Functions host starts the app, and the problems logged once.
 * The hook does not throw: the host would answer a throwing hook by restarting the worker three
 * times, logging "Initializing worker process failed" with a stack trace, then recycling itself
 * and answering every request with "Did not find any initialized language workers", which names
 * no setting. Instead every request answers `misconfigured` with the same message and logs it.
 * (The built-in development host checks the settings before it listens, and stops.)
 */
export function reportSettingsProblems(log: (message: string) => void = console.error): void {
  try {
    getRuntime();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log(error.message);
  }
}

app.hook.appStart(() => reportSettingsProblems());
warmUpAfterFirstInvocation();

export function defineFunction<A extends AuthRequirement = 'anonymous'>(definition: FunctionDefinition<A>): RegisteredFunction {
  const registered = { ...definition, run: wrap(definition as FunctionDefinition) } as RegisteredFunction;
  addRoute(definition);
  routeTable.push(registered);
  app.http(definition.name, {
    route: definition.route,
    methods: definition.methods,
    authLevel: 'anonymous',
    handler: registered.run,
  });
  return registered;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  // The callback URL carries the authorization code: never let it leak through Referer.
  'Referrer-Policy': 'no-referrer',
};

/** Nothing is framed unless the function says so and names who may frame it. */
function framingHeaders(definition: FunctionDefinition, headers: Record<string, string>): Record<string, string> {
  if (!definition.frameable) return { 'X-Frame-Options': 'DENY' };
  const policy = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-security-policy')?.[1];
  // Only a policy that names who may frame it lifts DENY; an error page's `frame-ancestors 'none'` keeps it.
  return /frame-ancestors (?!'none')/.test(policy ?? '') ? {} : { 'X-Frame-Options': 'DENY' };
}

function wrap(definition: FunctionDefinition): HttpHandler {
  return async (request, invocation) => {
    const started = performance.now();
    const context = new RequestContext(request, invocation);
    let response: HttpResponseInit;
    let failure: string | undefined;
    let setup: { setting?: string; url?: string } = {};
    try {
      response = await authenticateThenHandle(definition, context);
    } catch (error) {
      const known = toAppError(error);
      failure = [known.code, known.extra.reason].filter(Boolean).join(' ');
      // A setup mistake names the setting to fix and the URL tried: names and public URLs, never values.
      setup = { setting: known.extra.setting, url: known.extra.url };
      // Settings problems name settings, never their values: safe and needed in the log.
      if (error instanceof ConfigError) invocation.error(error.message);
      const cookies = await context.undo();
      response = errorResponse(known, definition.audience, { cookies, ...(definition.audience === 'browser' ? await errorPageFrame(context, known, error) : {}) });
    }
    const headers = headerRecord(response.headers);
    response.headers = { ...SECURITY_HEADERS, ...framingHeaders(definition, headers), 'Cache-Control': 'no-store', ...headers };
    invocation.log(
      JSON.stringify({
        event: 'request',
        function: definition.name,
        method: request.method,
        path: context.url.pathname,
        status: response.status ?? 200,
        durationMs: Math.round(performance.now() - started),
        invocationId: invocation.invocationId,
        ...(failure ? { error: failure } : {}),
        ...setup,
      }),
    );
    return response;
  };
}

/** Methods that change nothing (RFC 9110's safe methods, as functions here use them). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function authenticateThenHandle(definition: FunctionDefinition, context: RequestContext): Promise<HttpResponseInit> {
  const requirement = definition.auth ?? 'anonymous';
  if (requirement === 'anonymous') return definition.handler(context as AuthenticatedContext);
  const { runtime } = context;
  // A function that names roles or scopes decides by them; otherwise a bearer token needs the API's own scope.
  const caller = await findCaller(runtime, context, requirement === 'signed-in' ? undefined : {});
  if (!caller) {
    // A page sends the browser to sign in and back; an API says how to authenticate.
    if (definition.audience === 'browser') return redirect(urlFor('login', { query: { returnTo: `${context.url.pathname}${context.url.search}` } }));
    throw notSignedIn(runtime);
  }
  if (caller.kind === 'session' && !SAFE_METHODS.has(context.method.toUpperCase())) refuseCrossSite(context.headers, runtime.config.appOrigin);
  checkRequirement(caller, requirement);
  return definition.handler(Object.assign(context, { caller }));
}

/**
 * What an error page says around the error: the app's name, and whether (and as whom) the user is
 * signed in, so that a sign-in page used twice reads "You are already signed in as …". The session
 * is read (one point read, no write) only for a request that carries a session cookie we signed,
 * and only when neither the settings nor a service failed: an outage page must not wait on the store.
 * When the settings fail, the page still carries APP_NAME if that one is valid.
 */
async function errorPageFrame(context: RequestContext, error: AppError, cause: unknown): Promise<Pick<ErrorResponseOptions, 'appName' | 'signedIn'>> {
  // The settings were just read and refused: reading them again would only refuse them again.
  if (cause instanceof ConfigError) return { appName: appNameOf(process.env) };
  let runtime: Runtime;
  try {
    runtime = context.runtime;
  } catch {
    return { appName: appNameOf(process.env) };
  }
  const { appName } = runtime.config;
  if (error.status >= 500) return { appName };
  try {
    // A function with `auth` has resumed the session already; read it only when no caller was found yet.
    const caller = (context as Partial<AuthenticatedContext>).caller;
    const session = caller?.kind === 'session' ? caller.session : await runtime.sessions.resume(context.cookies, { slide: false });
    return session ? { appName, signedIn: { name: displayName(session.claims) } } : { appName };
  } catch {
    return { appName };
  }
}

function headerRecord(headers: HttpResponseInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}
