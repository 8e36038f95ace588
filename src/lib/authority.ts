/**
 * The tenant's OpenID discovery document, resolved once per instance.
 *
 * MSAL would otherwise discover it on the first request of every client it
 * builds; we fetch it once (or take it from `AUTHORITY_METADATA`) and hand
 * it to MSAL as `authorityMetadata`, with every host it names in
 * `knownAuthorities`. That also lets real External ID tenants through: they
 * publish an issuer on `<tenant-id>.ciamlogin.com`, a different host from
 * the `<subdomain>.ciamlogin.com` authority, which MSAL refuses unless it is
 * a known authority.
 *
 * @example
 * ```ts
 * discoveryUrl('https://contoso.ciamlogin.com/');
 * // 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration'
 * ```
 */
import { AuthError } from './errors';
import { identityProviderUnavailable } from './identity-errors';

export interface OpenIdMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  [key: string]: unknown;
}

export interface ResolvedAuthority {
  /** The authority as MSAL should see it. */
  authority: string;
  metadata: OpenIdMetadata;
  /** The discovery document as JSON text, for MSAL's `authorityMetadata`. */
  metadataJson: string;
  knownAuthorities: string[];
}

const CIAM_HOST = /^([a-z0-9-]+)\.ciamlogin\.com$/i;

/**
 * External ID authorities may omit the tenant path
 * (`https://contoso.ciamlogin.com/`); Entra serves them under
 * `/<subdomain>.onmicrosoft.com/`, as MSAL does.
 */
export function normalizeAuthority(authority: string): string {
  const url = new URL(authority);
  const ciam = CIAM_HOST.exec(url.hostname);
  if (ciam && (url.pathname === '/' || url.pathname === '')) return `${url.origin}/${ciam[1]}.onmicrosoft.com/`;
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

export function discoveryUrl(authority: string): string {
  return `${normalizeAuthority(authority)}v2.0/.well-known/openid-configuration`;
}

export function resolveAuthorityFromJson(authority: string, metadataJson: string): ResolvedAuthority {
  const metadata = parseMetadata(metadataJson);
  if (!metadata) throw new AuthError('misconfigured', 500, 'The identity provider published an unusable discovery document.');
  return resolve(authority, metadata, metadataJson);
}

function resolve(authority: string, metadata: OpenIdMetadata, metadataJson: string): ResolvedAuthority {
  const normalized = normalizeAuthority(authority);
  const hosts = [normalized, metadata.issuer, metadata.authorization_endpoint, metadata.token_endpoint]
    .concat(metadata.end_session_endpoint ? [metadata.end_session_endpoint] : [])
    .map((url) => new URL(url).host);
  return { authority: normalized, metadata, metadataJson, knownAuthorities: [...new Set(hosts)] };
}

function parseMetadata(json: string): OpenIdMetadata | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const metadata = value as OpenIdMetadata;
  const required = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
  return required.every((key) => typeof metadata[key] === 'string' && URL.canParse(metadata[key])) ? metadata : undefined;
}

/**
 * Fetches the discovery document. A provider that cannot be reached, or
 * something else answering in its place (a proxy's error page), gives a 503.
 */
export async function fetchAuthority(authority: string, fetchImpl: typeof fetch = fetch): Promise<ResolvedAuthority> {
  let response: Response;
  try {
    response = await fetchImpl(discoveryUrl(authority), { signal: AbortSignal.timeout(10_000) });
  } catch {
    throw identityProviderUnavailable();
  }
  const body = response.ok ? await response.text().catch(() => '') : '';
  const metadata = parseMetadata(body);
  if (!metadata) throw identityProviderUnavailable();
  return resolve(authority, metadata, body);
}

