/**
 * The local OpenID provider's sessions as Entra shows them to apps: the `sid` claim in ID tokens
 * and front-channel logout. A small HTTP server plays the apps and records what reaches it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, DEV_WEB_CLIENT, startProvider, type LocalProvider, type ProviderClient } from '../../dev/provider';
import { launchChromium } from '../helpers/chromium';
import { HttpFormDriver, httpRequest } from '../../dev/http-form-driver';
import { authorizeRequest, codeFlowTokens, redeemCode, signOutAtProvider, type CodeFlowClient } from '../../dev/local-provider-flows';

const [alice, bob] = [DEMO_USERS[0]!, DEMO_USERS[1]!];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface AppRequest {
  path: string;
  query: URLSearchParams;
  cookie?: string;
}

/** The apps' side: every request recorded; the redirect URIs set a SameSite=Lax session cookie. */
async function startApps(): Promise<{ origin: string; requests: AppRequest[]; server: Server }> {
  const requests: AppRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ path: url.pathname, query: url.searchParams, cookie: req.headers.cookie });
    if (url.pathname.endsWith('/redirect')) res.setHeader('set-cookie', 'app_session=signed-in; Path=/; HttpOnly; SameSite=Lax');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end('<!DOCTYPE html><title>app</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://localhost:${(server.address() as AddressInfo).port}`, requests, server };
}

let apps: Awaited<ReturnType<typeof startApps>>;
let dataDir: string;
let idp: LocalProvider;
/** The web app, registered with its front-channel logout URL. */
let WEB: ProviderClient;
/** A second app in the tenant whose front-channel URL has a query of its own. */
let OTHER: ProviderClient;
/** An app without a front-channel logout URL. */
let QUIET: ProviderClient;
/** An app with a front-channel logout URL that nobody signs in to. */
let UNUSED: ProviderClient;

beforeAll(async () => {
  apps = await startApps();
  const app = (path: string, extra: Partial<ProviderClient> & { clientId: string }): ProviderClient => ({
    clientSecret: `${path}-secret`,
    redirectUris: [`${apps.origin}/${path}/redirect`],
    postLogoutRedirectUris: [`${apps.origin}/${path}/signed-out`],
    clientName: `App ${path}`,
    ...extra,
  });
  WEB = { ...DEV_WEB_CLIENT, ...app('web', { clientId: DEV_WEB_CLIENT.clientId, clientSecret: DEV_WEB_CLIENT.clientSecret }), frontchannelLogoutUri: `${apps.origin}/web/logout/frontchannel` };
  OTHER = app('other', { clientId: '2b8e4f61-0c3d-4a7e-9f12-5d6c7b8a9e01', frontchannelLogoutUri: `${apps.origin}/other/logout?tenant=a&b=<c>` });
  QUIET = app('quiet', { clientId: '6c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f' });
  UNUSED = app('unused', { clientId: '8f7e6d5c-4b3a-4291-8807-f6e5d4c3b2a1', frontchannelLogoutUri: `${apps.origin}/unused/logout` });
  dataDir = mkdtempSync(join(tmpdir(), 'local-idp-sessions-'));
  idp = await startProvider({ dataDir, clients: [WEB, OTHER, QUIET, UNUSED] });
}, 30_000);

