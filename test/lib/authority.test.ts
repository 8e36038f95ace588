import { describe, expect, it } from 'vitest';
import {
  DiscoveryError,
  discoveryUrl,
  fetchAuthority,
  normalizeAuthority,
  resolveAuthorityFromJson,
  type ResolvedAuthority,
} from '../../src/lib/authority';
import { AppError } from '../../src/lib/errors';
import { closedPort, UNRESOLVABLE_HOST } from '../helpers/network-faults';

const TENANT_ID = '8a1b2c3d-0000-4000-8000-0123456789ab';
const CIAM = 'https://contoso.ciamlogin.com';

/** What a real External ID tenant publishes: the issuer is on the tenant-id host. */
const metadata = {
  issuer: `https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0`,
  authorization_endpoint: `${CIAM}/${TENANT_ID}/oauth2/v2.0/authorize`,
  token_endpoint: `${CIAM}/${TENANT_ID}/oauth2/v2.0/token`,
  jwks_uri: `${CIAM}/${TENANT_ID}/discovery/v2.0/keys`,
  end_session_endpoint: `${CIAM}/${TENANT_ID}/oauth2/v2.0/logout`,
};

/** A fetch that records the URL it was asked for and answers with `respond`. */
function fakeFetch(respond: () => Response | Promise<Response>) {
  const urls: string[] = [];
  const fetchImpl = (async (input: string | URL | Request) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return respond();
  }) as typeof fetch;
  return { fetchImpl, urls };
}

async function rejection(promise: Promise<ResolvedAuthority>): Promise<unknown> {
  return promise.then(
    () => new Error('resolved'),
    (reason: unknown) => reason,
  );
}

