/**
 * A local OpenID provider shaped like a Microsoft Entra External ID tenant, for newcomers
 * without a tenant and for the end-to-end tests. Development only: it is a dev dependency and
 * is never deployed. Built on `oidc-provider` 9 (OpenID Certified); this module only configures
 * it, adds Entra's URL layout, claims and quirks, and renders the pages.
 *
 * ## Use
 *
 * ```ts
 * const idp = await startProvider({ dataDir: '.dev', clients: [DEV_WEB_CLIENT, DEV_DEVICE_CLIENT, DEV_ADMIN_CLIENT] });
 * // the app process: NODE_EXTRA_CA_CERTS=<idp.caCertPath>, AUTHORITY=<idp.authority>,
 * //                  AUTHORITY_METADATA=<idp.metadata>, DOWNSTREAM_API_URL=<idp.downstreamApiUrl>
 * await idp.close();
 * ```
 *
 * MSAL is configured exactly as against a real tenant: `auth.authority = idp.authority`,
 * `auth.knownAuthorities = [new URL(idp.authority).host]`, `auth.authorityMetadata = idp.metadata`,
 * default (AAD) protocol mode.
 *
 * ## URLs (Entra's layout; `T` = tenant id)
 *
 * | what | path |
 * | --- | --- |
 * | issuer | `https://localhost:PORT/T/v2.0` |
 * | discovery | `/T/v2.0/.well-known/openid-configuration` |
 * | authorize | `/T/oauth2/v2.0/authorize` |
 * | token | `/T/oauth2/v2.0/token` (also accepts MSAL's `grant_type=device_code`, and on-behalf-of: see `on-behalf-of.ts`) |
 * | sign-out (end_session_endpoint) | `/T/oauth2/v2.0/logout` |
 * | device authorization (MSAL: token endpoint with `/token` -> `/devicecode`) | `/T/oauth2/v2.0/devicecode` |
 * | device verification page (`verification_uri`) | `/T/oauth2/v2.0/deviceauth` |
 * | JWKS | `/T/discovery/v2.0/keys` |
 * | userinfo | `/T/openid/v2.0/userinfo` |
 * | Graph stand-in (downstream API) | `GET /T/graph/v1.0/me` |
 * | Graph stand-in: revoke a user's sign-in sessions (app-only, `User.RevokeSessions.All`) | `POST /T/graph/v1.0/users/{oid}/revokeSignInSessions` |
 *
 * ## Scopes, resources and audiences
 *
 * One resource per request, as in Entra (asking for two resources at once is `invalid_scope`).
 *
 * - `openid profile offline_access` (`email` too): OIDC scopes. Alone they give an opaque access
 *   token good only for the userinfo endpoint.
 * - `User.Read` (or `https://graph.microsoft.com/User.Read`): the Graph stand-in. Access token:
 *   RS256 JWT, `aud` = `00000003-0000-0000-c000-000000000000` (Graph's app id), `scp` = `User.Read`.
 *   `GET {downstreamApiUrl}` with it returns `{ id, displayName, mail, userPrincipalName }`; 401 without
 *   a valid one, 403 without `User.Read`.
 * - `api://<clientId>/access_as_user` for any registered client id: the app's own exposed API
 *   (headless device-code clients calling the app). Access token: RS256 JWT, `aud` = `<clientId>`
 *   (as Entra's v2 tokens), `scp` = `access_as_user`, `iss` = the issuer, signed with the keys at
 *   `jwks_uri`. The confidential client `<clientId>` may trade such a token for a Graph stand-in
 *   token of the same user (on-behalf-of), as the app's `/api/me` does for bearer callers.
 * - `api://<clientId>/.default` or `https://graph.microsoft.com/.default` with
 *   `grant_type=client_credentials` (any confidential client; the only scope form this grant takes,
 *   as in Entra): an app-only access token for that API. It carries `roles` (the client's
 *   `applicationPermissions` on that API, left out when there are none), `oid` = `sub` = the
 *   client's service principal id (`servicePrincipalId(clientId)`), `azp`, `azpacr: "1"`, `tid`,
 *   `ver: "2.0"`, and no `scp`, `name` or `preferred_username`. {@link DEV_ADMIN_CLIENT} gets
 *   `roles: ["Sessions.RevokeAll"]` for the web app's API; the web app gets Graph's
 *   `User.RevokeSessions.All`.
 *
 * App roles assigned to a user (a client's `userRoles`) appear as `roles` in that client's ID
 * tokens and in the user's access tokens for its API: {@link DEMO_ADMIN_USER} (admin@example.com)
 * holds `Sessions.RevokeAll` in {@link DEV_WEB_CLIENT}.
 *
 * Access tokens (JWT) carry `iss, aud, sub, oid, tid, azp, azpacr, scp, name, preferred_username,
 * ver: "2.0", iat, nbf, exp, jti`, header `typ: "JWT"`, `kid`. ID tokens carry `iss, aud (client id),
 * sub, oid, tid, name, preferred_username, email, ver: "2.0", nonce, iat, exp, auth_time, sid`.
 * `sid` is the provider session's id (a GUID): the same in the ID tokens of every app signed in
 * through one browser session, kept by refreshed ID tokens, new for every session.
 * For confidential (browser) clients `sub` is pairwise (per user and application) and is NOT the
 * `oid`, as in Entra; key users on `oid` or MSAL's `homeAccountId`. Token responses carry
 * `client_info` (base64url of `{"uid":oid,"utid":tenantId}`), so MSAL's `homeAccountId` is
 * `<oid>.<tenantId>`. Every client gets a refresh token (with or without `offline_access`);
 * refreshing returns a new one and, as in Entra, the old one stays valid until it expires
 * (`refreshTokenRotation: 'strict'` makes them one-time). Sign-out does not revoke them.
 * No consent page: permissions count as admin-consented (as in a typical External ID app).
 *
 * ## Known differences from Entra External ID
 *
 * - Host and port: `https://localhost:PORT/<tenantId>/`, not `<sub>.ciamlogin.com` (so MSAL's
 *   ciamlogin.com special-casing never applies; the authority always names the tenant id).
 * - Pages: one page for email + password (Entra asks in two steps); the sign-up code is shown on
 *   the page, not emailed; no "Stay signed in?" page; no consent page, even for `prompt=consent`.
 * - A refresh token only serves the scopes it was issued for: Entra's multi-resource refresh
 *   tokens (a `User.Read` refresh token redeemed for `api://…`) answer `invalid_scope` here.
 * - Public (device code) clients get `sub` = `oid` (oidc-provider only makes device-flow clients
 *   pairwise with private_key_jwt). Only `client_secret_post` authenticates confidential clients
 *   (what MSAL sends); Entra also takes `client_secret_basic`. A public client asking for client
 *   credentials gets `invalid_request` here, `invalid_client` (AADSTS7000218) from Entra.
 * - App-only tokens have no `idtyp` (Entra adds `idtyp: "app"` only as an optional claim); the
 *   client credentials token response also carries `scope`. Service principal ids are made up
 *   (`servicePrincipalId` on the client sets one); app roles are plain names, not GUIDs with a
 *   display name, and groups do not exist.
 * - Authorization responses also carry `iss` (RFC 9207); the device code verification URI is
 *   this tenant's page, not microsoft.com/devicelogin; tokens have no `aio`, `uti`, `rh`, `idp`.
 * - ID tokens always carry `sid`; Entra adds it only when the app registration asks for the
 *   optional claim `sid`.
 * - Front-channel logout URLs always get `iss` as well as `sid` (Entra often sends only `sid`).
 *   Entra's sign-out page also lists the accounts to pick from; this one signs out the one.
 * - Graph stand-in: only `/me` and `revokeSignInSessions`. The latter takes the user's `oid` only
 *   (Graph also takes the userPrincipalName), only app-only tokens with `User.RevokeSessions.All`
 *   (Graph also takes an admin's delegated token), and acts at once (Graph: "with a delay of a few
 *   minutes"). It revokes the user's refresh tokens and ends their provider sessions; access
 *   tokens already issued stay valid until they expire, as in Entra.
 * - On-behalf-of issues no refresh token, and errors carry the AADSTS code in
 *   `error_description` only (no `error_codes` array).
 * - Sessions, codes and refresh tokens live in memory: a restart signs everyone out.
 *   oidc-provider's warnings about that and about Node 20 are expected and not shown
 *   (dev/known-warnings.ts).
 *
 * ## Pages and their selectors (for Playwright)
 *
 * - Sign-in (`prompt=login` forces it; `login_hint` prefills the email): form `#signin-form`,
 *   `#email`, `#password`, submit `#signin-submit`, error `#error` (text "Your account or
 *   password is incorrect."), link to sign-up `#create-account` ("No account? Create one").
 * - Sign-up (`prompt=create` opens it directly): form `#signup-form`, `#email`, `#displayName`,
 *   `#password`, submit `#signup-submit`, error `#error`, link back `#signin-link`. Both name the
 *   app being signed in to (`#client-name`, "to continue to <clientName>").
 * - Email verification (after sign-up): the code is shown in `#otp-display`; type it into `#otp`,
 *   submit `#verify-submit`; error `#error`.
 * - Device code entry (`verification_uri`): `#user_code`, submit `#device-code-submit`, error `#error`;
 *   then confirmation: `#device-user-code`, `#device-confirm` (continue), `#device-abort`; then the
 *   sign-in pages above; then `#device-success`.
 * - Sign-out: submits itself (no question asked); without JavaScript click `#signout-submit`.
 *   Lands on `post_logout_redirect_uri` (given with `client_id` or `id_token_hint`, or alone when it
 *   is registered to exactly one client), else on `#signed-out`. When an app of the ended session
 *   registered a `frontchannelLogoutUri`, a page `#signout-frontchannel` comes first: it loads each
 *   such URL with `?sid=<sid>&iss=<issuer>` in a hidden `iframe.frontchannel-logout` and goes on
 *   by itself once they have loaded (at most 5 s; without JavaScript click `#signout-continue`).
 * - Errors: `#error-title`, `#error-code`, `#error-description`, and `#back-to-app` ("Back to
 *   <clientName>") when the error belongs to a client with a `clientUri`. Back after signing in
 *   opens the finished sign-in page, which answers `session_not_found` with that link.
 *
 * Cookies are named `lidp_*` (distinct from the app's `fnauth*`: localhost cookies ignore ports).
 * State (sessions, codes, refresh tokens) lives in memory and dies with the process; the TLS
 * certificate, the signing key and (with `persistUsers`) signed-up users are kept in `dataDir`.
 */