afterAll(async () => {
  await idp?.close();
  await new Promise((resolve) => apps?.server.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

function codeClient(client: ProviderClient): CodeFlowClient {
  return { clientId: client.clientId, clientSecret: client.clientSecret!, redirectUri: client.redirectUris[0]! };
}

function logoutUrl(client: ProviderClient, state = 'after-sign-out') {
  const url = new URL(`${idp.authority}oauth2/v2.0/logout`);
  url.searchParams.set('post_logout_redirect_uri', client.postLogoutRedirectUris[0]!);
  url.searchParams.set('state', state);
  return url.href;
}

function frontchannelRequests(since: number) {
  return apps.requests.slice(since).filter((request) => request.path.endsWith('/logout') || request.path.endsWith('/frontchannel'));
}

async function verifiedIdToken(idToken: string, audience: string) {
  const jose = await import('jose');
  const jwks = JSON.parse((await httpRequest(idp.jwksUri, { ca: idp.caCert })).body) as { keys: import('jose').JWK[] };
  const { payload } = await jose.jwtVerify(idToken, jose.createLocalJWKSet(jwks), { issuer: idp.issuer, audience, algorithms: ['RS256'] });
  return payload;
}

function refresh(client: CodeFlowClient, refreshToken: string) {
  return httpRequest(`${idp.authority}oauth2/v2.0/token`, {
    ca: idp.caCert,
    form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: client.clientId, client_secret: client.clientSecret },
  }).then((response) => ({ status: response.status, body: JSON.parse(response.body) as Record<string, string> }));
}

describe('sid in ID tokens', () => {
  it('is one GUID per provider session, shared by the apps signed in through it, kept on refresh', async () => {
    const browser = new HttpFormDriver({ ca: idp.caCert });
    const [web, other] = [codeClient(WEB), codeClient(OTHER)];
    const first = await codeFlowTokens(browser, idp, web, alice);
    const claims = await verifiedIdToken(first.id_token!, web.clientId);
    expect(claims.sid).toMatch(GUID);

    // Single sign-on into a second app: same session, same sid (oidc-provider alone would give each app its own).
    const second = await codeFlowTokens(browser, idp, other, alice);
    expect((await verifiedIdToken(second.id_token!, other.clientId)).sid).toBe(claims.sid);

    // A refreshed ID token names the session it came from.
    const refreshed = await refresh(web, first.refresh_token!);
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.id_token!).sid).toBe(claims.sid);

    // Another browser is another session.
    const elsewhere = await codeFlowTokens(new HttpFormDriver({ ca: idp.caCert }), idp, web, alice);
    expect(decodeJwt(elsewhere.id_token!).sid).toMatch(GUID);
    expect(decodeJwt(elsewhere.id_token!).sid).not.toBe(claims.sid);

    // Access tokens and userinfo do not carry it.
    expect(decodeJwt(first.access_token!)).not.toHaveProperty('sid');
  }, 30_000);

  it('changes when the user signs out and in again, or another user takes over the browser', async () => {
    const web = codeClient(WEB);
    const browser = new HttpFormDriver({ ca: idp.caCert });
    const before = decodeJwt((await codeFlowTokens(browser, idp, web, alice)).id_token!).sid;

    await signOutAtProvider(browser, logoutUrl(WEB), WEB.postLogoutRedirectUris[0]!);
    const after = decodeJwt((await codeFlowTokens(browser, idp, web, alice)).id_token!).sid;
    expect(after).toMatch(GUID);
    expect(after).not.toBe(before);

    // prompt=login as bob in alice's browser: oidc-provider ends alice's session first.
    const bobs = decodeJwt((await codeFlowTokens(browser, idp, web, bob, { prompt: 'login' })).id_token!);
    expect(bobs.oid).toBe(bob.oid);
    expect(bobs.sid).not.toBe(after);
  }, 30_000);
});

