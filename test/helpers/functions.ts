/**
 * Calling the registered functions the way the host does, and a tiny browser
 * (a cookie jar) to walk through redirects and cookies.
 */
import { HttpRequest, InvocationContext, type Cookie, type HttpResponseInit } from '@azure/functions';
import { importFunctionModules } from '../../dev/functions-host';
import type { RegisteredFunction } from '../../src/lib/registry';

export const APP_ORIGIN = 'http://localhost:7071';

/** Imports every module in src/functions and returns the route table by function name. */
export async function loadFunctions(): Promise<Record<string, RegisteredFunction>> {
  const routeTable = await importFunctionModules();
  return Object.fromEntries(routeTable.map((entry) => [entry.name, entry]));
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  cookies: Cookie[];
  body: string;
  location: string | undefined;
  json<T = Record<string, unknown>>(): T;
}

/** Every line any function logged during the test file, for secret-leak checks. */
export const logLines: string[] = [];

export async function call(
  fn: RegisteredFunction,
  url: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const request = new HttpRequest({ method: init.method ?? 'GET', url: new URL(url, APP_ORIGIN).href, headers: init.headers ?? {} });
  const context = new InvocationContext({
    invocationId: crypto.randomUUID(),
    functionName: fn.name,
    logHandler: (_level, ...args) => logLines.push(args.map(String).join(' ')),
  });
  const response = (await fn.run(request, context)) as HttpResponseInit;
  const headers = Object.fromEntries(Object.entries((response.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
  const body = response.jsonBody !== undefined ? JSON.stringify(response.jsonBody) : String(response.body ?? '');
  return {
    status: response.status ?? 200,
    headers,
    cookies: response.cookies ?? [],
    body,
    location: headers.location,
    json: <T>() => JSON.parse(body) as T,
  };
}

/** Holds cookies across calls, honouring deletion (Max-Age 0), as a browser would. */
export class Browser {
  readonly jar = new Map<string, string>();

  cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async call(fn: RegisteredFunction, url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<CallResult> {
    const cookie = this.cookieHeader();
    const result = await call(fn, url, { ...init, headers: { ...(cookie ? { cookie } : {}), ...init.headers } });
    for (const set of result.cookies) {
      if (set.maxAge === 0 || set.value === '') this.jar.delete(set.name);
      else this.jar.set(set.name, set.value);
    }
    return result;
  }
}
