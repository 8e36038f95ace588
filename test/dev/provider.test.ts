/**
 * The local OpenID provider (dev/provider) against real msal-node clients, configured as the
 * app configures them against a real External ID tenant.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ConfidentialClientApplication,
  CryptoProvider,
  PublicClientApplication,
  type AuthenticationResult,
  type Configuration,
} from '@azure/msal-node';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEMO_USERS, DEV_DEVICE_CLIENT, DEV_WEB_CLIENT, GRAPH_APP_ID, startProvider, type LocalProvider } from '../../dev/provider';
import { HttpFormDriver, httpRequest, textById } from '../../dev/http-form-driver';
import { approveDeviceCode, sameEndpoint, signInAtProvider, signOutAtProvider, signUpAtProvider } from '../../dev/local-provider-flows';
import { createMsalNetworkClient } from '../helpers/msal-network-client';

const alice = DEMO_USERS[0]!;
const bob = DEMO_USERS[1]!;
const WEB = DEV_WEB_CLIENT;
const REDIRECT_URI = WEB.redirectUris[0]!;
const POST_LOGOUT_URI = WEB.postLogoutRedirectUris[0]!;

let dataDir: string;
let idp: LocalProvider;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-idp-'));
  idp = await startProvider({
    dataDir,
    clients: [{ ...WEB }, { ...DEV_DEVICE_CLIENT }],
    deviceCodeIntervalSeconds: 1,
  });
}, 30_000);

afterAll(async () => {
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** MSAL configured as the app configures it for any tenant: authority + metadata, AAD mode. */
function msalConfig(clientId: string, clientSecret?: string, p: LocalProvider = idp) {
  const network = createMsalNetworkClient({ ca: p.caCert });
  const config: Configuration = {
    auth: {
      clientId,
      ...(clientSecret ? { clientSecret } : {}),
      authority: p.authority,
      knownAuthorities: [new URL(p.authority).host],
      authorityMetadata: p.metadata,
    },
    system: { networkClient: network.client },
  };
  return { config, network };
}

/** Verifies a JWT against the provider's published JWKS (as the app does), with jose. */
async function verifyWithJwks(token: string, audience: string) {
  const jose = await import('jose');
  const jwks = JSON.parse((await httpRequest(idp.jwksUri, { ca: idp.caCert })).body) as { keys: import('jose').JWK[] };
  const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), {
    issuer: idp.issuer,
    audience,
    algorithms: ['RS256'],
  });
  return { payload, protectedHeader };
}

