/**
 * App roles on the local OpenID provider: app-only tokens through the client credentials grant
 * (the admin client), and roles assigned to users, both as Entra issues them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfidentialClientApplication } from '@azure/msal-node';
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
import { HttpFormDriver, httpRequest } from '../helpers/http-form-driver';
import { codeFlowTokens, decodeJwtPayload } from '../helpers/local-provider-flows';
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
    expect(decodeJwtPayload(result!.accessToken)).toMatchObject({ aud: WEB.clientId, roles: [SESSIONS_ADMIN_ROLE] });
    expect(network.requests.map((request) => request.form?.grant_type)).toEqual(['client_credentials']);
  });

  it('gives a client granted nothing on that API a token without roles, as Entra does', async () => {
    const { status, body } = await clientCredentials({ client_id: WEB.clientId, client_secret: WEB.clientSecret!, scope: webApi });
    expect(status).toBe(200);
    const claims = decodeJwtPayload(String(body.access_token));
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
    expect(decodeJwtPayload(user.id_token!)).not.toHaveProperty('roles');
    expect(decodeJwtPayload(user.access_token!)).not.toHaveProperty('roles');

    // The role belongs to the web API: the admin's Graph token does not carry it.
    const graph = await codeFlowTokens(new HttpFormDriver({ ca: idp.caCert }), idp, web, DEMO_ADMIN_USER);
    expect(decodeJwtPayload(graph.access_token!)).toMatchObject({ aud: GRAPH_APP_ID, scp: 'User.Read' });
    expect(decodeJwtPayload(graph.access_token!)).not.toHaveProperty('roles');
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
