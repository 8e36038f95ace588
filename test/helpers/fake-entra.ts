/**
 * Microsoft Entra External ID and Microsoft Graph, as msw handlers.
 *
 * Behaves like a `*.ciamlogin.com` tenant as msal-node sees it: discovery
 * under `/<subdomain>.onmicrosoft.com/v2.0/`, an issuer on the tenant-id
 * host, a token endpoint that checks the client secret, PKCE and code reuse,
 * returns `client_info` and rotates refresh tokens (old ones stay valid, as
 * in Entra), a JWKS from keys made with jose, and Graph's `/me`. Any other
 * `*.ciamlogin.com` tenant does not exist: its discovery answers 400
 * AADSTS90002, as Entra's does.
 *
 * Headless clients: a second, public app registration ({@link FakeEntra.publicClientId},
 * "Allow public client flows" = Yes, no secret) uses the device code flow: the
 * `/devicecode` endpoint (MSAL derives it from the token endpoint) and the
 * `device_code` grant, answering `authorization_pending` until the scripted
 * user ({@link FakeEntra.deviceUser}) decides. Access tokens for the web app's
 * exposed API ({@link FakeEntra.apiScope}) are RS256 JWTs signed with the
 * published keys, as the app's bearer check expects; {@link FakeEntra.accessToken}
 * mints one directly. Other access tokens stay opaque (Graph's).
 *
 * ID tokens carry `sid`, Entra's id of the tenant session (one per browser
 * sign-in unless the test passes the same one again), which front-channel
 * logout names. Administrators' tools get app-only tokens for the web app's
 * API with client credentials: {@link FakeEntra.adminClientId} is granted
 * the app roles in {@link FakeEntra.adminRoles}. The web app itself gets an
 * app-only Graph token the same way, and Graph's
 * `POST /users/{id}/revokeSignInSessions` answers when
 * {@link FakeEntra.graphRevokeGranted} (the `User.RevokeSessions.All`
 * permission) and revokes that user's refresh tokens.
 *
 * Tests play the user with {@link FakeEntra.authorize} (browser) or
 * {@link FakeEntra.deviceUser} (device code), and break things on purpose with
 * {@link FakeEntra.tamper}.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import { http, HttpResponse } from 'msw';

export interface FakeUser {
  oid: string;
  name: string;
  email: string;
  /** App roles assigned to the user: Entra puts them in the ID and access tokens' `roles` claim. */
  roles?: string[];
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  user: FakeUser;
  scope: string;
  sid: string;
}

export interface TokenTamper {
  claims?: (claims: JWTPayload) => JWTPayload;
  /** Sign with a key the JWKS does not publish. */
  foreignKey?: boolean;
  /** Send an unsigned `alg: none` token. */
  unsigned?: boolean;
}

/**
 * What the user does with a device code: the token endpoint answers
 * `authorization_pending` to the first `pendingPolls` polls, then with the
 * outcome (`approve` issues tokens for `user`; `pending` never decides).
 */
export interface DeviceUserScript {
  pendingPolls: number;
  outcome: 'approve' | 'authorization_declined' | 'access_denied' | 'expired_token' | 'slow_down' | 'pending';
  user?: FakeUser;
}

interface IssuedDeviceCode {
  clientId: string;
  userCode: string;
  scope: string;
  expiresAt: number;
  script: DeviceUserScript;
  polls: number;
}

interface AuthenticatedClient {
  clientId: string;
  /** No secret: a public client, or the web app with "Allow public client flows". */
  isPublic: boolean;
}

const DEVICE_CODE_GRANTS = ['device_code', 'urn:ietf:params:oauth:grant-type:device_code'];

export const DEFAULT_USERS: FakeUser[] = [
  { oid: '11111111-1111-4111-8111-111111111111', name: 'Alice Example', email: 'alice@example.com' },
  { oid: '22222222-2222-4222-8222-222222222222', name: 'Bob Example', email: 'bob@example.com' },
];