import { createPublicKey } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type * as Oidc from 'oidc-provider';
import { DEFAULT_APP_NAME } from '../../src/lib/config';
import { AppRoles, appRoleProblems } from './app-roles';
import { buildConfiguration, entraResponses, GRAPH_APP_ID, tenantApis, type OidcModule, type ProviderClient } from './configuration';
import { KNOWN_WARNINGS, withoutKnownWarnings } from '../known-warnings';
import { importEsm } from './esm';
import { frontchannelLogout, frontchannelLogoutUriProblem } from './frontchannel-logout';
import { createGraphMeHandler, createRevokeSignInSessionsHandler, GRAPH_APPLICATION_PERMISSIONS } from './graph';
import { httpsGetText, readBody, replay, sendHtml } from './http';
import { createInteractionHandler } from './interactions';
import { loadOrCreateSigningKey, loadOrCreateTls } from './keys';
import { registerOnBehalfOf } from './on-behalf-of';
import { errorPage } from './pages';
import { SignInSessions } from './sign-in-sessions';
import { DEMO_USERS, UserStore, type DemoUser } from './users';

export { DEMO_USERS, UserStore, type DemoUser, type UserRecord } from './users';
export { GRAPH_APP_ID, type ProviderClient } from './configuration';

/** The tenant id used unless one is given (a fixed GUID, so settings stay valid across runs). */
export const DEFAULT_TENANT_ID = '5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

