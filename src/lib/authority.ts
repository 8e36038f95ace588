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
import { AppError } from './errors';
import { networkFailure, type NetworkFailure } from './network-failure';

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
  if (!metadata) {
    throw new AppError('misconfigured', {
      detail: 'AUTHORITY_METADATA is not a usable discovery document: it needs issuer, authorization_endpoint, token_endpoint and jwks_uri URLs.',
      setting: 'AUTHORITY_METADATA',
    });
  }
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
 * Why the discovery document could not be had. Callers decide what that
 * means for their users: the app answers a page or problem+json
 * (`fromDiscoveryError`), the CLI an exit code.
 *
 * - `tenant_not_found`: the provider answered 4xx (Entra: 400 with
 *   AADSTS90002 for a tenant that does not exist). A setting is wrong.
 * - `host_not_found`: the authority's host name does not resolve. A setting is wrong.
 * - `untrusted_certificate`: Node does not trust the provider's certificate
 *   (the local provider without `NODE_EXTRA_CA_CERTS`, a TLS-inspecting proxy).
 * - `unavailable`: a timeout, a refused connection, a 5xx or 429, or a 200
 *   that is not a discovery document (a captive portal, a proxy's error
 *   page). Worth retrying.
 */
export class DiscoveryError extends Error {
  constructor(
    readonly code: 'tenant_not_found' | 'host_not_found' | 'untrusted_certificate' | 'unavailable',
    /** The discovery URL tried. It holds no secret: it is public and names only the tenant. */
    readonly url: string,
    readonly details: {
      /** The provider's HTTP status, when it answered. */
      status?: number;
      /** Entra's first error code (the AADSTS number), when it gave one. */
      aadsts?: number;
      /** How the request failed, when no answer came. */
      network?: NetworkFailure;
    } = {},
  ) {
    super(`Discovery at ${url} failed: ${code}`);
    this.name = 'DiscoveryError';
  }

  /** The authority's host, as a person would look it up. */
  get host(): string {
    return new URL(this.url).host;
  }

  /** A short machine reason for logs: `discovery:400 aadsts:90002`, `discovery:ENOTFOUND`, `discovery:timeout`. */
  get reason(): string {
    const { status, aadsts, network } = this.details;
    return `discovery:${status ?? network?.code ?? network?.kind}${aadsts ? ` aadsts:${aadsts}` : ''}`;
  }
}

/**
 * Fetches the discovery document, or throws a {@link DiscoveryError} saying
 * whether retrying can help.
 */
export async function fetchAuthority(authority: string, fetchImpl: typeof fetch = fetch): Promise<ResolvedAuthority> {
  const url = discoveryUrl(authority);
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const network = networkFailure(error);
    const code = network.kind === 'host_not_found' || network.kind === 'untrusted_certificate' ? network.kind : 'unavailable';
    throw new DiscoveryError(code, url, { network });
  }
  const body = await response.text().catch(() => '');
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
    throw new DiscoveryError('tenant_not_found', url, { status: response.status, aadsts: firstErrorCode(body) });
  }
  const metadata = response.ok ? parseMetadata(body) : undefined;
  if (!metadata) throw new DiscoveryError('unavailable', url, { status: response.status });
  return resolve(authority, metadata, body);
}

/** Entra's error bodies carry `error_codes: [90002]`; nothing else of them is kept (descriptions echo request data). */
function firstErrorCode(body: string): number | undefined {
  try {
    const codes = (JSON.parse(body) as { error_codes?: unknown }).error_codes;
    return Array.isArray(codes) && Number.isInteger(codes[0]) ? (codes[0] as number) : undefined;
  } catch {
    return undefined;
  }
}