describe('normalizeAuthority and discoveryUrl', () => {
  it('puts a path-less External ID authority under <subdomain>.onmicrosoft.com', () => {
    expect(normalizeAuthority(`${CIAM}/`)).toBe(`${CIAM}/contoso.onmicrosoft.com/`);
    expect(normalizeAuthority(CIAM)).toBe(`${CIAM}/contoso.onmicrosoft.com/`);
    expect(discoveryUrl(`${CIAM}/`)).toBe(`${CIAM}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
  });

  it('keeps a tenant-id path', () => {
    expect(normalizeAuthority(`${CIAM}/${TENANT_ID}/`)).toBe(`${CIAM}/${TENANT_ID}/`);
    expect(normalizeAuthority(`${CIAM}/${TENANT_ID}`)).toBe(`${CIAM}/${TENANT_ID}/`);
    expect(discoveryUrl(`${CIAM}/${TENANT_ID}/`)).toBe(`${CIAM}/${TENANT_ID}/v2.0/.well-known/openid-configuration`);
  });

  it('leaves a localhost authority as it is, with a trailing slash', () => {
    expect(normalizeAuthority('https://localhost:8443/')).toBe('https://localhost:8443/');
    expect(normalizeAuthority('https://localhost:8443/tenant')).toBe('https://localhost:8443/tenant/');
    expect(discoveryUrl('https://localhost:8443/')).toBe('https://localhost:8443/v2.0/.well-known/openid-configuration');
  });

  it('does not treat look-alike hosts as External ID', () => {
    expect(normalizeAuthority('https://contoso.ciamlogin.com.evil.example/')).toBe('https://contoso.ciamlogin.com.evil.example/');
    expect(normalizeAuthority('https://login.contoso.com/')).toBe('https://login.contoso.com/');
  });
});

describe('resolveAuthorityFromJson', () => {
  it('lists every host MSAL will meet in knownAuthorities, including the issuer host', () => {
    const resolved = resolveAuthorityFromJson(`${CIAM}/`, JSON.stringify(metadata));
    expect(resolved.authority).toBe(`${CIAM}/contoso.onmicrosoft.com/`);
    expect(resolved.knownAuthorities).toEqual(expect.arrayContaining(['contoso.ciamlogin.com', `${TENANT_ID}.ciamlogin.com`]));
    expect(resolved.knownAuthorities).toHaveLength(2);
    expect(resolved.metadata).toEqual(metadata);
    expect(JSON.parse(resolved.metadataJson)).toEqual(metadata);
  });

  it('keeps the port of a local provider', () => {
    const local = {
      issuer: 'https://localhost:8443',
      authorization_endpoint: 'https://localhost:8443/auth',
      token_endpoint: 'https://localhost:8443/token',
      jwks_uri: 'https://localhost:8443/jwks',
    };
    expect(resolveAuthorityFromJson('https://localhost:8443/', JSON.stringify(local)).knownAuthorities).toEqual(['localhost:8443']);
  });

  it.each(['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const)('refuses metadata without a usable %s', (key) => {
    for (const value of [undefined, 42, 'not a url']) {
      const broken = { ...metadata, [key]: value };
      const error = (() => {
        try {
          resolveAuthorityFromJson(`${CIAM}/`, JSON.stringify(broken));
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'misconfigured', status: 500 });
    }
  });
});

describe('fetchAuthority', () => {
  it('fetches the discovery document once from the discovery URL', async () => {
    const { fetchImpl, urls } = fakeFetch(() => Response.json(metadata));
    const resolved = await fetchAuthority(`${CIAM}/`, fetchImpl);
    expect(urls).toEqual([`${CIAM}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`]);
    expect(resolved.metadata.issuer).toBe(metadata.issuer);
    expect(resolved.knownAuthorities).toContain(`${TENANT_ID}.ciamlogin.com`);
  });

  it.each([400, 404, 401, 403])('is tenant_not_found when the provider answers %i: a setting is wrong', async (status) => {
    const { fetchImpl } = fakeFetch(() => new Response('{}', { status }));
    const error = await rejection(fetchAuthority(`${CIAM}/`, fetchImpl));
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({ code: 'tenant_not_found', url: discoveryUrl(`${CIAM}/`), details: { status } });
    expect((error as DiscoveryError).reason).toBe(`discovery:${status}`);
  });

  it("keeps Entra's AADSTS number from an unknown tenant's answer, and nothing else of it", async () => {
    const body = {
      error: 'invalid_tenant',
      error_description: "AADSTS90002: Tenant 'fabrikam.onmicrosoft.com' not found.",
      error_codes: [90002],
      correlation_id: '00000000-0000-4000-8000-000000000000',
    };
    const { fetchImpl } = fakeFetch(() => Response.json(body, { status: 400 }));
    const error = (await rejection(fetchAuthority('https://fabrikam.ciamlogin.com/', fetchImpl))) as DiscoveryError;
    expect(error.details).toEqual({ status: 400, aadsts: 90002 });
    expect(error.reason).toBe('discovery:400 aadsts:90002');
    expect(error.url).toBe('https://fabrikam.ciamlogin.com/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration');
    expect(error.host).toBe('fabrikam.ciamlogin.com');
  });

  it.each([500, 502, 503, 408, 429])('is unavailable (worth retrying) when the provider answers %i', async (status) => {
    const { fetchImpl } = fakeFetch(() => new Response('nope', { status }));
    expect(await rejection(fetchAuthority(`${CIAM}/`, fetchImpl))).toMatchObject({ code: 'unavailable', details: { status } });
  });

  it('is unavailable when fetch throws without a reason, or times out', async () => {
    const failing = (error: Error) => (async () => {
      throw error;
    }) as typeof fetch;
    expect(await rejection(fetchAuthority(`${CIAM}/`, failing(new TypeError('fetch failed'))))).toMatchObject({
      code: 'unavailable',
      reason: 'discovery:unreachable',
    });
    expect(await rejection(fetchAuthority(`${CIAM}/`, failing(new DOMException('timed out', 'TimeoutError'))))).toMatchObject({
      code: 'unavailable',
      reason: 'discovery:timeout',
    });
  });

  it('is host_not_found for a host name that does not resolve (the real resolver)', async () => {
    const error = (await rejection(fetchAuthority(`https://${UNRESOLVABLE_HOST}/tenant/`))) as DiscoveryError;
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({ code: 'host_not_found', host: UNRESOLVABLE_HOST, reason: 'discovery:ENOTFOUND' });
    expect(error.url).toBe(`https://${UNRESOLVABLE_HOST}/tenant/v2.0/.well-known/openid-configuration`);
  });

  it('is unavailable for a refused connection to a host that resolves', async () => {
    const error = await rejection(fetchAuthority(`https://127.0.0.1:${await closedPort()}/tenant/`));
    expect(error).toMatchObject({ code: 'unavailable', reason: 'discovery:ECONNREFUSED' });
  });

  it('is unavailable for a discovery document that lacks required endpoints (something else answered)', async () => {
    const { fetchImpl } = fakeFetch(() => Response.json({ issuer: metadata.issuer }));
    expect(await rejection(fetchAuthority(`${CIAM}/`, fetchImpl))).toMatchObject({ code: 'unavailable', details: { status: 200 } });
  });

  // A captive portal or proxy answering in the provider's place is an outage, not a bug of ours.
  it.each([
    ['HTML', '<html>captive portal</html>'],
    ['JSON null', 'null'],
    ['a JSON array', '[]'],
  ])('is unavailable for a 200 answer that is %s', async (_label, body) => {
    const { fetchImpl } = fakeFetch(() => new Response(body, { status: 200 }));
    expect(await rejection(fetchAuthority(`${CIAM}/`, fetchImpl))).toMatchObject({ code: 'unavailable' });
  });
});