/** The app role that lets a caller end any user's sessions in the web app (its API defines it). */
export const SESSIONS_ADMIN_ROLE = 'Sessions.RevokeAll';

/** The demo user assigned {@link SESSIONS_ADMIN_ROLE} in the web app: admin@example.com. */
export const DEMO_ADMIN_USER = DEMO_USERS.find((user) => user.email === 'admin@example.com')!;

/**
 * The app registration that `local.settings.json` of a local run uses (confidential web app).
 * Its API defines {@link SESSIONS_ADMIN_ROLE}, assigned to {@link DEMO_ADMIN_USER}; it holds
 * Graph's `User.RevokeSessions.All` application permission.
 */
export const DEV_WEB_CLIENT: Readonly<ProviderClient> = Object.freeze({
  clientId: '0c6a6c54-5b0f-4b83-9a3e-1f2d3c4b5a69',
  clientSecret: 'local-dev-secret-not-for-production',
  redirectUris: ['http://localhost:7071/api/redirect'],
  postLogoutRedirectUris: ['http://localhost:7071/api/home', 'http://localhost:7071/'],
  frontchannelLogoutUri: 'http://localhost:7071/api/logout/frontchannel',
  // The app's APP_NAME, as in Entra the registration's display name is what users see (the local stack passes it).
  clientName: DEFAULT_APP_NAME,
  clientUri: 'http://localhost:7071/api/home',
  servicePrincipalId: '1d7e3b9a-5c2f-4a86-b0e1-7f4d2c9a3e65',
  appRoles: [SESSIONS_ADMIN_ROLE],
  userRoles: { [DEMO_ADMIN_USER.oid]: [SESSIONS_ADMIN_ROLE] },
  applicationPermissions: { [GRAPH_APP_ID]: ['User.RevokeSessions.All'] },
});

