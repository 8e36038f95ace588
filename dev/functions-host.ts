/**
 * A small stand-in for the Azure Functions host, for development and tests
 * only (it is not part of the deployed package).
 *
 * It loads the very modules the real host loads (`src/functions/*`), and
 * serves the route table they register: same routes under `/api`, methods,
 * status codes, headers, cookies (one `Set-Cookie` each), query strings and
 * bodies. There is no second list of routes here.
 *
 * Like the real host started by `func start`, it honours `Host.CORS`
 * (see local-settings.ts). Unlike it, it checks the settings before it
 * listens: a settings problem stops it with the ConfigError's message and
 * nothing is served (the real host runs the app's `appStart` hook instead,
 * see src/lib/registry.ts). `/` and `/api` lead to the home page, and a
 * request whose `Host` header is not a host name answers 400.
 *
 * @example
 * ```ts
 * const host = await startFunctionsHost({ port: 7071 });
 * // … http://localhost:7071/api/login
 * await host.close();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HttpRequest, InvocationContext, type Cookie, type HttpResponseInit } from '@azure/functions';
import { loadConfig } from '../src/lib/config';
import type { RegisteredFunction } from '../src/lib/registry';
import { routePath, urlFor } from '../src/lib/routes';
import type { Cors } from './local-settings';

const FUNCTIONS_DIRECTORY = join(__dirname, '../src/functions');

/** Imports every function module, as the host does with package.json's `main` glob, and returns the route table. */
export async function importFunctionModules(): Promise<RegisteredFunction[]> {
  for (const file of readdirSync(FUNCTIONS_DIRECTORY).filter((name) => /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts'))) {
    await import(join(FUNCTIONS_DIRECTORY, file));
  }
  const { routeTable } = await import('../src/lib/registry');
  return routeTable;
}

export interface FunctionsHost {
  url: string;
  port: number;
  routes: RegisteredFunction[];
  close(): Promise<void>;
}

export interface FunctionsHostOptions {
  port?: number;
  host?: string;
  /** Where each request's log lines go; the default prints them. */
  log?: (line: string) => void;
  /** `Host.CORS` and `Host.CORSCredentials` of local.settings.json; no CORS headers when unset. */
  cors?: Cors;
  /** Serve these instead of importing `src/functions`: the route table a built package exports (`dist/app`). */
  routes?: RegisteredFunction[];
}

/** Throws the ConfigError that names every bad setting, before anything listens. */
export async function startFunctionsHost(options: FunctionsHostOptions = {}): Promise<FunctionsHost> {
  loadConfig(process.env);
  const routes = options.routes ?? (await importFunctionModules());
  const log = options.log ?? ((line: string) => console.log(line));
  const server = createServer((request, response) => {
    serve(routes, request, response, log, options.cors).catch((error: unknown) => {
      log(`functions host: ${(error as Error).name}`);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    port,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The parameters of `path` under a route template (`sessions/{id}`), as the
 * host's routing gives them: segments compare case-insensitively, `{name}`
 * takes one segment. Undefined when the path is not this route's.
 */
export function matchRoute(template: string, path: string): Record<string, string> | undefined {
  const expected = routePath({ route: template }).split('/').filter(Boolean);
  const actual = path.split('/').filter(Boolean);
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const parameter = /^\{(\w+)(?::[^}]*)?\}$/.exec(segment);
    const value = actual[index]!;
    if (!parameter) {
      if (segment.toLowerCase() !== value.toLowerCase()) return undefined;
      continue;
    }
    try {
      params[parameter[1]!] = decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return params;
}

async function serve(
  routes: RegisteredFunction[],
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  log: (line: string) => void,
  cors: Cors | undefined,
) {
  const url = requestUrl(incoming);
  if (!url) return send(outgoing, { status: 400, body: 'Bad request: the Host header must be a host name with an optional port, and the target a path.' });
  if (cors && applyCors(cors, incoming, outgoing)) return;
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '' || path === routePath({ route: '' }).replace(/\/+$/, '')) return send(outgoing, { status: 302, headers: { Location: urlFor('home') } });
  const candidates = routes.flatMap((route) => {
    const params = matchRoute(route.route, url.pathname);
    return params ? [{ route, params }] : [];
  });
  if (candidates.length === 0) return send(outgoing, { status: 404, body: 'Not found' });
  // Without Host.CORS, as on Azure with no allowed origins, a preflight (OPTIONS) is 405 and never allows another origin.
  const match = candidates.find((candidate) => candidate.route.methods.includes(incoming.method as never));
  if (!match) return send(outgoing, { status: 405, headers: { Allow: candidates.flatMap((c) => c.route.methods).join(', ') } });
  const { route, params } = match;

  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const request = new HttpRequest({
    method: incoming.method as never,
    url: url.href,
    headers,
    params,
    ...(chunks.length > 0 ? { body: { bytes: Buffer.concat(chunks) } } : {}),
  });
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: route.name,
    logHandler: (_level, ...args) => log(args.map(String).join(' ')),
  });
  send(outgoing, (await route.run(request, context)) as HttpResponseInit);
}

const HOST_HEADER = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The request's URL, or undefined when the Host header or the request target cannot form one. */
function requestUrl(incoming: IncomingMessage): URL | undefined {
  const host = incoming.headers.host;
  const target = incoming.url ?? '';
  if (!host || !HOST_HEADER.test(host) || !target.startsWith('/')) return undefined;
  try {
    // Concatenated, not resolved: a target such as "//other.example/x" stays a path on this host.
    return new URL(`http://${host}${target}`);
  } catch {
    return undefined;
  }
}

/**
 * Adds CORS headers for an allowed Origin, as the Functions host's CORS does
 * (any method, any header). Returns true when it answered a preflight itself.
 */
function applyCors(cors: Cors, incoming: IncomingMessage, outgoing: ServerResponse): boolean {
  const origin = incoming.headers.origin;
  const any = cors.origins.includes('*');
  if (!origin || !(any || cors.origins.includes(origin))) return false;
  outgoing.setHeader('Access-Control-Allow-Origin', any && !cors.credentials ? '*' : origin);
  outgoing.setHeader('Vary', 'Origin');
  if (cors.credentials) outgoing.setHeader('Access-Control-Allow-Credentials', 'true');
  const preflightMethod = incoming.headers['access-control-request-method'];
  if (incoming.method !== 'OPTIONS' || !preflightMethod) return false;
  outgoing.setHeader('Access-Control-Allow-Methods', preflightMethod);
  const requestedHeaders = incoming.headers['access-control-request-headers'];
  if (requestedHeaders) outgoing.setHeader('Access-Control-Allow-Headers', requestedHeaders);
  outgoing.writeHead(204);
  outgoing.end();
  return true;
}

function send(outgoing: ServerResponse, response: HttpResponseInit): void {
  const headers = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
  let body: string | Uint8Array | undefined;
  if (response.jsonBody !== undefined) {
    body = JSON.stringify(response.jsonBody);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  } else if (typeof response.body === 'string' || response.body instanceof Uint8Array) {
    body = response.body;
  }
  for (const [name, value] of headers) outgoing.setHeader(name, value);
  if (response.cookies?.length) outgoing.setHeader('Set-Cookie', response.cookies.map(serializeCookie));
  outgoing.writeHead(response.status ?? 200);
  outgoing.end(body);
}

export function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.expires) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}