export class FakeEntra {
  readonly subdomain = 'contoso';
  readonly tenantId = 'aaaabbbb-0000-4ccc-8111-dddd2222eeee';
  readonly authority = `https://${this.subdomain}.ciamlogin.com/`;
  readonly base = `https://${this.subdomain}.ciamlogin.com/${this.subdomain}.onmicrosoft.com`;
  readonly issuer = `https://${this.tenantId}.ciamlogin.com/${this.tenantId}/v2.0`;
  readonly clientId = '00001111-aaaa-4bbb-8ccc-222233334444';
  readonly clientSecret = 'test-client-secret-value';
  readonly graphMe = 'https://graph.microsoft.com/v1.0/me';
  /** A separate public client registration (the device-code CLI): no secret. */
  readonly publicClientId = '55556666-bbbb-4ccc-8ddd-777788889999';
  /** The web app's exposed API scope, as "Expose an API" names it. */
  readonly apiScope = `api://${this.clientId}/access_as_user`;
  /** "Allow public client flows" on the web app's own registration (device code without its secret). */
  allowPublicClientFlows = false;
  /** The web app's client secret has passed its expiry date: Entra then refuses it with AADSTS7000222. */
  clientSecretExpired = false;
  /** An administrators' tool (a confidential client) that may call the web app's API with client credentials. */
  readonly adminClientId = '99990000-cccc-4ddd-8eee-111122223333';
  readonly adminClientSecret = 'admin-client-secret-value';
  /** App roles of the web app's API assigned to the admin client (what its app-only tokens carry in `roles`). */
  adminRoles: string[] = ['Sessions.RevokeAll'];
  /** Whether the web app has Graph's User.RevokeSessions.All application permission, with admin consent. */
  graphRevokeGranted = true;
  /** User ids Graph's revokeSignInSessions was called for. */
  readonly graphRevocations: string[] = [];

  /** The device code response's `interval` (Entra: 5); MSAL sleeps this long between polls (fractions work). */
  deviceCodeInterval = 5;
  /** The device code response's `expires_in` (Entra: 900). */
  deviceCodeLifetime = 900;
  /**
   * The device code response's `verification_uri`. External ID tenants have answered with the
   * generic page, which refuses their customer accounts (AADSTS500208).
   */
  deviceVerificationUri = 'https://microsoft.com/devicelogin';
  /** What the user does with the next device codes. */
  deviceUser: DeviceUserScript = { pendingPolls: 1, outcome: 'approve' };

  /** Seconds an access token lives; MSAL refreshes anything within 5 minutes of expiry. */
  accessTokenLifetime = 3600;
  tamper: TokenTamper | undefined;
  /** Every request the fake received, as "METHOD url-without-query". */
  readonly requests: string[] = [];
  readonly refreshTokensIssued: string[] = [];
  /** How many on-behalf-of exchanges the web app made. */
  onBehalfOfGrants = 0;

  private keys: SigningKey[] = [];
  private foreign: SigningKey | undefined;
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Map<string, { user: FakeUser; scope: string; client: AuthenticatedClient }>();
  private readonly deviceCodes = new Map<string, IssuedDeviceCode>();
  private readonly accessTokens = new Map<string, { user: FakeUser; expiresAt: number }>();
  private readonly graphAppTokens = new Set<string>();

  static async create(): Promise<FakeEntra> {
    const fake = new FakeEntra();
    await fake.rotateKeys();
    fake.foreign = await makeKey();
    return fake;
  }

  /** Publishes a new signing key first; older keys stay in the JWKS. */
  async rotateKeys(): Promise<void> {
    this.keys = [await makeKey(), ...this.keys];
  }