/**
 * A confidential daemon client granted {@link SESSIONS_ADMIN_ROLE} on the web app's API: its
 * client credentials token (scope `api://<web client id>/.default`) may end anyone's sessions.
 */
export const DEV_ADMIN_CLIENT: Readonly<ProviderClient> = Object.freeze({
  clientId: 'e4a7c2b9-3d1f-4e58-8a6b-9c0d1e2f3a4b',
  clientSecret: 'local-dev-admin-secret-not-for-production',
  redirectUris: [],
  postLogoutRedirectUris: [],
  clientName: 'Session admin (local)',
  servicePrincipalId: '6b2f8d4e-1a9c-4e37-9d05-8c3a7b1e4f92',
  applicationPermissions: { [DEV_WEB_CLIENT.clientId]: [SESSIONS_ADMIN_ROLE] },
});

/** A public client for the device code flow (like the Entra device-code sample's registration). */
export const DEV_DEVICE_CLIENT: Readonly<ProviderClient> = Object.freeze({
  clientId: '7d3b2a19-6e4f-4c5d-8b1a-2f3e4d5c6b7a',
  redirectUris: [],
  postLogoutRedirectUris: [],
  publicClient: true,
  clientName: 'Device code client (local)',
});

export interface ProviderOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Address to listen on; URLs always say `localhost`. Default `127.0.0.1`. */
  host?: string;
  /** Folder for the certificate, the signing key and saved users (e.g. `.dev/`, git-ignored). */
  dataDir: string;
  tenantId?: string;
  clients: ProviderClient[];
  /** Access token lifetime; default 3600. MSAL refreshes tokens within 5 minutes of expiry. */
  accessTokenTtlSeconds?: number;
  /** Users to start with; default {@link DEMO_USERS}. */
  users?: DemoUser[];
  /** Keep users who sign up in `<dataDir>/users.json` across runs. Default false. */
  persistUsers?: boolean;
  /** `interval` of device code responses (Entra: 5). Tests use 1. */
  deviceCodeIntervalSeconds?: number;
  /**
   * `entra` (default): each refresh returns a new refresh token and the old one stays valid until
   * it expires, as Entra does. `strict`: one-time refresh tokens; reusing one revokes the grant
   * (oidc-provider's rotation; useful to expose lost rotations).
   */
  refreshTokenRotation?: 'entra' | 'strict';
  /** Called for each request: `(method, path, status)`. */
  onRequest?: (method: string, path: string, status: number) => void;
}