describe('front-channel logout', () => {
  it('loads the front-channel URL of each app of the ended session, with its sid and the issuer, then goes on', async () => {
    const browser = new HttpFormDriver({ ca: idp.caCert });
    const sid = decodeJwt((await codeFlowTokens(browser, idp, codeClient(WEB), alice)).id_token!).sid;
    await codeFlowTokens(browser, idp, codeClient(OTHER), alice);
    await codeFlowTokens(browser, idp, codeClient(QUIET), alice);
    const elsewhere = new HttpFormDriver({ ca: idp.caCert });
    await codeFlowTokens(elsewhere, idp, codeClient(WEB), alice);
    const since = apps.requests.length;

    const landed = await signOutAtProvider(browser, logoutUrl(WEB, 'st-1'), WEB.postLogoutRedirectUris[0]!);
    expect(landed.href).toBe(`${WEB.postLogoutRedirectUris[0]}?state=st-1`);
    const seen = frontchannelRequests(since);
    expect(seen.map((request) => request.path).sort()).toEqual(['/other/logout', '/web/logout/frontchannel']);
    for (const request of seen) {
      expect(request.query.get('sid')).toBe(sid);
      expect(request.query.get('iss')).toBe(idp.issuer);
    }
    expect(seen.find((request) => request.path === '/other/logout')?.query.get('b')).toBe('<c>'); // its own query kept

    // The provider session is over here, and only here.
    const again = await browser.follow(authorizeRequest(idp, codeClient(WEB)).url, { stopAt: (url) => url.origin === apps.origin });
    expect(again.body).toContain('id="signin-form"');
    const sso = await elsewhere.follow(authorizeRequest(idp, codeClient(WEB)).url, { stopAt: (url) => url.origin === apps.origin });
    expect(sso.stopped).toBe(true);
  }, 30_000);

  it('ends the session first and answers with a page only the listed apps may fill', async () => {
    const browser = new HttpFormDriver({ ca: idp.caCert });
    await codeFlowTokens(browser, idp, codeClient(WEB), bob);
    // Run the sign-out page's own click, and nothing on the page that follows.
    const page = await browser.follow(logoutUrl(WEB, 'a&b'), { autoSubmit: 1 });

    expect(page.status).toBe(200);
    expect(page.body).toContain('id="signout-frontchannel"');
    const frames = [...page.body.matchAll(/<iframe\b[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]!.replace(/&amp;/g, '&'));
    expect(frames).toEqual([expect.stringMatching(new RegExp(`^${apps.origin}/web/logout/frontchannel\\?sid=[0-9a-f-]{36}&iss=`))]);
    expect(page.body).toContain(`href="${WEB.postLogoutRedirectUris[0]}?state=a%26b"`);
    expect(page.headers['cache-control']).toMatch(/no-store/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain(`frame-src ${apps.origin};`);
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(page.body).toContain(`<script nonce="${nonce}">`);

    const again = await browser.follow(authorizeRequest(idp, codeClient(WEB)).url, { stopAt: (url) => url.origin === apps.origin });
    expect(again.body).toContain('id="signin-form"');
  }, 30_000);

  it('goes straight on when no app of the session registered a front-channel URL', async () => {
    const browser = new HttpFormDriver({ ca: idp.caCert });
    await codeFlowTokens(browser, idp, codeClient(QUIET), alice);
    const since = apps.requests.length;
    const done = await browser.follow(logoutUrl(QUIET), { autoSubmit: 1, stopAt: (url) => url.origin === apps.origin });
    expect(done.stopped).toBe(true);
    expect(done.status).toBe(303);
    expect(frontchannelRequests(since)).toEqual([]);
  }, 30_000);

  it('refuses front-channel URLs that Entra refuses, naming the client', async () => {
    for (const [uri, problem] of [
      ['http://app.example.com/logout', 'must use https'],
      ['/api/logout/frontchannel', 'is not an absolute URL'],
      ['https://app.example.com/logout#x', 'must not have a fragment'],
    ] as const) {
      await expect(startProvider({ dataDir, clients: [{ ...QUIET, frontchannelLogoutUri: uri }] })).rejects.toThrow(
        `The frontchannelLogoutUri of client ${QUIET.clientId} ${problem}`,
      );
    }
  });

  it('works in Chromium: hidden iframes without the apps\' SameSite=Lax cookies, CSP intact, then the post-logout redirect', async () => {
    const chromium = await launchChromium();
    try {
      const context = await chromium.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });

      const signIn = authorizeRequest(idp, codeClient(WEB));
      await page.goto(signIn.url);
      await page.locator('#email').fill(alice.email);
      await page.locator('#password').fill(alice.password);
      await page.locator('#signin-submit').click();
      await page.waitForURL((url) => url.pathname === '/web/redirect');
      const tokens = await redeemCode(idp, codeClient(WEB), new URL(page.url()).searchParams.get('code')!, signIn.verifier);
      const sid = decodeJwt(tokens.id_token!).sid;
      await page.goto(authorizeRequest(idp, codeClient(OTHER)).url); // single sign-on
      await page.waitForURL((url) => url.pathname === '/other/redirect');
      expect((await context.cookies(apps.origin)).map((cookie) => cookie.name)).toContain('app_session');

      const since = apps.requests.length;
      await page.goto(logoutUrl(WEB, 'st-2'));
      await page.waitForURL(`${WEB.postLogoutRedirectUris[0]}?state=st-2`);

      const seen = frontchannelRequests(since);
      expect(seen.map((request) => request.path).sort()).toEqual(['/other/logout', '/web/logout/frontchannel']);
      for (const request of seen) {
        expect(request.query.get('sid')).toBe(sid);
        expect(request.cookie).toBeUndefined(); // as on Entra: the app finds its session by sid
      }
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      await chromium.close();
    }
  }, 60_000);
});
