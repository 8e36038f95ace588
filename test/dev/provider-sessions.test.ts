/**
 * The local OpenID provider's sessions as Entra shows them to apps: the `sid` claim in ID tokens
 * and front-channel logout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, DEV_WEB_CLIENT, startProvider, type LocalProvider, type ProviderClient } from '../../dev/provider';
import { HttpFormDriver, httpRequest } from '../helpers/http-form-driver';
import { codeFlowTokens, decodeJwtPayload, signOutAtProvider } from '../helpers/local-provider-flows';

const [alice, bob] = [DEMO_USERS[0]!, DEMO_USERS[1]!];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A second app in the same tenant, to show what is per session and what is per app. */
const OTHER_APP: ProviderClient = {
  clientId: '2b8e4f61-0c3d-4a7e-9f12-5d6c7b8a9e01',
  clientSecret: 'other-app-secret',
  redirectUris: ['http://localhost:7072/api/redirect'],
  postLogoutRedirectUris: ['http://localhost:7072/'],
  clientName: 'Other app',
};

const web = { clientId: DEV_WEB_CLIENT.clientId, clientSecret: DEV_WEB_CLIENT.clientSecret!, redirectUri: DEV_WEB_CLIENT.redirectUris[0]! };
const other = { clientId: OTHER_APP.clientId, clientSecret: OTHER_APP.clientSecret!, redirectUri: OTHER_APP.redirectUris[0]! };

let dataDir: string;
let idp: LocalProvider;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-idp-sessions-'));
  idp = await startProvider({ dataDir, clients: [{ ...DEV_WEB_CLIENT }, OTHER_APP] });
}, 30_000);

afterAll(async () => {
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function verifiedIdToken(idToken: string, audience: string) {
  const jose = await import('jose');
  const jwks = JSON.parse((await httpRequest(idp.jwksUri, { ca: idp.caCert })).body) as { keys: import('jose').JWK[] };
  const { payload } = await jose.jwtVerify(idToken, jose.createLocalJWKSet(jwks), { issuer: idp.issuer, audience, algorithms: ['RS256'] });
  return payload;
}

function refresh(client: typeof web, refreshToken: string) {
  return httpRequest(`${idp.authority}oauth2/v2.0/token`, {
    ca: idp.caCert,
    form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: client.clientId, client_secret: client.clientSecret },
  }).then((response) => ({ status: response.status, body: JSON.parse(response.body) as Record<string, string> }));
}

describe('sid in ID tokens', () => {
  it('is one GUID per provider session, shared by the apps signed in through it, kept on refresh', async () => {
    const browser = new HttpFormDriver({ ca: idp.caCert });
    const first = await codeFlowTokens(browser, idp, web, alice);
    const claims = await verifiedIdToken(first.id_token!, web.clientId);
    expect(claims.sid).toMatch(GUID);

    // Single sign-on into a second app: same session, same sid (oidc-provider alone would give each app its own).
    const second = await codeFlowTokens(browser, idp, other, alice);
    expect((await verifiedIdToken(second.id_token!, other.clientId)).sid).toBe(claims.sid);

    // A refreshed ID token names the session it came from.
    const refreshed = await refresh(web, first.refresh_token!);
    expect(refreshed.status).toBe(200);
    expect(decodeJwtPayload(refreshed.body.id_token!).sid).toBe(claims.sid);

    // Another browser is another session.
    const elsewhere = await codeFlowTokens(new HttpFormDriver({ ca: idp.caCert }), idp, web, alice);
    expect(decodeJwtPayload(elsewhere.id_token!).sid).toMatch(GUID);
    expect(decodeJwtPayload(elsewhere.id_token!).sid).not.toBe(claims.sid);

    // Access tokens and userinfo do not carry it.
    expect(decodeJwtPayload(first.access_token!)).not.toHaveProperty('sid');
  }, 30_000);

  it('changes when the user signs out and in again, or another user takes over the browser', async () => {
    const browser = new HttpFormDriver({ ca: idp.caCert });
    const before = decodeJwtPayload((await codeFlowTokens(browser, idp, web, alice)).id_token!).sid;

    const logout = `${idp.authority}oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent(OTHER_APP.postLogoutRedirectUris[0]!)}`;
    await signOutAtProvider(browser, logout, OTHER_APP.postLogoutRedirectUris[0]!);
    const after = decodeJwtPayload((await codeFlowTokens(browser, idp, web, alice)).id_token!).sid;
    expect(after).toMatch(GUID);
    expect(after).not.toBe(before);

    // prompt=login as bob in alice's browser: oidc-provider ends alice's session first.
    const bobs = decodeJwtPayload((await codeFlowTokens(browser, idp, web, bob, { prompt: 'login' })).id_token!);
    expect(bobs.oid).toBe(bob.oid);
    expect(bobs.sid).not.toBe(after);
  }, 30_000);
});