export interface LocalProvider {
  /** `https://localhost:PORT` */
  origin: string;
  port: number;
  tenantId: string;
  /** MSAL authority: `https://localhost:PORT/<tenantId>/` */
  authority: string;
  /** `https://localhost:PORT/<tenantId>/v2.0` */
  issuer: string;
  /** `<authority>v2.0/.well-known/openid-configuration` */
  discoveryUrl: string;
  /** The discovery document as a JSON string (MSAL `authorityMetadata`, AUTHORITY_METADATA). */
  metadata: string;
  jwksUri: string;
  /** The Graph stand-in: `https://localhost:PORT/<tenantId>/graph/v1.0/me` */
  downstreamApiUrl: string;
  /**
   * The Graph stand-in's `v1.0` root, `https://localhost:PORT/<tenantId>/graph/v1.0`, in place of
   * `https://graph.microsoft.com/v1.0`: `/me` and `POST /users/{id}/revokeSignInSessions`.
   */
  graphBaseUrl: string;
  /** Scopes for {@link downstreamApiUrl}: `['User.Read']`. */
  downstreamApiScopes: string[];
  /** `api://<clientId>/access_as_user`, the exposed API scope of a client. */
  apiScope(clientId: string): string;
  /** The object id of a client's service principal: `oid` and `sub` of its app-only tokens. */
  servicePrincipalId(clientId: string): string;
  /** The self-signed certificate (PEM file) to trust: NODE_EXTRA_CA_CERTS for the app process. */
  caCertPath: string;
  /** Its PEM text, for in-process clients (`https.request({ ca })`). */
  caCert: string;
  users: UserStore;
  clients: readonly ProviderClient[];
  close(): Promise<void>;
}

