/**
 * Tenant and registration mistakes through the real handlers: a tenant that
 * does not exist, a host name that does not resolve, a refused client secret,
 * an unknown client, an unregistered redirect URI and an app identity without
 * its Cosmos DB data role each read as a setup mistake (500, no Retry-After, a page naming the setting, a log line with
 * the setting and the URL tried). Only outages are 503.
 *
 * Each block starts the app with its own settings: the runtime reads them
 * once per instance, so the modules are loaded afresh for each.
 */
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { cosmosError, startCosmosFaultProxy, type CosmosFaultProxy } from '../helpers/cosmos-fault-proxy';
import { oauthError } from '../helpers/fake-entra';
import { CookieJar, type InvokeResult } from '../helpers/functions';
import { freePort, startUntrustedHttps, UNRESOLVABLE_HOST, type LocalServer } from '../helpers/network-faults';
import { startSignIn } from '../helpers/sign-in-steps';

/** The app under `settings`, with freshly loaded modules (and so a fresh runtime). */
function useApp(settings: () => Promise<Record<string, string>> | Record<string, string> = () => ({})) {
  const holder = {} as { app: AppUnderTest };
  beforeAll(async () => {
    vi.resetModules();
    holder.app = await startApp(await settings());
  });
  afterAll(() => holder.app?.stop());
  return holder;
}

function requestLine(result: InvokeResult): Record<string, unknown> {
  const line = result.logs.find((entry) => entry.startsWith('{') && entry.includes('"event":"request"'));
  expect(line, result.logs.join('\n')).toBeDefined();
  return JSON.parse(line!) as Record<string, unknown>;
}

/** The page and the log line of a setup mistake. */
function expectSetupMistakePage(result: InvokeResult, code: string, mentions: string[]) {
  expect(result.status).toBe(500);
  expect(result.headers['retry-after']).toBeUndefined();
  expect(result.headers['content-type']).toContain('text/html');
  expect(result.body).toContain('Sign-in is not set up correctly on this site');
  expect(result.body).toContain(`Error code: ${code}`);
  expect(result.body).not.toMatch(/try again/i);
  for (const text of mentions) expect(result.body).toContain(text);
}

describe('a tenant that does not exist (Entra: 400 AADSTS90002 at discovery)', () => {
  const holder = useApp(() => ({ TENANT_SUBDOMAIN: 'fabrikam' }));
  const discovery = 'https://fabrikam.ciamlogin.com/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration';

  it('answers the browser a page saying sign-in is not set up, naming TENANT_SUBDOMAIN', async () => {
    const result = await new CookieJar().invoke(holder.app.fn.login, '/api/login');
    expectSetupMistakePage(result, 'tenant_not_found', ['TENANT_SUBDOMAIN', discovery, 'AADSTS90002']);
    expect(requestLine(result)).toMatchObject({
      status: 500,
      error: 'tenant_not_found discovery:400 aadsts:90002',
      setting: 'TENANT_SUBDOMAIN',
      url: discovery,
    });
  });

  it('answers API callers problem+json with the same code', async () => {
    const result = await new CookieJar().invoke(holder.app.fn.claims, '/api/claims', { headers: { authorization: 'Bearer a.b.c' } });
    expect(result.status).toBe(500);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.json()).toMatchObject({ code: 'tenant_not_found', status: 500 });
  });
});

describe('a host name that does not resolve', () => {
  const authority = `https://${UNRESOLVABLE_HOST}/tenant/`;
  const holder = useApp(() => ({ AUTHORITY: authority }));

  it('names the host and the AUTHORITY setting on the page and in the log', async () => {
    const result = await new CookieJar().invoke(holder.app.fn.login, '/api/login');
    expectSetupMistakePage(result, 'authority_host_not_found', [UNRESOLVABLE_HOST, 'AUTHORITY']);
    expect(requestLine(result)).toMatchObject({
      error: 'authority_host_not_found discovery:ENOTFOUND',
      setting: 'AUTHORITY',
      url: `${authority}v2.0/.well-known/openid-configuration`,
    });
  });
});

describe('a certificate the app does not trust', () => {
  let untrusted: LocalServer;
  // By address: the app under test lets 127.0.0.1 past msw, to the real TLS handshake.
  const holder = useApp(async () => {
    untrusted = await startUntrustedHttps();
    return { AUTHORITY: `${untrusted.url.replace('localhost', '127.0.0.1')}/tenant/` };
  });
  afterAll(() => untrusted?.close());

  it('points at NODE_EXTRA_CA_CERTS and the AUTHORITY setting', async () => {
    const result = await new CookieJar().invoke(holder.app.fn.login, '/api/login');
    expectSetupMistakePage(result, 'untrusted_certificate', ['NODE_EXTRA_CA_CERTS', 'AUTHORITY']);
    expect(requestLine(result)).toMatchObject({ error: 'untrusted_certificate discovery:DEPTH_ZERO_SELF_SIGNED_CERT', setting: 'AUTHORITY' });
  });
});

describe("the app's identity without its Cosmos DB data role (every data call answers 403)", () => {
  const holder = useApp();
  let proxy: CosmosFaultProxy;
  beforeAll(async () => {
    proxy = await startCosmosFaultProxy(holder.app.cosmos.endpoint);
    // The runtime reads the setting on first use: the app reaches Cosmos only through the proxy.
    process.env.COSMOS_ENDPOINT = proxy.url;
  });
  afterAll(() => proxy?.close());

  it('fails the sign-in with a page naming COSMOS_KEY and the data role, not an outage', async () => {
    const { app } = holder;
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    // The SDK reports the refused batch without its status; the point read that follows keeps it.
    proxy.inject((request) => (request.container === 'sessions' && ['batch', 'read'].includes(request.operation) ? cosmosError(403, 'Forbidden') : undefined));
    const result = await jar.invoke(app.fn.redirect, callback);
    expectSetupMistakePage(result, 'misconfigured', ['COSMOS_KEY', 'Cosmos DB Built-in Data Contributor']);
    expect(requestLine(result)).toMatchObject({ status: 500, error: 'misconfigured cosmos:403', setting: 'COSMOS_KEY' });
    expect(proxy.count((entry) => entry.operation === 'batch')).toBe(1);
  });
});

