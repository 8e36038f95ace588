/**
 * The route table, and the one way functions are registered.
 *
 * Each file in `src/functions` calls {@link defineFunction} once. That
 * registers the function with the Azure Functions host (`app.http`) and
 * records it in {@link routeTable}, which the local development host
 * serves as is: a route exists in exactly one place.
 *
 * Every handler is wrapped the same way: errors become responses through
 * `errorResponse`, security headers are added (`X-Frame-Options: DENY`
 * unless the function is `frameable` and names its own `frame-ancestors`),
 * and one structured log line is written per request (path only: query
 * strings carry codes and state). Routes may take parameters
 * (`sessions/{id}`), which arrive as `request.params`.
 *
 * @example
 * ```ts
 * defineFunction({ name: 'claims', route: 'claims', methods: ['GET'], audience: 'api', handler: async (request) => ({ jsonBody: {} }) });
 * ```
 */
import { app, type HttpHandler, type HttpMethod, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { ConfigError } from './config';
import { AuthError, errorResponse, type ResponseAudience } from './errors';
import { getRuntime } from './runtime';
import { warmUpAfterFirstInvocation } from './warm-up';

export const ROUTE_PREFIX = 'api';

export interface FunctionDefinition {
  /** The function's name in the host; also its file name. */
  name: string;
  /** Relative to `/api/`. */
  route: string;
  methods: HttpMethod[];
  /** API routes answer problem+json, browser routes a page. */
  audience: ResponseAudience;
  /**
   * Only for a page another site must frame (front-channel logout): the
   * response then carries no `X-Frame-Options`, and the handler names who
   * may frame it in its own `frame-ancestors` (or nobody may).
   */
  frameable?: boolean;
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
}

export interface RegisteredFunction extends FunctionDefinition {
  /** The handler with error handling, headers and logging: what the host runs. */
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

export function defineFunction(definition: FunctionDefinition): RegisteredFunction {
  const registered = { ...definition, run: wrap(definition) };
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
  return policy?.includes('frame-ancestors') ? {} : { 'X-Frame-Options': 'DENY' };
}

function wrap(definition: FunctionDefinition): HttpHandler {
  return async (request, context) => {
    const started = performance.now();
    let response: HttpResponseInit;
    let failure: string | undefined;
    let setup: { setting?: string; url?: string } = {};
    try {
      response = await definition.handler(request, context);
    } catch (error) {
      failure =
        error instanceof AuthError
          ? [error.code, error.extra.reason].filter(Boolean).join(' ')
          : error instanceof ConfigError
            ? 'misconfigured settings'
            : `unexpected:${(error as Error)?.name ?? 'unknown'}`;
      // A setup mistake names the setting to fix and the URL tried: names and public URLs, never values.
      if (error instanceof AuthError) setup = { setting: error.extra.setting, url: error.extra.url };
      // Settings problems name settings, never their values: safe and needed in the log.
      if (error instanceof ConfigError) context.error(error.message);
      response = errorResponse(error, definition.audience);
    }
    const headers = headerRecord(response.headers);
    response.headers = { ...SECURITY_HEADERS, ...framingHeaders(definition, headers), 'Cache-Control': 'no-store', ...headers };
    context.log(
      JSON.stringify({
        event: 'request',
        function: definition.name,
        method: request.method,
        path: new URL(request.url).pathname,
        status: response.status ?? 200,
        durationMs: Math.round(performance.now() - started),
        invocationId: context.invocationId,
        ...(failure ? { error: failure } : {}),
        ...setup,
      }),
    );
    return response;
  };
}

function headerRecord(headers: HttpResponseInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}
