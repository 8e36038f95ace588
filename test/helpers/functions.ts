/**
 * Calling the registered functions the way the Azure Functions host does, and
 * seeing the answer the way the host sends it: the handler's
 * `HttpResponseInit` goes through `@azure/functions`' own `HttpResponse`, so
 * `jsonBody` gets `Content-Type: application/json` exactly as in production.
 * Every invocation is recorded with its id and its log lines, for the
 * log-hygiene and correlation checks. `CookieJar` plays a browser.
 *
 * @example
 * ```ts
 * const fn = await loadFunctions();
 * const res = await invoke(fn.claims, '/api/claims', { headers: { cookie: 'fnauth=…' } });
 * res.status; res.headers['content-type']; res.invocationId; res.logs;
 * const jar = new CookieJar(); await jar.invoke(fn.login, '/api/login');
 * ```
 */
import { randomUUID } from 'node:crypto';
import { HttpRequest, HttpResponse, InvocationContext, type Cookie, type HttpResponseInit } from '@azure/functions';
import { CookieJar as ToughCookieJar } from 'tough-cookie';
import { importFunctionModules, matchRoute, serializeCookie } from '../../dev/functions-host';
import type { RegisteredFunction } from '../../src/lib/registry';

export const APP_ORIGIN = 'http://localhost:7071';

/** Imports every module in src/functions and returns the route table by function name. */
export async function loadFunctions(): Promise<Record<string, RegisteredFunction>> {
  const routeTable = await importFunctionModules();
  return Object.fromEntries(routeTable.map((entry) => [entry.name, entry]));
}

export interface Invocation {
  functionName: string;
  invocationId: string;
  url: string;
  status: number;
  /** Every line the function logged under this invocation (context.log / warn / error …). */
  logs: string[];
}

export interface InvokeResult {
  status: number;
  /** Lower-cased names, as the host sends them (includes the content-type the host adds for jsonBody). */
  headers: Record<string, string>;
  cookies: Cookie[];
  body: string;
  location: string | undefined;
  invocationId: string;
  logs: string[];
  json<T = Record<string, unknown>>(): T;
}

/** Every invocation made through this module in the current test file. */
export const invocations: Invocation[] = [];

/** Every line any function logged in the current test file, for secret-leak checks. */
export const logLines = (): string[] => invocations.flatMap((invocation) => invocation.logs);

export interface InvokeInit {
  method?: string;
  headers?: Record<string, string>;
  /** A form post's fields, sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** A raw body, as sent (set its content-type in `headers`). */
  body?: string;
}

/** What a browser sends with a request our own page started (a link, a form): `Sec-Fetch-Site: same-origin`. */
export const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' } as const;

export async function invoke(fn: RegisteredFunction, url: string, init: InvokeInit = {}): Promise<InvokeResult> {
  const absolute = new URL(url, APP_ORIGIN).href;
  const form = init.form ? new URLSearchParams(init.form).toString() : undefined;
  const sent = form ?? init.body;
  const request = new HttpRequest({
    method: (init.method ?? (form === undefined ? 'GET' : 'POST')) as never,
    url: absolute,
    headers: { ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...init.headers },
    // The host's routing: a path that is not the function's route would never reach it.
    params: matchRoute(fn.route, new URL(absolute).pathname) ?? {},
    ...(sent === undefined ? {} : { body: { string: sent } }),
  });
  const invocationId = randomUUID();
  const logs: string[] = [];
  const context = new InvocationContext({
    invocationId,
    functionName: fn.name,
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
  const init_ = (await fn.run(request, context)) as HttpResponseInit;
  const response = new HttpResponse(init_);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const body = await response.text();
  const status = response.status;
  invocations.push({ functionName: fn.name, invocationId, url: absolute, status, logs });
  return {
    status,
    headers,
    cookies: response.cookies,
    body,
    location: headers.location,
    invocationId,
    logs,
    json: <T>() => JSON.parse(body) as T,
  };
}

/**
 * A browser's cookie jar for the app (tough-cookie, RFC 6265): sends what it holds for each URL,
 * stores each `Set-Cookie` as a browser would, and honours expiry and deletion (`Max-Age=0`).
 */
export class CookieJar {
  readonly #jar = new ToughCookieJar();

  /** What the jar holds for the app, by name: a snapshot. */
  get cookies(): ReadonlyMap<string, string> {
    return new Map(this.#jar.getCookiesSync(APP_ORIGIN).map((cookie) => [cookie.key, cookie.value]));
  }

  /** The `Cookie` header the browser would send to `url`. */
  header(url = '/'): string {
    return this.#jar.getCookieStringSync(new URL(url, APP_ORIGIN).href);
  }

  /** Puts a cookie in the jar as a script or a copied header would, without the app setting it. */
  plant(name: string, value: string): void {
    this.#jar.setCookieSync(`${name}=${value}; Path=/`, APP_ORIGIN);
  }

  async invoke(fn: RegisteredFunction, url: string, init: InvokeInit = {}): Promise<InvokeResult> {
    const cookie = this.header(url);
    const result = await invoke(fn, url, { ...init, headers: { ...(cookie ? { cookie } : {}), ...init.headers } });
    const absolute = new URL(url, APP_ORIGIN).href;
    for (const set of result.cookies) this.#jar.setCookieSync(serializeCookie(set), absolute);
    return result;
  }
}

/** Nearest-rank percentile of a sorted or unsorted list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
