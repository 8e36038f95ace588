/**
 * The route table: every function registered with `defineFunction`, and the
 * one way to name a URL of the app ({@link urlFor}). A route is written once,
 * in its function file; pages, redirects and error answers ask for it by the
 * function's name, so renaming a route cannot leave a stale link behind.
 *
 * The table fills as the function modules load (the Functions host loads
 * them all, through `main` in package.json; the development host and the
 * tests do the same). Asking for a function that is not registered is a bug
 * and throws.
 *
 * @example
 * ```ts
 * urlFor('login', { query: { returnTo: '/api/home', prompt: 'create' } }); // '/api/login?returnTo=%2Fapi%2Fhome&prompt=create'
 * urlFor('login', { origin: config.appOrigin });                           // 'https://app.contoso.com/api/login'
 * ```
 */
import type { HttpMethod } from '@azure/functions';

/** `extensions.http.routePrefix` in host.json: every route is under it. */
const ROUTE_PREFIX = 'api';

export interface Route {
  /** The function's name in the host; also its file name. */
  name: string;
  /** Relative to `/api/`; `{name}` segments are parameters. */
  route: string;
  methods: HttpMethod[];
}

const routes = new Map<string, Route>();

/** Called by `defineFunction`; a second function with the same name is a bug. */
export function addRoute(route: Route): void {
  if (routes.has(route.name)) throw new Error(`A function named "${route.name}" is already registered.`);
  routes.set(route.name, route);
}

/** The path a route is served at: `/api/<route>`. */
export function routePath(route: Pick<Route, 'route'>): string {
  return `/${ROUTE_PREFIX}/${route.route}`;
}

export interface UrlOptions {
  /** Values for the route's `{name}` segments. */
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
  /** Makes the URL absolute, e.g. `config.appOrigin`. */
  origin?: string;
}

export function urlFor(name: string, options: UrlOptions = {}): string {
  const route = routes.get(name);
  if (!route) throw new Error(`No function named "${name}" is registered.`);
  const path = routePath(route).replace(/\{(\w+)\}/g, (_, param: string) => {
    const value = options.params?.[param];
    if (value === undefined) throw new Error(`The route of "${name}" needs the parameter "${param}".`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams(Object.entries(options.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const relative = query.size > 0 ? `${path}?${query}` : path;
  return options.origin ? new URL(relative, options.origin).href : relative;
}
