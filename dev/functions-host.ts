/**
 * A small stand-in for the Azure Functions host, for development and tests
 * only (it is not part of the deployed package).
 *
 * It loads the very modules the real host loads (`src/functions/*`), and
 * serves the route table they register: same routes under `/api`, methods,
 * status codes, headers, cookies (one `Set-Cookie` each), query strings and
 * bodies. There is no second list of routes here.
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
import type { RegisteredFunction } from '../src/lib/registry';

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
  close(): Promise<void>;
}

export interface FunctionsHostOptions {
  port?: number;
  host?: string;
  /** Where each request's log lines go; the default prints them. */
  log?: (line: string) => void;
  /** Serve these instead of importing `src/functions`: the route table a built package exports (`dist/app`). */
  routes?: RegisteredFunction[];
}

export async function startFunctionsHost(options: FunctionsHostOptions = {}): Promise<FunctionsHost> {
  const routes = options.routes ?? (await importFunctionModules());
  const log = options.log ?? ((line: string) => console.log(line));
  const server = createServer((request, response) => {
    serve(routes, request, response, log).catch((error: unknown) => {
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(routes: RegisteredFunction[], incoming: IncomingMessage, outgoing: ServerResponse, log: (line: string) => void) {
  const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? 'localhost'}`);
  const path = url.pathname.replace(/\/+$/, '');
  const candidates = routes.filter((route) => `/api/${route.route}`.replace(/\/+$/, '') === path);
  if (candidates.length === 0) return send(outgoing, { status: 404, body: 'Not found' });
  const route = candidates.find((candidate) => candidate.methods.includes(incoming.method as never));
  if (!route) return send(outgoing, { status: 405, headers: { Allow: candidates.flatMap((c) => c.methods).join(', ') } });

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
    ...(chunks.length > 0 ? { body: { bytes: Buffer.concat(chunks) } } : {}),
  });
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: route.name,
    logHandler: (_level, ...args) => log(args.map(String).join(' ')),
  });
  send(outgoing, (await route.run(request, context)) as HttpResponseInit);
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