export async function startProvider(options: ProviderOptions): Promise<LocalProvider> {
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
  const host = options.host ?? '127.0.0.1';
  validateClients(options.clients);

  const [oidc, jose, tls] = await Promise.all([
    withoutKnownWarnings(KNOWN_WARNINGS.oidcProvider, () => importEsm<OidcModule>('oidc-provider')),
    importEsm<typeof import('jose')>('jose'),
    loadOrCreateTls(options.dataDir),
  ]);
  const signingJwk = loadOrCreateSigningKey(options.dataDir);
  const publicKey = createPublicKey({ key: signingJwk, format: 'jwk' });
  const users = new UserStore(options.users ?? DEMO_USERS, options.persistUsers ? join(options.dataDir, 'users.json') : undefined);
  const appRoles = new AppRoles(options.clients, tenantId);

  const server = https.createServer({ cert: tls.cert, key: tls.key });
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `https://localhost:${port}`;
  const base = `/${tenantId}`;
  const issuer = `${origin}${base}/v2.0`;
  const authority = `${origin}${base}/`;
  const discoveryPath = `${base}/v2.0/.well-known/openid-configuration`;
  const tokenPath = `${base}/oauth2/v2.0/token`;
  const logoutPath = `${base}/oauth2/v2.0/logout`;
  const graphBase = `${base}/graph/v1.0`;
  const graphMePath = `${graphBase}/me`;
  const revokeSignInSessionsPath = /^\/users\/([^/]+)\/revokeSignInSessions$/;
  const interactionPrefix = `${base}/interaction/`;

  const settings = {
    oidc,
    tenantId,
    base,
    interactionPrefix,
    clients: options.clients,
    users,
    signingJwk: signingJwk as Oidc.JWK,
    accessTokenTtl: options.accessTokenTtlSeconds ?? 3600,
    deviceCodeInterval: options.deviceCodeIntervalSeconds ?? 5,
    rotation: options.refreshTokenRotation ?? 'entra',
    appRoles,
  } as const;
  const provider = await withoutKnownWarnings(KNOWN_WARNINGS.oidcProvider, () => new oidc.Provider(issuer, buildConfiguration(settings)));
  provider.use(entraResponses(provider, settings));
  provider.use(frontchannelLogout({ clients: options.clients, issuer }));
  registerOnBehalfOf(provider, { oidc, jose, publicKey, issuer, users, apis: tenantApis(settings) });
  const providerCallback = provider.callback();
  const handleInteraction = createInteractionHandler({ provider, users, clients: options.clients, interactionPrefix });
  const graphDeps = { jose, publicKey, issuer, baseUrl: `${origin}${base}`, users };
  const handleGraphMe = createGraphMeHandler(graphDeps);
  const handleRevokeSignInSessions = createRevokeSignInSessionsHandler({ ...graphDeps, signInSessions: new SignInSessions(provider) });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    if (path === discoveryPath) {
      req.url = `/.well-known/openid-configuration${url.search}`;
      return providerCallback(req, res);
    }
    if (path.startsWith(interactionPrefix)) return handleInteraction(req, res, url);
    if (path === graphMePath) return handleGraphMe(req, res);
    const revokeUserId = path.startsWith(`${graphBase}/`) ? revokeSignInSessionsPath.exec(path.slice(graphBase.length))?.[1] : undefined;
    if (revokeUserId) return handleRevokeSignInSessions(req, res, revokeUserId);
    if (path === tokenPath && req.method === 'POST') {
      // MSAL sends grant_type=device_code (Entra accepts it); oidc-provider wants the RFC 8628 URN.
      const body = await readBody(req);
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('grant_type') === 'device_code') form.set('grant_type', 'urn:ietf:params:oauth:grant-type:device_code');
      return providerCallback(replay(req, Buffer.from(form.toString())), res);
    }
    if (path === logoutPath && req.method === 'GET') {
      // Entra honours post_logout_redirect_uri alone; oidc-provider needs the client named.
      const target = url.searchParams.get('post_logout_redirect_uri');
      if (target && !url.searchParams.has('client_id') && !url.searchParams.has('id_token_hint')) {
        const owners = options.clients.filter((client) => client.postLogoutRedirectUris.includes(target));
        if (owners.length === 1 && owners[0]) {
          url.searchParams.set('client_id', owners[0].clientId);
          req.url = `${url.pathname}${url.search}`;
        }
      }
    }
    return providerCallback(req, res);
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.on('finish', () => options.onRequest?.(method, path, res.statusCode));
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendHtml(res, 500, errorPage({ error: 'server_error', description: (error as Error).message }));
    });
  });

  const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  const metadata = await httpsGetText(discoveryUrl, tls.cert);

  return {
    origin,
    port,
    tenantId,
    authority,
    issuer,
    discoveryUrl,
    metadata,
    jwksUri: `${origin}${base}/discovery/v2.0/keys`,
    downstreamApiUrl: `${origin}${graphMePath}`,
    graphBaseUrl: `${origin}${graphBase}`,
    downstreamApiScopes: ['User.Read'],
    apiScope: (clientId: string) => `api://${clientId}/access_as_user`,
    servicePrincipalId: (clientId: string) => appRoles.servicePrincipalId(clientId),
    caCertPath: tls.caCertPath,
    caCert: tls.cert,
    users,
    clients: options.clients,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

function validateClients(clients: readonly ProviderClient[]) {
  const roleProblems = appRoleProblems(clients, { [GRAPH_APP_ID]: GRAPH_APPLICATION_PERMISSIONS });
  if (roleProblems.length > 0) throw new Error(roleProblems.join('\n'));
  const seen = new Set<string>();
  for (const client of clients) {
    if (!client.clientId) throw new Error('Each client needs a clientId.');
    if (seen.has(client.clientId)) throw new Error(`Client ${client.clientId} is listed twice.`);
    seen.add(client.clientId);
    if (!client.publicClient && !client.clientSecret) {
      throw new Error(`Client ${client.clientId} needs a clientSecret (or publicClient: true).`);
    }
    const frontchannelProblem = client.frontchannelLogoutUri === undefined ? undefined : frontchannelLogoutUriProblem(client.frontchannelLogoutUri);
    if (frontchannelProblem) throw new Error(`The frontchannelLogoutUri of client ${client.clientId} ${frontchannelProblem}: ${client.frontchannelLogoutUri}`);
  }
}
