/**
 * Microsoft Entra External ID and Microsoft Graph, as msw handlers.
 *
 * Behaves like a `*.ciamlogin.com` tenant as msal-node sees it: discovery
 * under `/<subdomain>.onmicrosoft.com/v2.0/`, an issuer on the tenant-id
 * host, a token endpoint that checks the client secret, PKCE and code reuse,
 * returns `client_info` and rotates refresh tokens (old ones stay valid, as
 * in Entra), a JWKS from keys made with jose, and Graph's `/me`.
 *
 * Tests play the user with {@link FakeEntra.authorize}, and break things on
 * purpose with {@link FakeEntra.tamper}.
 */
import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import { http, HttpResponse } from 'msw';

export interface FakeUser {
  oid: string;
  name: string;
  email: string;
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
}

export interface TokenTamper {
  claims?: (claims: JWTPayload) => JWTPayload;
  /** Sign with a key the JWKS does not publish. */
  foreignKey?: boolean;
  /** Send an unsigned `alg: none` token. */
  unsigned?: boolean;
}

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

  /** Seconds an access token lives; MSAL refreshes anything within 5 minutes of expiry. */
  accessTokenLifetime = 3600;
  tamper: TokenTamper | undefined;
  /** Every request the fake received, as "METHOD url-without-query". */
  readonly requests: string[] = [];
  readonly refreshTokensIssued: string[] = [];

  private keys: SigningKey[] = [];
  private foreign: SigningKey | undefined;
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Map<string, { user: FakeUser; scope: string }>();
  private readonly accessTokens = new Map<string, { user: FakeUser; expiresAt: number }>();

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
  authorize(authorizeUrl: string, user: FakeUser = DEFAULT_USERS[0]!): string {
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
    });
    const callback = new URL(params.get('redirect_uri')!);
    callback.searchParams.set('code', code);
    callback.searchParams.set('state', params.get('state')!);
    return callback.href;
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
      http.get(this.metadata.jwks_uri, ({ request }) => {
        this.record(request);
        return HttpResponse.json({ keys: this.keys.map((key) => key.jwk) });
      }),
      http.post(this.metadata.token_endpoint, async ({ request }) => {
        this.record(request);
        return this.token(new URLSearchParams(await request.text()));
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

  private async token(form: URLSearchParams): Promise<Response> {
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
      return oauthError('invalid_client', 'AADSTS7000215: Invalid client secret provided.', 401);
    }
    if (form.get('grant_type') === 'authorization_code') {
      const issued = this.codes.get(form.get('code') ?? '');
      if (!issued) return oauthError('invalid_grant', 'AADSTS54005: OAuth2 Authorization code was already redeemed.');
      this.codes.delete(form.get('code')!);
      if (issued.redirectUri !== form.get('redirect_uri')) return oauthError('invalid_grant', 'AADSTS50148: redirect_uri mismatch.');
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
        return oauthError('invalid_grant', 'AADSTS501481: The Code_Verifier does not match the code_challenge.');
      }
      return this.issueTokens(issued.user, issued.scope, issued.nonce);
    }
    if (form.get('grant_type') === 'refresh_token') {
      const grant = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!grant) return oauthError('invalid_grant', 'AADSTS70008: The refresh token has expired or is invalid.');
      return this.issueTokens(grant.user, grant.scope, undefined);
    }
    return oauthError('unsupported_grant_type', 'AADSTS70003: unsupported grant type');
  }

  private async issueTokens(user: FakeUser, requestedScope: string, nonce: string | undefined): Promise<Response> {
    const accessToken = `at-${randomUUID()}`;
    const refreshToken = `rt-${randomUUID()}`;
    const resourceScopes = requestedScope.split(' ').filter((scope) => !['openid', 'profile', 'offline_access', 'email'].includes(scope));
    this.accessTokens.set(accessToken, { user, expiresAt: nowSeconds() + this.accessTokenLifetime });
    this.refreshTokens.set(refreshToken, { user, scope: requestedScope });
    this.refreshTokensIssued.push(refreshToken);
    return HttpResponse.json({
      token_type: 'Bearer',
      scope: resourceScopes.join(' ') || 'openid profile',
      expires_in: this.accessTokenLifetime,
      ext_expires_in: this.accessTokenLifetime,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: await this.idToken(user, nonce),
      client_info: Buffer.from(JSON.stringify({ uid: user.oid, utid: this.tenantId })).toString('base64url'),
    });
  }

  async idToken(user: FakeUser, nonce: string | undefined): Promise<string> {
    const now = nowSeconds();
    let claims: JWTPayload = {
      iss: this.issuer,
      aud: this.clientId,
      sub: `sub-${user.oid}`,
      oid: user.oid,
      tid: this.tenantId,
      name: user.name,
      preferred_username: user.email,
      email: user.email,
      login_hint: `hint-${user.oid}`,
      ver: '2.0',
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...(nonce ? { nonce } : {}),
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

function oauthError(error: string, description: string, status = 400): Response {
  return HttpResponse.json(
    { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], correlation_id: randomUUID() },
    { status },
  );
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
