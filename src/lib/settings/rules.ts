/**
 * The settings rules that the app (`src/lib/config.ts`) and the `fnauth` CLI
 * (`src/cli/settings.ts`) share: which tenant or authority to sign in at, and
 * where plain http is acceptable. The placeholder rule lives in `text`
 * (./schema.ts), which both use for required text.
 *
 * @example
 * ```ts
 * const schema = { TENANT_SUBDOMAIN: tenantSubdomain, AUTHORITY: authority };
 * missingTenant({ tenant: env.TENANT_SUBDOMAIN, authority: env.AUTHORITY }); // a problem line, or undefined
 * signInAuthority('contoso.ciamlogin.com', undefined); // 'https://contoso.ciamlogin.com/'
 * ```
 */
import { optionalText } from './schema';

/** A tenant's subdomain, also written as its host name or its onmicrosoft.com domain. */
const TENANT = /^([a-z0-9-]+)(?:\.ciamlogin\.com|\.onmicrosoft\.com)?$/i;

/** The External ID tenant: `contoso`, `contoso.ciamlogin.com` or `contoso.onmicrosoft.com`. */
export const tenantSubdomain = optionalText.refine(
  (value) => TENANT.test(value),
  'must be the subdomain of your External ID tenant, e.g. "contoso" for contoso.ciamlogin.com.',
);

/** An explicit authority, for a custom URL domain or the local provider. MSAL refuses any scheme but https. */
export const authority = optionalText.refine(
  (value) => URL.canParse(value) && new URL(value).protocol === 'https:',
  'must be an https URL, e.g. https://localhost:<port>/<tenant-id>/ for the local provider (MSAL refuses any other scheme).',
);

/**
 * The problem when neither the tenant nor an authority is set (blank counts
 * as unset), named with the caller's labels; `undefined` otherwise.
 */
export function missingTenant(
  raw: { tenant: string | undefined; authority: string | undefined },
  labels = { tenant: 'TENANT_SUBDOMAIN', authority: 'AUTHORITY' },
): string | undefined {
  if (raw.tenant?.trim() || raw.authority?.trim()) return undefined;
  return `${labels.tenant} is missing. Set it to your External ID tenant subdomain, e.g. "contoso" for contoso.ciamlogin.com (or set ${labels.authority}).`;
}

/**
 * The authority to sign in at, ending in "/": an explicit authority wins over
 * the tenant's. Call it with values that passed {@link tenantSubdomain},
 * {@link authority} and {@link missingTenant}.
 */
export function signInAuthority(tenant: string | undefined, explicit: string | undefined): string {
  if (explicit) return explicit.endsWith('/') ? explicit : `${explicit}/`;
  const subdomain = tenant === undefined ? undefined : TENANT.exec(tenant)?.[1];
  if (!subdomain) throw new TypeError('signInAuthority needs a valid tenant or an authority');
  return `https://${subdomain}.ciamlogin.com/`;
}

/** Whether `url` names this machine. */
export function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
}

/** https, or plain http on this machine only: nothing secret crosses a network in clear. */
export function isHttpsOrLoopback(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
}
