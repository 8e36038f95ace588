/**
 * The route table, and the one way functions are registered.
 *
 * Each file in `src/functions` calls {@link defineFunction} once. That
 * registers the function with the Azure Functions host (`app.http`) and
 * records it in {@link routeTable}, which the local development host
 * serves as is: a route exists in exactly one place.
 *
 * Every handler is wrapped the same way: errors become responses through
 * `errorResponse`, security headers are added, and one structured log line
 * is written per request (path only: query strings carry codes and state).
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
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
}

export interface RegisteredFunction extends FunctionDefinition {
  /** The handler with error handling, headers and logging: what the host runs. */
  run: HttpHandler;
}

export const routeTable: RegisteredFunction[] = [];

// Fail at start-up rather than on the first request: the host logs one message naming every bad setting.
app.hook.appStart(() => {
  getRuntime();
});
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
  'X-Frame-Options': 'DENY',
};

function wrap(definition: FunctionDefinition): HttpHandler {
  return async (request, context) => {
    const started = performance.now();
    let response: HttpResponseInit;
    let failure: string | undefined;
    try {
      response = await definition.handler(request, context);
    } catch (error) {
      failure =
        error instanceof AuthError
          ? [error.code, error.extra.reason].filter(Boolean).join(' ')
          : `unexpected:${(error as Error)?.name ?? 'unknown'}`;
      // Settings problems name settings, never their values: safe and needed in the log.
      if (error instanceof ConfigError) context.error(error.message);
      response = errorResponse(error, definition.audience);
    }
    response.headers = { ...SECURITY_HEADERS, 'Cache-Control': 'no-store', ...headerRecord(response.headers) };
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
