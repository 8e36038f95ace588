/**
 * App roles on the local OpenID provider: app-only tokens through the client credentials grant
 * (the admin client), and roles assigned to users, both as Entra issues them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMIN_USER,
  DEMO_USERS,
  DEV_ADMIN_CLIENT,
  DEV_DEVICE_CLIENT,
  DEV_WEB_CLIENT,
  GRAPH_APP_ID,
  SESSIONS_ADMIN_ROLE,
  startProvider,
  type LocalProvider,
} from '../../dev/provider';
import { HttpFormDriver, httpRequest } from '../../dev/http-form-driver';
import { authorizeRequest, codeFlowTokens } from '../../dev/local-provider-flows';
import { createMsalNetworkClient } from '../helpers/msal-network-client';

const alice = DEMO_USERS[0]!;
const WEB = DEV_WEB_CLIENT;
const webApi = `api://${WEB.clientId}/.default`;
const web = { clientId: WEB.clientId, clientSecret: WEB.clientSecret!, redirectUri: WEB.redirectUris[0]! };

let dataDir: string;
let idp: LocalProvider;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-idp-roles-'));
  idp = await startProvider({ dataDir, clients: [{ ...WEB }, { ...DEV_ADMIN_CLIENT }, { ...DEV_DEVICE_CLIENT }] });
}, 30_000);

afterAll(async () => {
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function clientCredentials(form: Record<string, string>) {
  const response = await httpRequest(`${idp.authority}oauth2/v2.0/token`, { ca: idp.caCert, form: { grant_type: 'client_credentials', ...form } });
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
}

async function verified(token: string, audience: string) {
  const jose = await import('jose');
  const jwks = JSON.parse((await httpRequest(idp.jwksUri, { ca: idp.caCert })).body) as { keys: import('jose').JWK[] };
  const { payload } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), { issuer: idp.issuer, audience, algorithms: ['RS256'] });
  return payload;
}

describe('client credentials (app-only tokens)', () => {
  it('gives the admin client a token for the web API with its role, its service principal and no scp', async () => {
    const { status, body } = await clientCredentials({ client_id: DEV_ADMIN_CLIENT.clientId, client_secret: DEV_ADMIN_CLIENT.clientSecret!, scope: webApi });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number), access_token: expect.any(String) });
    expect(body).not.toHaveProperty('refresh_token');
    expect(body).not.toHaveProperty('id_token');

    const claims = await verified(String(body.access_token), WEB.clientId);
    const servicePrincipal = idp.servicePrincipalId(DEV_ADMIN_CLIENT.clientId);
    expect(servicePrincipal).toBe(DEV_ADMIN_CLIENT.servicePrincipalId);
    expect(claims).toMatchObject({
      aud: WEB.clientId,
      iss: idp.issuer,
      tid: idp.tenantId,
      ver: '2.0',
      azp: DEV_ADMIN_CLIENT.clientId,
      azpacr: '1',
      oid: servicePrincipal,
      sub: servicePrincipal,
      roles: [SESSIONS_ADMIN_ROLE],
    });
    for (const userClaim of ['scp', 'name', 'preferred_username', 'scope', 'client_id']) expect(claims).not.toHaveProperty(userClaim);
  });

  it('works through MSAL acquireTokenByClientCredential, as a daemon asks', async () => {
    const network = createMsalNetworkClient({ ca: idp.caCert });
    const daemon = new ConfidentialClientApplication({
      auth: {
        clientId: DEV_ADMIN_CLIENT.clientId,
        clientSecret: DEV_ADMIN_CLIENT.clientSecret,
        authority: idp.authority,
        knownAuthorities: [new URL(idp.authority).host],
        authorityMetadata: idp.metadata,
      },
      system: { networkClient: network.client },
    });
    const result = await daemon.acquireTokenByClientCredential({ scopes: [webApi] });
    expect(decodeJwt(result!.accessToken)).toMatchObject({ aud: WEB.clientId, roles: [SESSIONS_ADMIN_ROLE] });
    expect(network.requests.map((request) => request.form?.grant_type)).toEqual(['client_credentials']);
  });

  it('gives a client granted nothing on that API a token without roles, as Entra does', async () => {
    const { status, body } = await clientCredentials({ client_id: WEB.clientId, client_secret: WEB.clientSecret!, scope: webApi });
    expect(status).toBe(200);
    const claims = decodeJwt(String(body.access_token));
    expect(claims).toMatchObject({ aud: WEB.clientId, azp: WEB.clientId, oid: idp.servicePrincipalId(WEB.clientId) });
    expect(claims).not.toHaveProperty('roles');
    expect(idp.servicePrincipalId(WEB.clientId)).not.toBe(WEB.clientId);
  });

  it('gives the web app a Graph token with its application permission', async () => {
    const { body } = await clientCredentials({ client_id: WEB.clientId, client_secret: WEB.clientSecret!, scope: 'https://graph.microsoft.com/.default' });
    expect(await verified(String(body.access_token), GRAPH_APP_ID)).toMatchObject({ roles: ['User.RevokeSessions.All'], azp: WEB.clientId });
  });

  it('refuses wrong secrets, public clients, scopes without /.default and unknown APIs', async () => {
    const admin = { client_id: DEV_ADMIN_CLIENT.clientId, client_secret: DEV_ADMIN_CLIENT.clientSecret! };
    expect(await clientCredentials({ ...admin, client_secret: 'wrong', scope: webApi })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await clientCredentials({ client_id: DEV_DEVICE_CLIENT.clientId, scope: webApi })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const notDefault = await clientCredentials({ ...admin, scope: `api://${WEB.clientId}/access_as_user` });
    expect(notDefault).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(String(notDefault.body.error_description)).toContain('/.default');
    expect(await clientCredentials({ ...admin })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(await clientCredentials({ ...admin, scope: 'api://11111111-2222-4333-8444-555555555555/.default' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_target' },
    });
  });
});

describe('roles assigned to users', () => {
  const apiScope = `openid profile offline_access api://${WEB.clientId}/access_as_user`;

  it('puts the assigned role in the ID token and the API access token of the assigned user only', async () => {
    const admin = await codeFlowTokens(new HttpFormDriver({ ca: idp.caCert }), idp, web, DEMO_ADMIN_USER, { scope: apiScope });
    expect(await verified(admin.id_token!, WEB.clientId)).toMatchObject({ oid: DEMO_ADMIN_USER.oid, roles: [SESSIONS_ADMIN_ROLE] });
    expect(await verified(admin.access_token!, WEB.clientId)).toMatchObject({
      oid: DEMO_ADMIN_USER.oid,
      scp: 'access_as_user',
      roles: [SESSIONS_ADMIN_ROLE],
    });

    const user = await codeFlowTokens(new HttpFormDriver({ ca: idp.caCert }), idp, web, alice, { scope: apiScope });
    expect(decodeJwt(user.id_token!)).not.toHaveProperty('roles');
    expect(decodeJwt(user.access_token!)).not.toHaveProperty('roles');

    // The role belongs to the web API: the admin's Graph token does not carry it.
    const graph = await codeFlowTokens(new HttpFormDriver({ ca: idp.caCert }), idp, web, DEMO_ADMIN_USER);
    expect(decodeJwt(graph.access_token!)).toMatchObject({ aud: GRAPH_APP_ID, scp: 'User.Read' });
    expect(decodeJwt(graph.access_token!)).not.toHaveProperty('roles');
  }, 30_000);

  it('refuses roles that no API defines, naming the client', async () => {
    await expect(startProvider({ dataDir, clients: [{ ...WEB, userRoles: { [alice.oid]: ['Sessions.ReadAll'] } }] })).rejects.toThrow(
      `Client ${WEB.clientId} assigns the role Sessions.ReadAll to user ${alice.oid}, but its appRoles do not define it.`,
    );
    await expect(startProvider({ dataDir, clients: [{ ...DEV_ADMIN_CLIENT }] })).rejects.toThrow(
      `Client ${DEV_ADMIN_CLIENT.clientId} has application permissions on ${WEB.clientId}, which is no API of this tenant.`,
    );
    await expect(
      startProvider({ dataDir, clients: [{ ...WEB, applicationPermissions: { [GRAPH_APP_ID]: ['Directory.ReadWrite.All'] } }] }),
    ).rejects.toThrow(`Client ${WEB.clientId} is granted Directory.ReadWrite.All on ${GRAPH_APP_ID}, which does not define that role.`);
  });
});

describe('Graph stand-in: POST /users/{id}/revokeSignInSessions', () => {
  const bob = DEMO_USERS[1]!;
  const revokeUrl = (userId: string) => `${idp.graphBaseUrl}/users/${encodeURIComponent(userId)}/revokeSignInSessions`;
  const revoke = (userId: string, token?: string, method = 'POST') =>
    httpRequest(revokeUrl(userId), { ca: idp.caCert, method, headers: token ? { authorization: `Bearer ${token}` } : {} }).then((response) => ({
      status: response.status,
      body: JSON.parse(response.body) as Record<string, unknown>,
    }));
  const refresh = (refreshToken: string) =>
    httpRequest(`${idp.authority}oauth2/v2.0/token`, {
      ca: idp.caCert,
      form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: web.clientId, client_secret: web.clientSecret },
    }).then((response) => ({ status: response.status, body: JSON.parse(response.body) as Record<string, string> }));
  const appToken = async (clientId: string, clientSecret: string) =>
    String((await clientCredentials({ client_id: clientId, client_secret: clientSecret, scope: 'https://graph.microsoft.com/.default' })).body.access_token);

  it('revokes every refresh token and provider session of that user only, answering { value: true }', async () => {
    const [aliceHere, aliceThere, bobs] = [0, 1, 2].map(() => new HttpFormDriver({ ca: idp.caCert }));
    const first = await codeFlowTokens(aliceHere!, idp, web, alice);
    const second = await codeFlowTokens(aliceThere!, idp, web, alice);
    const rotated = await refresh(first.refresh_token!); // Entra-style rotation: both stay valid
    expect(rotated.status).toBe(200);
    const bobsTokens = await codeFlowTokens(bobs!, idp, web, bob);

    const answer = await revoke(alice.oid, await appToken(web.clientId, web.clientSecret));
    expect(answer).toEqual({ status: 200, body: { '@odata.context': `${idp.origin}/${idp.tenantId}/graph/v1.0/$metadata#Edm.Boolean`, value: true } });

    for (const refreshToken of [first.refresh_token!, second.refresh_token!, rotated.body.refresh_token!]) {
      expect(await refresh(refreshToken)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    }
    expect((await refresh(bobsTokens.refresh_token!)).status).toBe(200);

    const backToApp = (url: URL) => url.href.startsWith(web.redirectUri);
    for (const browser of [aliceHere!, aliceThere!]) {
      expect((await browser.follow(authorizeRequest(idp, web).url, { stopAt: backToApp })).body).toContain('id="signin-form"');
    }
    expect((await bobs!.follow(authorizeRequest(idp, web).url, { stopAt: backToApp })).stopped).toBe(true);

    // A fresh sign-in works again.
    expect((await codeFlowTokens(aliceHere!, idp, web, alice)).refresh_token).toBeTruthy();
  }, 30_000);

  it('answers as Graph does to missing or wrong tokens, unknown users and other methods', async () => {
    const webAppToken = await appToken(web.clientId, web.clientSecret);
    expect(await revoke(alice.oid)).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } });
    // An app-only token for the web API, not for Graph.
    const { body } = await clientCredentials({ client_id: DEV_ADMIN_CLIENT.clientId, client_secret: DEV_ADMIN_CLIENT.clientSecret!, scope: webApi });
    expect((await revoke(alice.oid, String(body.access_token))).status).toBe(401);
    // Graph tokens without the permission: the admin daemon holds none on Graph; a user's User.Read token.
    const noRole = await appToken(DEV_ADMIN_CLIENT.clientId, DEV_ADMIN_CLIENT.clientSecret!);
    expect(await revoke(alice.oid, noRole)).toMatchObject({ status: 403, body: { error: { code: 'Authorization_RequestDenied' } } });
    const delegated = await codeFlowTokens(new HttpFormDriver({ ca: idp.caCert }), idp, web, DEMO_ADMIN_USER);
    expect((await revoke(alice.oid, delegated.access_token!)).status).toBe(403);

    expect(await revoke('00000000-0000-4000-8000-000000000000', webAppToken)).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect((await revoke(alice.oid, webAppToken, 'GET')).status).toBe(405);
    const malformed = await httpRequest(`${idp.graphBaseUrl}/users/%E0%A4%A/revokeSignInSessions`, {
      ca: idp.caCert,
      method: 'POST',
      headers: { authorization: `Bearer ${webAppToken}` },
    });
    expect(malformed.status).toBe(404);
  }, 30_000);
});