  get metadata() {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.base}/oauth2/v2.0/authorize`,
      token_endpoint: `${this.base}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${this.base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${this.base}/oauth2/v2.0/logout`,
      jwks_uri: `${this.base}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'oid', 'tid', 'name', 'preferred_username', 'email'],
      tenant_region_scope: 'EU',
    };
  }

  /**
   * The user signs in at the authorize URL the app redirected to. Returns the
   * callback URL Entra would send the browser to.
   */
  authorize(authorizeUrl: string, user: FakeUser = DEFAULT_USERS[0]!, options: { sid?: string } = {}): string {
    const url = new URL(authorizeUrl);
    const params = url.searchParams;
    if (`${url.origin}${url.pathname}` !== this.metadata.authorization_endpoint) throw new Error(`unexpected authorize URL ${url.origin}${url.pathname}`);
    if (params.get('client_id') !== this.clientId) throw new Error('authorize: wrong client_id');
    if (params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge')) throw new Error('authorize: PKCE S256 missing');
    if (!params.get('state') || !params.get('nonce')) throw new Error('authorize: state or nonce missing');
    const code = `code-${randomUUID()}`;
    this.codes.set(code, {
      clientId: this.clientId,
      redirectUri: params.get('redirect_uri')!,
      challenge: params.get('code_challenge')!,
      nonce: params.get('nonce') ?? undefined,
      user,
      scope: params.get('scope') ?? '',
      sid: options.sid ?? randomUUID(),
    });
    const callback = new URL(params.get('redirect_uri')!);
    callback.searchParams.set('code', code);
    callback.searchParams.set('state', params.get('state')!);
    return callback.href;
  }

  /** Token endpoint polls per device code so far, oldest code first. */
  get devicePolls(): number[] {
    return [...this.deviceCodes.values()].map((code) => code.polls);
  }

  /** Forgets issued refresh tokens, as when a user revokes sessions. */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  handlers() {
    return [
      http.get(`${this.base}/v2.0/.well-known/openid-configuration`, ({ request }) => {
        this.record(request);
        return HttpResponse.json(this.metadata);
      }),
      // Any other External ID tenant does not exist: Entra answers its discovery with 400 AADSTS90002.
      http.get(/^https:\/\/[a-z0-9-]+\.ciamlogin\.com\/[^/?]+\/v2\.0\/\.well-known\/openid-configuration$/i, ({ request }) => {
        this.record(request);
        const tenant = new URL(request.url).pathname.split('/')[1];
        return oauthError('invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`);
      }),
      http.get(this.metadata.jwks_uri, ({ request }) => {
        this.record(request);
        return HttpResponse.json({ keys: this.keys.map((key) => key.jwk) });
      }),
      http.post(this.metadata.token_endpoint, async ({ request }) => {
        this.record(request);
        return this.token(new URLSearchParams(await request.text()));
      }),
      http.post(this.metadata.device_authorization_endpoint, async ({ request }) => {
        this.record(request);
        return this.deviceAuthorization(new URLSearchParams(await request.text()));
      }),
      http.post('https://graph.microsoft.com/v1.0/users/:id/revokeSignInSessions', ({ request, params }) => {
        this.record(request);
        const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
        if (!this.graphAppTokens.has(token)) return HttpResponse.json({ error: { code: 'InvalidAuthenticationToken' } }, { status: 401 });
        if (!this.graphRevokeGranted) return HttpResponse.json({ error: { code: 'Authorization_RequestDenied' } }, { status: 403 });
        const id = String(params.id);
        this.graphRevocations.push(id);
        for (const [refreshToken, grant] of this.refreshTokens) if (grant.user.oid === id) this.refreshTokens.delete(refreshToken);
        return HttpResponse.json({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true });
      }),
      http.get(this.graphMe, ({ request }) => {
        this.record(request);
        const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
        const grant = this.accessTokens.get(token);
        if (!grant || grant.expiresAt <= nowSeconds()) {
          return HttpResponse.json({ error: { code: 'InvalidAuthenticationToken' } }, { status: 401 });
        }
        return HttpResponse.json({
          id: grant.user.oid,
          displayName: grant.user.name,
          mail: grant.user.email,
          userPrincipalName: grant.user.email,
        });
      }),
    ];
  }

  private record(request: Request): void {
    const url = new URL(request.url);
    this.requests.push(`${request.method} ${url.origin}${url.pathname}`);
  }

  /** Entra's `/devicecode`: any registered client may start one; whether it may redeem it without a secret is checked at the token endpoint. */
  private deviceAuthorization(form: URLSearchParams): Response {
    const clientId = form.get('client_id') ?? '';
    if (clientId !== this.clientId && clientId !== this.publicClientId) {
      return oauthError('unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.`);
    }
    const scope = form.get('scope') ?? '';
    if (!scope.trim()) return oauthError('invalid_scope', 'AADSTS900144: The request body must contain the following parameter: scope.');
    const deviceCode = `dc-${randomUUID()}`;
    const userCode = randomUserCode();
    this.deviceCodes.set(deviceCode, {
      clientId,
      userCode,
      scope,
      expiresAt: nowSeconds() + this.deviceCodeLifetime,
      script: { ...this.deviceUser },
      polls: 0,
    });
    return HttpResponse.json({
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: this.deviceVerificationUri,
      expires_in: this.deviceCodeLifetime,
      interval: this.deviceCodeInterval,
      message: `To sign in, use a web browser to open the page ${this.deviceVerificationUri} and enter the code ${userCode} to authenticate.`,
    });
  }

  /** Public clients send no secret; the web app must send its own unless it allows public client flows. */
  private authenticateClient(form: URLSearchParams): AuthenticatedClient | Response {
    const clientId = form.get('client_id') ?? '';
    const secret = form.get('client_secret');
    if (clientId === this.adminClientId) {
      return secret === this.adminClientSecret ? { clientId, isPublic: false } : oauthError('invalid_client', 'AADSTS7000215: Invalid client secret provided.', 401);
    }
    const isPublic = clientId === this.publicClientId || (clientId === this.clientId && this.allowPublicClientFlows);
    if (isPublic && secret === null) return { clientId, isPublic: true };
    if (clientId === this.publicClientId) {
      return oauthError('invalid_client', "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", 401);
    }
    if (clientId === this.clientId && secret === null) {
      return oauthError('invalid_client', "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", 401);
    }
    if (clientId !== this.clientId || secret !== this.clientSecret) {
      return oauthError('invalid_client', 'AADSTS7000215: Invalid client secret provided.', 401);
    }
    if (this.clientSecretExpired) {
      return oauthError('invalid_client', `AADSTS7000222: The provided client secret keys for app '${clientId}' are expired.`, 401);
    }
    return { clientId, isPublic: false };
  }

  private async token(form: URLSearchParams): Promise<Response> {
    const client = this.authenticateClient(form);
    if (client instanceof Response) return client;
    if (DEVICE_CODE_GRANTS.includes(form.get('grant_type') ?? '')) return this.redeemDeviceCode(form, client);
    if (form.get('grant_type') === 'authorization_code') {
      const issued = this.codes.get(form.get('code') ?? '');
      if (!issued) return oauthError('invalid_grant', 'AADSTS54005: OAuth2 Authorization code was already redeemed.');
      this.codes.delete(form.get('code')!);
      if (issued.redirectUri !== form.get('redirect_uri')) return oauthError('invalid_grant', 'AADSTS50148: redirect_uri mismatch.');
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
        return oauthError('invalid_grant', 'AADSTS501481: The Code_Verifier does not match the code_challenge.');
      }
      return this.issueTokens(issued.user, issued.scope, issued.nonce, client, issued.sid);
    }
    if (form.get('grant_type') === 'refresh_token') {
      const grant = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!grant || grant.client.clientId !== client.clientId) {
        return oauthError('invalid_grant', 'AADSTS70008: The refresh token has expired or is invalid.');
      }
      return this.issueTokens(grant.user, grant.scope, undefined, client);
    }
    if (form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && form.get('requested_token_use') === 'on_behalf_of') {
      return this.onBehalfOf(form, client);
    }
    if (form.get('grant_type') === 'client_credentials' && !client.isPublic) return this.clientCredentials(form, client);
    return oauthError('unsupported_grant_type', 'AADSTS70003: unsupported grant type');
  }

  /**
   * Client credentials: an app-only token. For the web app's API (`api://<client-id>/.default`) it is a JWT
   * with the app roles assigned to the calling client; for Graph (`https://graph.microsoft.com/.default`) an
   * opaque token Graph's stand-in accepts.
   */
  private async clientCredentials(form: URLSearchParams, client: AuthenticatedClient): Promise<Response> {
    const scope = form.get('scope') ?? '';
    const answer = (accessToken: string) =>
      HttpResponse.json({ token_type: 'Bearer', expires_in: this.accessTokenLifetime, ext_expires_in: this.accessTokenLifetime, access_token: accessToken });
    if (scope.split(' ').includes('https://graph.microsoft.com/.default')) {
      const token = `graph-app-${randomUUID()}`;
      this.graphAppTokens.add(token);
      return answer(token);
    }
    if (scope.split(' ').some((requested) => requested === `api://${this.clientId}/.default` || requested === `${this.clientId}/.default`)) {
      return answer(await this.appToken(client.clientId === this.adminClientId ? this.adminRoles : [], client.clientId));
    }
    return oauthError('invalid_scope', `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default.`);
  }

  /** An app-only access token for the web app's API, as Entra issues v2 tokens to a client credentials caller. */
  async appToken(roles: string[], azp = this.adminClientId, claims?: (claims: JWTPayload) => JWTPayload): Promise<string> {
    const now = nowSeconds();
    let payload: JWTPayload = {
      iss: this.issuer,
      aud: this.clientId,
      sub: `sp-${azp}`,
      oid: `0000${azp.slice(4)}`,
      tid: this.tenantId,
      azp,
      azpacr: '1',
      idtyp: 'app',
      ...(roles.length > 0 ? { roles } : {}),
      ver: '2.0',
      iat: now,
      nbf: now,
      exp: now + this.accessTokenLifetime,
      jti: randomUUID(),
    };
    if (claims) payload = claims(payload);
    const key = this.keys[0]!;
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  }

  /** On-behalf-of: the web app trades an access token minted for its API for a Graph token of the same user. */
  private async onBehalfOf(form: URLSearchParams, client: AuthenticatedClient): Promise<Response> {
    if (client.isPublic) return oauthError('invalid_client', 'AADSTS700025: Client is public.', 401);
    const assertion = form.get('assertion') ?? '';
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(assertion, createLocalJWKSet({ keys: this.keys.map((key) => key.jwk) }), {
        issuer: this.issuer,
        audience: this.clientId,
      }));
    } catch {
      return oauthError('invalid_grant', 'AADSTS50013: Assertion failed signature validation.');
    }
    const user: FakeUser = { oid: String(claims.oid), name: String(claims.name), email: String(claims.preferred_username) };
    this.onBehalfOfGrants += 1;
    const accessToken = `at-${randomUUID()}`;
    this.accessTokens.set(accessToken, { user, expiresAt: nowSeconds() + this.accessTokenLifetime });
    return HttpResponse.json({
      token_type: 'Bearer',
      scope: form.get('scope') ?? '',
      expires_in: this.accessTokenLifetime,
      ext_expires_in: this.accessTokenLifetime,
      access_token: accessToken,
    });
  }

  /** The device polls; the scripted user answers once the pending polls are used up. */
  private async redeemDeviceCode(form: URLSearchParams, client: AuthenticatedClient): Promise<Response> {
    const deviceCode = form.get('device_code') ?? '';
    const issued = this.deviceCodes.get(deviceCode);
    if (!issued || issued.clientId !== client.clientId) return oauthError('bad_verification_code', 'The device code is not valid.');
    issued.polls += 1;
    if (nowSeconds() >= issued.expiresAt) return oauthError('expired_token', 'AADSTS70020: The provided value for the input parameter \'device_code\' is not valid. This device code has expired.');
    const { outcome, pendingPolls, user = DEFAULT_USERS[0]! } = issued.script;
    if (outcome === 'pending' || issued.polls <= pendingPolls) {
      return oauthError('authorization_pending', 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
    }
    if (outcome !== 'approve') return oauthError(outcome, `The device flow ended: ${outcome}.`);
    issued.expiresAt = 0; // redeemed once, as any code
    return this.issueTokens(user, issued.scope, undefined, client);
  }

  private async issueTokens(
    user: FakeUser,
    requestedScope: string,
    nonce: string | undefined,
    client: AuthenticatedClient = { clientId: this.clientId, isPublic: false },
    sid?: string,
  ): Promise<Response> {
    const refreshToken = `rt-${randomUUID()}`;
    const resourceScopes = requestedScope.split(' ').filter((scope) => !['openid', 'profile', 'offline_access', 'email'].includes(scope));
    let accessToken: string;
    if (resourceScopes.some((scope) => this.isApiScope(scope))) {
      accessToken = await this.accessToken(user, { scopes: resourceScopes, azp: client.clientId, publicClient: client.isPublic });
    } else {
      accessToken = `at-${randomUUID()}`;
      this.accessTokens.set(accessToken, { user, expiresAt: nowSeconds() + this.accessTokenLifetime });
    }
    this.refreshTokens.set(refreshToken, { user, scope: requestedScope, client });
    this.refreshTokensIssued.push(refreshToken);
    return HttpResponse.json({
      token_type: 'Bearer',
      scope: resourceScopes.join(' ') || 'openid profile',
      expires_in: this.accessTokenLifetime,
      ext_expires_in: this.accessTokenLifetime,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: await this.idToken(user, nonce, client.clientId, sid),
      client_info: Buffer.from(JSON.stringify({ uid: user.oid, utid: this.tenantId })).toString('base64url'),
    });
  }

  /**
   * An access token for the web app's API, as Entra issues v2 tokens: RS256 JWT
   * signed with the current key, `aud` = the API's client id, `scp` = the scope
   * names without the `api://<client-id>/` prefix, `azp` = the calling client.
   */
  async accessToken(
    user: FakeUser,
    options: { scopes?: string[]; azp?: string; publicClient?: boolean; claims?: (claims: JWTPayload) => JWTPayload } = {},
  ): Promise<string> {
    const now = nowSeconds();
    const scopes = (options.scopes ?? [this.apiScope]).filter((scope) => this.isApiScope(scope));
    let claims: JWTPayload = {
      iss: this.issuer,
      aud: this.clientId,
      sub: `sub-${user.oid}`,
      oid: user.oid,
      tid: this.tenantId,
      azp: options.azp ?? this.publicClientId,
      azpacr: options.publicClient === false ? '1' : '0',
      scp: scopes.map((scope) => scope.slice(scope.lastIndexOf('/') + 1)).join(' '),
      ...(user.roles ? { roles: user.roles } : {}),
      name: user.name,
      preferred_username: user.email,
      ver: '2.0',
      iat: now,
      nbf: now,
      exp: now + this.accessTokenLifetime,
      jti: randomUUID(),
    };
    if (options.claims) claims = options.claims(claims);
    const key = this.keys[0]!;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  }

  /** `api://<client-id>/<name>` or `<client-id>/<name>`: a scope of the web app's own API. */
  private isApiScope(scope: string): boolean {
    return scope.startsWith(`api://${this.clientId}/`) || scope.startsWith(`${this.clientId}/`);
  }

  async idToken(user: FakeUser, nonce: string | undefined, audience: string = this.clientId, sid?: string): Promise<string> {
    const now = nowSeconds();
    let claims: JWTPayload = {
      iss: this.issuer,
      aud: audience,
      sub: `sub-${user.oid}`,
      oid: user.oid,
      tid: this.tenantId,
      name: user.name,
      preferred_username: user.email,
      email: user.email,
      login_hint: `hint-${user.oid}`,
      ...(user.roles ? { roles: user.roles } : {}),
      ver: '2.0',
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...(nonce ? { nonce } : {}),
      ...(sid ? { sid } : {}),
    };
    const tamper = this.tamper;
    if (tamper?.claims) claims = tamper.claims(claims);
    if (tamper?.unsigned) {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
    }
    const key = tamper?.foreignKey ? this.foreign! : this.keys[0]!;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  }
}

async function makeKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } };
}

/** Nine characters, as Entra's user codes (e.g. `FQK5HW3UF`); no 0/O or 1/I to misread. */
function randomUserCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from(randomBytes(9), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** An error answer shaped as Entra's: `error`, a description starting with the AADSTS code, and `error_codes`. */
export function oauthError(error: string, description: string, status = 400): Response {
  return HttpResponse.json(
    { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], correlation_id: randomUUID() },
    { status },
  );
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