describe('outages stay 503 with Retry-After', () => {
  describe('a refused connection to a host that resolves', () => {
    const holder = useApp(async () => ({ AUTHORITY: `https://127.0.0.1:${await freePort()}/tenant/` }));

    it('is identity_provider_unavailable', async () => {
      const result = await new CookieJar().invoke(holder.app.fn.login, '/api/login');
      expect(result.status).toBe(503);
      expect(result.headers['retry-after']).toBeDefined();
      expect(result.body).toContain('identity_provider_unavailable');
      expect(requestLine(result).error).toBe('identity_provider_unavailable discovery:ECONNREFUSED');
    });
  });

  describe('a 5xx from the tenant', () => {
    const holder = useApp();

    it('is identity_provider_unavailable, and the next request tries again', async () => {
      const { app } = holder;
      app.msw.use(http.get(`${app.entra.base}/v2.0/.well-known/openid-configuration`, () => new HttpResponse('busy', { status: 503 }), { once: true }));
      const outage = await new CookieJar().invoke(app.fn.login, '/api/login');
      expect(outage.status).toBe(503);
      expect(outage.headers['retry-after']).toBeDefined();
      expect(requestLine(outage).error).toBe('identity_provider_unavailable discovery:503');
      expect((await new CookieJar().invoke(app.fn.login, '/api/login')).status).toBe(302);
    });
  });
});

describe('mistakes the tenant reports at the callback', () => {
  const holder = useApp();

  /** Signs in up to the callback, with the token endpoint answering `answer` once. */
  async function callbackWith(answer: () => Response): Promise<InvokeResult> {
    const { app } = holder;
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    app.msw.use(http.post(app.entra.metadata.token_endpoint, answer, { once: true }));
    return jar.invoke(app.fn.redirect, callback);
  }

  it('an expired client secret (AADSTS7000222) names CLIENT_SECRET', async () => {
    const { app } = holder;
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    app.entra.clientSecretExpired = true;
    try {
      const result = await jar.invoke(app.fn.redirect, callback);
      expectSetupMistakePage(result, 'client_secret_rejected', ['CLIENT_SECRET', 'AADSTS7000222']);
      expect(requestLine(result)).toMatchObject({ error: 'client_secret_rejected msal:invalid_client aadsts:7000222', setting: 'CLIENT_SECRET' });
      expect(result.body).not.toContain(app.entra.clientSecret);
    } finally {
      app.entra.clientSecretExpired = false;
    }
  });

  it('an unknown client (unauthorized_client, AADSTS700016) names CLIENT_ID', async () => {
    const result = await callbackWith(() =>
      oauthError('unauthorized_client', "AADSTS700016: Application with identifier 'x' was not found in the directory 'Contoso'."),
    );
    expectSetupMistakePage(result, 'client_not_authorized', ['CLIENT_ID', 'AADSTS700016']);
    expect(requestLine(result)).toMatchObject({ error: 'client_not_authorized msal:unauthorized_client aadsts:700016', setting: 'CLIENT_ID' });
  });

  it('an unregistered redirect URI (invalid_client, AADSTS50011) names REDIRECT_URI', async () => {
    const result = await callbackWith(() =>
      oauthError('invalid_client', "AADSTS50011: The redirect URI 'http://localhost:7071/api/redirect' specified in the request does not match.", 400),
    );
    expectSetupMistakePage(result, 'redirect_uri_mismatch', ['REDIRECT_URI', 'AADSTS50011']);
    expect(requestLine(result)).toMatchObject({ error: 'redirect_uri_mismatch msal:invalid_client aadsts:50011', setting: 'REDIRECT_URI' });
  });

  it('scopes the tenant refuses (invalid_scope) name DOWNSTREAM_API_SCOPES', async () => {
    const result = await callbackWith(() => oauthError('invalid_scope', "AADSTS70011: The provided value for the input parameter 'scope' is not valid."));
    expectSetupMistakePage(result, 'misconfigured', ['DOWNSTREAM_API_SCOPES', 'AADSTS70011']);
    expect(requestLine(result)).toMatchObject({ setting: 'DOWNSTREAM_API_SCOPES' });
  });

  it('an error Entra sends to the redirect URI is read the same way', async () => {
    const { app } = holder;
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    const state = new URL(callback).searchParams.get('state')!;
    const description = encodeURIComponent("AADSTS700016: Application with identifier 'x' was not found.");
    const result = await jar.invoke(app.fn.redirect, `/api/redirect?error=unauthorized_client&error_description=${description}&state=${state}`);
    expectSetupMistakePage(result, 'client_not_authorized', ['CLIENT_ID']);
    // The failed sign-in's transaction cookie is cleared, as for any failed callback.
    expect(result.cookies.some((cookie) => cookie.maxAge === 0)).toBe(true);
  });

  it('a 5xx at the token endpoint stays 503', async () => {
    const result = await callbackWith(() => oauthError('temporarily_unavailable', 'AADSTS90033: A transient error has occurred.', 503));
    expect(result.status).toBe(503);
    expect(result.headers['retry-after']).toBeDefined();
  });
});