async function callGraph(accessToken: string | undefined, p: LocalProvider = idp) {
  const response = await httpRequest(p.downstreamApiUrl, {
    ca: p.caCert,
    headers: accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` },
  });
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
}

/** The whole browser sign-in of the app: auth code + PKCE + nonce, as the app's routes do it. */
async function browserSignIn(
  cca: ConfidentialClientApplication,
  browser: HttpFormDriver,
  user: { email: string; password: string },
  extra: { prompt?: string; loginHint?: string; scopes?: string[] } = {},
) {
  const pkce = await new CryptoProvider().generatePkceCodes();
  const scopes = extra.scopes ?? idp.downstreamApiScopes;
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const nonce = `nonce-${Math.random().toString(36).slice(2)}`;
  const authUrl = await cca.getAuthCodeUrl({
    scopes,
    redirectUri: REDIRECT_URI,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: 'S256',
    state,
    nonce,
    ...(extra.prompt ? { prompt: extra.prompt } : {}),
    ...(extra.loginHint ? { loginHint: extra.loginHint } : {}),
  });
  const back = await signInAtProvider(browser, authUrl, user, REDIRECT_URI);
  expect(back.searchParams.get('state')).toBe(state);
  const result = await cca.acquireTokenByCode(
    { code: back.searchParams.get('code')!, scopes, redirectUri: REDIRECT_URI, codeVerifier: pkce.verifier, nonce, state },
    { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! },
  );
  return { result, authUrl, nonce };
}

describe('discovery and keys', () => {
  it('serves the discovery document at Entra paths with an Entra-shaped issuer', async () => {
    const base = `${idp.origin}/${idp.tenantId}`;
    expect(idp.authority).toBe(`${base}/`);
    expect(idp.discoveryUrl).toBe(`${idp.authority}v2.0/.well-known/openid-configuration`);
    const response = await httpRequest(idp.discoveryUrl, { ca: idp.caCert });
    expect(response.status).toBe(200);
    const doc = JSON.parse(response.body) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
    });
    expect(JSON.parse(idp.metadata)).toEqual(doc);
    expect(idp.issuer).toBe(doc.issuer);

    const jwks = JSON.parse((await httpRequest(String(doc.jwks_uri), { ca: idp.caCert })).body) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: expect.any(String) })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('keeps its certificate and signing key in dataDir and reuses them on the next start', async () => {
    const second = await startProvider({ dataDir, clients: [{ ...WEB }] });
    try {
      expect(second.port).not.toBe(idp.port);
      expect(second.caCertPath).toBe(idp.caCertPath);
      expect(second.caCert).toBe(idp.caCert);
      expect(readFileSync(second.caCertPath, 'utf8')).not.toContain('PRIVATE KEY');
      const keys = async (p: LocalProvider) => (await httpRequest(p.jwksUri, { ca: p.caCert })).body;
      expect(await keys(second)).toBe(await keys(idp));
    } finally {
      await second.close();
    }
  });

  it('is trusted by a plain Node process through NODE_EXTRA_CA_CERTS (as the app is started)', async () => {
    const script = `fetch(process.argv[1]).then(async (r) => { console.log(r.status, (await r.json()).issuer); })`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, idp.discoveryUrl], {
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: idp.caCertPath },
    });
    expect(stdout.trim()).toBe(`200 ${idp.issuer}`);
  });
});

describe('browser sign-in with a confidential client (auth code + PKCE)', () => {
  it('issues Entra-shaped ID tokens, client_info and a Graph token, with no discovery call by MSAL', async () => {
    const { config, network } = msalConfig(WEB.clientId, WEB.clientSecret);
    const cca = new ConfidentialClientApplication(config);
    const { result, nonce } = await browserSignIn(cca, new HttpFormDriver({ ca: idp.caCert }), alice);

    expect(result.account?.homeAccountId).toBe(`${alice.oid}.${idp.tenantId}`);
    expect(result.account?.tenantId).toBe(idp.tenantId);
    expect(result.account?.username).toBe(alice.email);
    expect(result.account?.name).toBe(alice.displayName);

    const { payload, protectedHeader } = await verifyWithJwks(result.idToken, WEB.clientId);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: WEB.clientId,
      oid: alice.oid,
      tid: idp.tenantId,
      name: alice.displayName,
      preferred_username: alice.email,
      email: alice.email,
      ver: '2.0',
      nonce,
    });
    expect(payload.sub).toEqual(expect.any(String));
    expect(payload.sub).not.toBe(alice.oid); // pairwise, as in Entra: key users on oid (or homeAccountId)

    // The token response MSAL saw.
    const tokenCall = network.requests.find((r) => r.method === 'POST');
    expect(tokenCall?.url).toMatch(new RegExp(`^${idp.authority}oauth2/v2.0/token`));
    expect(network.requests.filter((r) => r.method === 'GET')).toEqual([]); // authorityMetadata: no discovery

    // The access token is for the Graph stand-in.
    expect(decodeProtectedHeader(result.accessToken).typ).toBe('JWT');
    expect(decodeJwt(result.accessToken)).toMatchObject({ aud: GRAPH_APP_ID, scp: 'User.Read', oid: alice.oid, tid: idp.tenantId, azp: WEB.clientId, ver: '2.0' });
    expect(result.scopes).toEqual(expect.arrayContaining(['User.Read']));
    const me = await callGraph(result.accessToken);
    expect(me).toEqual({
      status: 200,
      body: expect.objectContaining({ id: alice.oid, displayName: alice.displayName, mail: alice.email, userPrincipalName: expect.any(String) }),
    });
  }, 20_000);

  it('refreshes through acquireTokenSilent once the access token has expired, rotating the refresh token', async () => {
    // Its own provider: access tokens that live 1 s. Others in this file would race that lifetime.
    const shortLived = await startProvider({ dataDir, clients: [{ ...WEB }], accessTokenTtlSeconds: 1 });
    onTestFinished(() => shortLived.close());
    const { config, network } = msalConfig(WEB.clientId, WEB.clientSecret, shortLived);
    const cca = new ConfidentialClientApplication(config);
    const { result: first } = await browserSignIn(cca, new HttpFormDriver({ ca: shortLived.caCert }), bob);
    const firstRefreshToken = Object.values(JSON.parse(cca.getTokenCache().serialize()).RefreshToken as Record<string, { secret: string }>)[0]?.secret;
    expect(firstRefreshToken).toBeTruthy();

    await new Promise((resolve) => setTimeout(resolve, 1_200)); // TTL 1 s
    expect((await callGraph(first.accessToken, shortLived)).status).toBe(401);

    const account = (await cca.getTokenCache().getAccountByHomeId(`${bob.oid}.${idp.tenantId}`))!;
    expect(account).toBeTruthy();
    const second: AuthenticationResult = await cca.acquireTokenSilent({ account, scopes: idp.downstreamApiScopes });
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.account?.homeAccountId).toBe(`${bob.oid}.${idp.tenantId}`);
    const refreshCall = network.requests.filter((r) => r.method === 'POST').at(-1);
    expect(refreshCall?.form).toMatchObject({ grant_type: 'refresh_token', client_id: WEB.clientId });
    // Not called against the Graph stand-in: with a 1 s lifetime, a busy machine could let it expire first.
    expect(decodeJwt(second.accessToken).oid).toBe(bob.oid);
    expect(decodeJwt(second.accessToken).exp).toBeGreaterThan(decodeJwt(first.accessToken).exp!);

    const secondRefreshToken = Object.values(JSON.parse(cca.getTokenCache().serialize()).RefreshToken as Record<string, { secret: string }>)[0]?.secret;
    expect(secondRefreshToken).toBeTruthy();
    expect(secondRefreshToken).not.toBe(firstRefreshToken); // a new refresh token on each use, as Entra
  }, 20_000);

  it('keeps a used refresh token valid (Entra) unless strict rotation is asked for', async () => {
    const refresh = (p: LocalProvider, refreshToken: string) =>
      httpRequest(`${p.authority}oauth2/v2.0/token`, {
        ca: p.caCert,
        form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: WEB.clientId, client_secret: WEB.clientSecret! },
      }).then((r) => ({ status: r.status, body: JSON.parse(r.body) as Record<string, string> }));
    const firstRefreshToken = async (p: LocalProvider) => {
      const { config } = msalConfig(WEB.clientId, WEB.clientSecret);
      const network = createMsalNetworkClient({ ca: p.caCert });
      const cca = new ConfidentialClientApplication({
        ...config,
        auth: { ...config.auth, authority: p.authority, knownAuthorities: [new URL(p.authority).host], authorityMetadata: p.metadata },
        system: { networkClient: network.client },
      });
      const pkce = await new CryptoProvider().generatePkceCodes();
      const url = await cca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256' });
      const back = await signInAtProvider(new HttpFormDriver({ ca: p.caCert }), url, alice, REDIRECT_URI);
      await cca.acquireTokenByCode({ code: back.searchParams.get('code')!, scopes: ['User.Read'], redirectUri: REDIRECT_URI, codeVerifier: pkce.verifier });
      return Object.values(JSON.parse(cca.getTokenCache().serialize()).RefreshToken as Record<string, { secret: string }>)[0]!.secret;
    };

    const rt = await firstRefreshToken(idp);
    const one = await refresh(idp, rt);
    expect(one.status).toBe(200);
    expect(one.body.refresh_token).toBeTruthy();
    expect(one.body.refresh_token).not.toBe(rt);
    expect((await refresh(idp, rt)).status).toBe(200); // the old one still works, as in Entra
    expect((await refresh(idp, one.body.refresh_token!)).status).toBe(200);

    const strict = await startProvider({ dataDir, clients: [{ ...WEB }], refreshTokenRotation: 'strict' });
    try {
      const strictRt = await firstRefreshToken(strict);
      const rotated = await refresh(strict, strictRt);
      expect(rotated.status).toBe(200);
      expect(rotated.body.refresh_token).not.toBe(strictRt);
      expect(await refresh(strict, strictRt)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      // Reuse revoked the whole grant, the rotated token too.
      expect(await refresh(strict, rotated.body.refresh_token!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    } finally {
      await strict.close();
    }
  }, 20_000);

  it('answers 401 to the Graph stand-in without a valid token', async () => {
    expect((await callGraph(undefined)).status).toBe(401);
    expect((await callGraph('not-a-jwt')).status).toBe(401);
    const { config } = msalConfig(WEB.clientId, WEB.clientSecret);
    const { result } = await browserSignIn(new ConfidentialClientApplication(config), new HttpFormDriver({ ca: idp.caCert }), alice);
    const [h, p, s] = result.accessToken.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(result.accessToken), oid: bob.oid })).toString('base64url');
    const bad = await callGraph(`${h}.${forged}.${s}`);
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    expect(p).toBeTruthy();
  }, 20_000);

  it('shows the sign-in form again with prompt=login, prefills login_hint, rejects wrong passwords', async () => {
    const { config } = msalConfig(WEB.clientId, WEB.clientSecret);
    const cca = new ConfidentialClientApplication(config);
    const browser = new HttpFormDriver({ ca: idp.caCert });
    await browserSignIn(cca, browser, alice);

    // Signed in at the provider: a plain authorize request comes straight back (SSO)...
    const stopAt = sameEndpoint(REDIRECT_URI);
    const sso = await browser.follow(await cca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT_URI }), { stopAt });
    expect(sso.stopped).toBe(true);
    expect(new URL(sso.url).searchParams.get('code')).toBeTruthy();

    // ...prompt=login shows the form, with login_hint prefilled (and escaped).
    const hint = 'bob@example.com"><script>alert(1)</script>';
    const page = await browser.follow(
      await cca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT_URI, prompt: 'login', loginHint: hint }),
      { stopAt },
    );
    expect(page.stopped).toBeFalsy();
    expect(page.body).toContain('id="signin-form"');
    expect(page.body).toContain('value="bob@example.com&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.headers['set-cookie']?.join(';') ?? '').not.toMatch(/fnauth/);
    expect(browser.jar.names(idp.origin).every((name) => name.startsWith('lidp_'))).toBe(true);

    const wrong = await browser.submitForm(page, { form: '#signin-form', fields: { email: bob.email, password: 'nope' }, stopAt });
    expect(wrong.stopped).toBeFalsy();
    expect(textById(wrong.body, 'error')).toBe('Your account or password is incorrect.');
    const right = await browser.submitForm(wrong, { form: '#signin-form', fields: { email: bob.email, password: bob.password }, stopAt });
    expect(right.stopped).toBe(true);

    // prompt=select_account shows the form too; prompt=consent needs no page (consent is granted).
    const select = await browser.follow(await cca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT_URI, prompt: 'select_account' }), { stopAt });
    expect(select.body).toContain('id="signin-form"');
    const consent = await browser.follow(await cca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT_URI, prompt: 'consent' }), { stopAt });
    expect(consent.stopped).toBe(true);
    expect(new URL(consent.url).searchParams.get('code')).toBeTruthy();

    // prompt=none without a provider session: login_required, back at the app.
    const none = await new HttpFormDriver({ ca: idp.caCert }).follow(
      await cca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT_URI, prompt: 'none' }),
      { stopAt },
    );
    expect(new URL(none.url).searchParams.get('error')).toBe('login_required');
  }, 20_000);

  it('refuses to mix two resources in one request, as Entra does', async () => {
    const { config } = msalConfig(WEB.clientId, WEB.clientSecret);
    const cca = new ConfidentialClientApplication(config);
    const url = await cca.getAuthCodeUrl({ scopes: ['User.Read', idp.apiScope(WEB.clientId)], redirectUri: REDIRECT_URI });
    const back = await new HttpFormDriver({ ca: idp.caCert }).follow(url, { stopAt: sameEndpoint(REDIRECT_URI) });
    expect(back.stopped).toBe(true);
    expect(new URL(back.url).searchParams.get('error')).toBe('invalid_scope');
  });

  it('signs out to post_logout_redirect_uri without asking, ending the provider session', async () => {
    const { config } = msalConfig(WEB.clientId, WEB.clientSecret);
    const cca = new ConfidentialClientApplication(config);
    const browser = new HttpFormDriver({ ca: idp.caCert });
    await browserSignIn(cca, browser, alice);

    const endSession = String((JSON.parse(idp.metadata) as Record<string, unknown>).end_session_endpoint);
    const logoutUrl = `${endSession}?post_logout_redirect_uri=${encodeURIComponent(POST_LOGOUT_URI)}`;
    const landed = await signOutAtProvider(browser, logoutUrl, POST_LOGOUT_URI);
    expect(landed.href).toBe(POST_LOGOUT_URI);

    // As on Entra, sign-out ends the provider session but does not revoke refresh tokens: the
    // app has to forget its own token cache.
    const refreshToken = Object.values(JSON.parse(cca.getTokenCache().serialize()).RefreshToken as Record<string, { secret: string }>)[0]!.secret;
    const refreshed = await httpRequest(`${idp.authority}oauth2/v2.0/token`, {
      ca: idp.caCert,
      form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: WEB.clientId, client_secret: WEB.clientSecret! },
    });
    expect(refreshed.status).toBe(200);

    const again = await browser.follow(await cca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT_URI }), {
      stopAt: sameEndpoint(REDIRECT_URI),
    });
    expect(again.stopped).toBeFalsy();
    expect(again.body).toContain('id="signin-form"');
  }, 20_000);
});

describe('sign-up', () => {
  it('creates an account (prompt=create opens the page, the code on the page verifies the email) who can then sign in', async () => {
    const { config } = msalConfig(WEB.clientId, WEB.clientSecret);
    const cca = new ConfidentialClientApplication(config);
    const newUser = { email: 'carol@example.com', displayName: 'Carol <Newcomer>', password: 'Sup3r-secret' };
    const browser = new HttpFormDriver({ ca: idp.caCert });

    const pkce = await new CryptoProvider().generatePkceCodes();
    const authUrl = await cca.getAuthCodeUrl({
      scopes: ['User.Read'],
      redirectUri: REDIRECT_URI,
      prompt: 'create',
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
    });
    const signUpPage = await browser.follow(authUrl);
    expect(signUpPage.body).toContain('id="signup-form"');

    // A wrong code is refused, the page says so.
    const verify = await browser.submitForm(signUpPage, { form: '#signup-form', fields: newUser });
    const code = textById(verify.body, 'otp-display')!;
    expect(code).toMatch(/^\d{6}$/);
    const wrong = await browser.submitForm(verify, { form: '#verify-form', fields: { otp: code === '000000' ? '111111' : '000000' } });
    expect(textById(wrong.body, 'error')).toContain('wrong');
    const back = await browser.submitForm(wrong, { form: '#verify-form', fields: { otp: code }, stopAt: sameEndpoint(REDIRECT_URI) });
    expect(back.stopped).toBe(true);
    const result = await cca.acquireTokenByCode({
      code: new URL(back.url).searchParams.get('code')!,
      scopes: ['User.Read'],
      redirectUri: REDIRECT_URI,
      codeVerifier: pkce.verifier,
    });
    const created = idp.users.findByEmail(newUser.email)!;
    expect(created).toMatchObject({ displayName: newUser.displayName, signedUp: true });
    expect(result.account?.homeAccountId).toBe(`${created.oid}.${idp.tenantId}`);
    expect(result.idTokenClaims).toMatchObject({ name: newUser.displayName, email: newUser.email });

    // The new account signs in from a fresh browser.
    const fresh = await browserSignIn(cca, new HttpFormDriver({ ca: idp.caCert }), newUser);
    expect(fresh.result.account?.homeAccountId).toBe(`${created.oid}.${idp.tenantId}`);

    // Signing up again with the same email is refused (via the sign-in page's "Create one" link).
    await expect(
      signUpAtProvider(new HttpFormDriver({ ca: idp.caCert }), authUrl.replace('prompt=create', 'prompt=login'), newUser, REDIRECT_URI),
    ).rejects.toThrow(/already exists/);
  }, 20_000);

  it('keeps signed-up users in dataDir when persistUsers is on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-idp-users-'));
    for (const file of ['localhost-tls.json', 'signing-key.json']) cpSync(join(dataDir, file), join(dir, file)); // skip key generation
    try {
      const first = await startProvider({ dataDir: dir, clients: [{ ...WEB }], persistUsers: true });
      first.users.create({ email: 'Erin@Example.com', displayName: 'Erin', password: 'Passw0rd!3' });
      await first.close();
      expect(readFileSync(join(dir, 'users.json'), 'utf8')).not.toContain('Passw0rd!3');
      const second = await startProvider({ dataDir: dir, clients: [{ ...WEB }], persistUsers: true });
      try {
        expect(second.users.authenticate('erin@example.com', 'Passw0rd!3')).toMatchObject({ displayName: 'Erin' });
        expect(second.users.findByEmail(alice.email)).toBeTruthy();
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('answers an interaction page opened without its cookie with an error page', async () => {
    const { config } = msalConfig(WEB.clientId, WEB.clientSecret);
    const url = await new ConfidentialClientApplication(config).getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT_URI });
    const first = await new HttpFormDriver({ ca: idp.caCert }).request(url);
    const interaction = new URL(first.headers.location!, first.url);
    const stranger = await new HttpFormDriver({ ca: idp.caCert }).request(interaction);
    expect(stranger.status).toBe(400);
    expect(textById(stranger.body, 'error-code')).toBe('session_not_found');
  });
});

describe('device code flow (public client)', () => {
  it('completes acquireTokenByDeviceCode with a JWT for the app API that verifies against the JWKS', async () => {
    const { config, network } = msalConfig(DEV_DEVICE_CLIENT.clientId);
    const pca = new PublicClientApplication(config);
    const apiScope = idp.apiScope(WEB.clientId);
    const browser = new HttpFormDriver({ ca: idp.caCert });
    let approval: Promise<unknown> | undefined;
    let message = '';

    const result = await pca.acquireTokenByDeviceCode({
      scopes: [apiScope],
      timeout: 30,
      deviceCodeCallback: (response) => {
        message = response.message;
        expect(response.interval).toBe(1);
        approval = approveDeviceCode(browser, response.verificationUri, response.userCode, bob);
      },
    });
    await approval;

    expect(message).toContain('enter the code');
    expect(result?.account?.homeAccountId).toBe(`${bob.oid}.${idp.tenantId}`);
    const { payload, protectedHeader } = await verifyWithJwks(result!.accessToken, WEB.clientId);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toMatchObject({ scp: 'access_as_user', azp: DEV_DEVICE_CLIENT.clientId, oid: bob.oid, tid: idp.tenantId, ver: '2.0' });
    expect(result!.idTokenClaims).toMatchObject({ oid: bob.oid, aud: DEV_DEVICE_CLIENT.clientId });

    const deviceCall = network.requests.find((r) => r.url.includes('/devicecode'));
    expect(deviceCall).toMatchObject({ method: 'POST', status: 200 });
    const polls = network.requests.filter((r) => r.form?.grant_type === 'device_code');
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.at(-1)?.status).toBe(200);
  }, 30_000);

  it('reports a wrong user code on the verification page', async () => {
    const browser = new HttpFormDriver({ ca: idp.caCert });
    const verificationUri = `${idp.authority}oauth2/v2.0/deviceauth`;
    const entry = await browser.follow(verificationUri);
    expect(entry.body).toContain('id="user_code"');
    const wrong = await browser.submitForm(entry, { form: '#op.deviceInputForm', fields: { user_code: 'BCDF-GHJK' } });
    expect(textById(wrong.body, 'error')).toMatch(/did not work/);
  });
});

describe('on-behalf-of (the web app trades a token for its API for a Graph token)', () => {
  // Its own provider: this file's 1-second access tokens would expire between two steps on a busy machine.
  let obo: LocalProvider;
  beforeAll(async () => {
    obo = await startProvider({ dataDir, clients: [{ ...WEB }, { ...DEV_DEVICE_CLIENT }] });
  });
  afterAll(() => obo?.close());

  const tokenEndpoint = () => `${obo.authority}oauth2/v2.0/token`;
  /** The provider's own signing key (kept in dataDir), to mint assertions it would have issued. */
  async function signAssertion(claims: Record<string, unknown>, expiresIn = 600): Promise<string> {
    const jose = await import('jose');
    const jwk = JSON.parse(readFileSync(join(dataDir, 'signing-key.json'), 'utf8')) as import('jose').JWK & { kid: string };
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ iss: obo.issuer, aud: WEB.clientId, oid: bob.oid, scp: 'access_as_user', iat: now, exp: now + expiresIn, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
      .sign(await jose.importJWK(jwk, 'RS256'));
  }
  async function exchange(assertion: string, overrides: Record<string, string | undefined> = {}) {
    const form: Record<string, string> = {};
    const fields = {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      assertion,
      scope: 'User.Read openid profile offline_access',
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret,
      ...overrides,
    };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) form[key] = value;
    const response = await httpRequest(tokenEndpoint(), { ca: obo.caCert, form });
    return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
  }

  it("acquireTokenOnBehalfOf gets a Graph token for the assertion's user, which the Graph stand-in accepts", async () => {
    const { config } = msalConfig(WEB.clientId, WEB.clientSecret, obo);
    const signedIn = await browserSignIn(new ConfidentialClientApplication(config), new HttpFormDriver({ ca: obo.caCert }), bob, {
      scopes: [obo.apiScope(WEB.clientId)],
    });
    const { config: apiConfig, network } = msalConfig(WEB.clientId, WEB.clientSecret, obo);
    const result = await new ConfidentialClientApplication(apiConfig).acquireTokenOnBehalfOf({
      oboAssertion: signedIn.result.accessToken,
      scopes: obo.downstreamApiScopes,
    });
    expect(network.requests.map((request) => request.form?.requested_token_use)).toEqual(['on_behalf_of']);
    expect(network.requests[0]?.form?.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');

    const jose = await import('jose');
    const jwks = JSON.parse((await httpRequest(obo.jwksUri, { ca: obo.caCert })).body) as { keys: import('jose').JWK[] };
    const { payload } = await jose.jwtVerify(result!.accessToken, jose.createLocalJWKSet(jwks), { issuer: obo.issuer, audience: GRAPH_APP_ID });
    expect(payload).toMatchObject({ scp: 'User.Read', oid: bob.oid, azp: WEB.clientId, azpacr: '1', tid: obo.tenantId });
    const graph = await httpRequest(obo.downstreamApiUrl, { ca: obo.caCert, headers: { authorization: `Bearer ${result!.accessToken}` } });
    expect(graph.status).toBe(200);
    expect(JSON.parse(graph.body)).toMatchObject({ id: bob.oid, displayName: bob.displayName });
  });

  it('answers as Entra does: token type, scope, lifetimes and client_info, no refresh token', async () => {
    const { status, body } = await exchange(await signAssertion({}));
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'User.Read', expires_in: 3600, ext_expires_in: 3600 });
    expect(JSON.parse(Buffer.from(String(body.client_info), 'base64url').toString('utf8'))).toEqual({ uid: bob.oid, utid: obo.tenantId });
    expect(body.refresh_token).toBeUndefined();
  });

  it.each([
    ['a public client (no secret)', {}, { client_id: DEV_DEVICE_CLIENT.clientId, client_secret: undefined }, 401, 'invalid_client', 'AADSTS7000218'],
    ['no requested_token_use', {}, { requested_token_use: undefined }, 400, 'invalid_request', 'AADSTS900144'],
    ['an assertion for another audience', { aud: GRAPH_APP_ID }, {}, 400, 'invalid_grant', 'AADSTS500131'],
    ['an assertion from another issuer', { iss: 'https://login.example.com/v2.0' }, {}, 400, 'invalid_grant', 'AADSTS50013'],
    ['an expired assertion', { exp: Math.floor(Date.now() / 1000) - 60 }, {}, 400, 'invalid_grant', 'AADSTS500133'],
    ['an app-only assertion (no scp)', { scp: undefined }, {}, 400, 'invalid_grant', 'delegated'],
    ['an assertion for a user who no longer exists', { oid: '99999999-9999-4999-8999-999999999999' }, {}, 400, 'invalid_grant', 'AADSTS50034'],
    ['OIDC scopes only', {}, { scope: 'openid profile' }, 400, 'invalid_scope', 'AADSTS70011'],
    ['two APIs at once', {}, { scope: `User.Read api://${DEV_DEVICE_CLIENT.clientId}/access_as_user` }, 400, 'invalid_scope', 'AADSTS28000'],
  ] as const)('refuses %s', async (_label, claims, overrides, status, error, description) => {
    const result = await exchange(await signAssertion(claims), overrides);
    expect(result.status).toBe(status);
    expect(result.body.error).toBe(error);
    expect(String(result.body.error_description)).toContain(description);
  });

  it('refuses an assertion this tenant did not sign', async () => {
    const genuine = await signAssertion({});
    const [header, payload] = genuine.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const result = await exchange(forged);
    expect(result.body).toMatchObject({ error: 'invalid_grant' });
    expect(String(result.body.error_description)).toContain('AADSTS50013');
  });
});
