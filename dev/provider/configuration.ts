/**
 * The oidc-provider configuration that makes it look like an Entra External ID tenant, and the
 * middleware that adds Entra's fields to its responses. See `index.ts` for what it amounts to.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type * as Oidc from 'oidc-provider';
import { JWT_BEARER_GRANT } from './on-behalf-of';
import { devicePage, errorPage, escapeHtml, messagePage, signOutPage } from './pages';
import type { AppRoles } from './app-roles';
import { sessionSid } from './ids';
import type { UserStore } from './users';

/** Microsoft Graph's application id: the `aud` of the Graph stand-in's access tokens, as in Entra. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

export type OidcModule = typeof import('oidc-provider');
type Ctx = Oidc.KoaContextWithOIDC;

export interface ProviderClient {
  clientId: string;
  /** Required unless `publicClient`. Sent by MSAL in the body (`client_secret_post`). */
  clientSecret?: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** A public client ("Allow public client flows"): no secret, may use the device code flow. */
  publicClient?: boolean;
  /** Shown on the sign-in, sign-up and device pages. */
  clientName?: string;
  /** The app's home page (`client_uri`): the provider's error pages link back to it. */
  clientUri?: string;
  /**
   * Entra's *Front-channel logout URL*: loaded in a hidden iframe with `?sid=&iss=` when the user
   * signs out of a provider session this client took part in. https, or http on localhost.
   */
  frontchannelLogoutUri?: string;
  /** App roles this client's API defines (Entra: App registrations → App roles). */
  appRoles?: readonly string[];
  /**
   * Roles of this client's API assigned to users, by `oid` (Entra: Enterprise applications →
   * Users and groups): `roles` in this client's ID tokens and in the users' tokens for its API.
   */
  userRoles?: Readonly<Record<string, readonly string[]>>;
  /**
   * Application permissions granted to this client with admin consent: roles by the app id of the
   * API (a registered client, or Graph's {@link GRAPH_APP_ID}). Client credentials tokens carry them.
   */
  applicationPermissions?: Readonly<Record<string, readonly string[]>>;
  /** Object id of the client's service principal (`oid`, `sub` of its app-only tokens); default derived. */
  servicePrincipalId?: string;
}

export interface TenantSettings {
  oidc: OidcModule;
  tenantId: string;
  /** `/<tenantId>`: the path every endpoint starts with. */
  base: string;
  interactionPrefix: string;
  clients: readonly ProviderClient[];
  users: UserStore;
  signingJwk: Oidc.JWK;
  accessTokenTtl: number;
  deviceCodeInterval: number;
  rotation: 'entra' | 'strict';
  appRoles: AppRoles;
}

/**
 * The APIs of this tenant: Microsoft Graph's stand-in (`User.Read`) and each registered client's
 * exposed API (`api://<clientId>/access_as_user`). One resource per request, as in Entra.
 */
export function tenantApis(settings: Pick<TenantSettings, 'oidc' | 'clients' | 'accessTokenTtl'>) {
  const { oidc, accessTokenTtl } = settings;
  const clientIds = new Set(settings.clients.map((client) => client.clientId));

  /** The resource a scope belongs to, or undefined for OIDC scopes. */
  const resourceOf = (scope: string): string | undefined => {
    if (scope === 'User.Read' || scope.startsWith(`${GRAPH_RESOURCE}/`)) return GRAPH_RESOURCE;
    const api = /^(api:\/\/[^/]+)\/.+$/.exec(scope);
    return api?.[1];
  };

  return {
    /**
     * The one resource a space-separated `scope` asks for; undefined when it names OIDC scopes only.
     * App-only requests (client credentials) must name exactly one `<resource>/.default`, as in Entra.
     */
    requestedResource(scope: string, appOnly = false): string | undefined {
      if (appOnly && !/^\S+\/\.default$/.test(scope)) {
        throw new oidc.errors.InvalidScope(
          `client credentials need exactly one scope of the form <resource>/.default, such as api://<client id>/.default (Entra: AADSTS1002012); got "${scope}"`,
          scope,
        );
      }
      const resources = new Set(
        scope
          .split(' ')
          .map(resourceOf)
          .filter((resource): resource is string => resource !== undefined),
      );
      if (resources.size > 1) {
        throw new oidc.errors.InvalidScope(
          'the scope parameter names more than one resource; request tokens for one resource at a time (Entra: AADSTS28000)',
          [...resources].join(' '),
        );
      }
      return [...resources][0];
    },

    /** How access tokens for `indicator` look: RS256 JWTs with Entra's audiences and scopes (`/.default` when app-only). */
    resourceServer(indicator: string, appOnly = false): Oidc.ResourceServer {
      const common = { accessTokenFormat: 'jwt' as const, accessTokenTTL: accessTokenTtl, jwt: { sign: { alg: 'RS256' as const } } };
      if (indicator === GRAPH_RESOURCE) {
        return { ...common, scope: appOnly ? `${GRAPH_RESOURCE}/.default` : `User.Read ${GRAPH_RESOURCE}/User.Read`, audience: GRAPH_APP_ID };
      }
      const api = /^api:\/\/([^/]+)$/.exec(indicator);
      if (api?.[1] && clientIds.has(api[1])) {
        return { ...common, scope: appOnly ? `api://${api[1]}/.default` : `api://${api[1]}/access_as_user`, audience: api[1] };
      }
      throw new oidc.errors.InvalidTarget(`no API is exposed as ${indicator} in this tenant`);
    },
  };
}

export function buildConfiguration(settings: TenantSettings): Oidc.Configuration {
  const { oidc, tenantId, base, interactionPrefix, users, accessTokenTtl, rotation, signingJwk, appRoles } = settings;
  const clientsById = new Map(settings.clients.map((client) => [client.clientId, client]));
  const tokenPath = `${base}/oauth2/v2.0/token`;
  const logoutPath = `${base}/oauth2/v2.0/logout`;
  const pairwiseSub = makePairwiseSub(tenantId);
  const apis = tenantApis(settings);

  const { Prompt, base: basePolicy } = oidc.interactionPolicy;
  const policy = basePolicy();
  // Entra's prompt=create (sign-up) and prompt=select_account, both shown with our pages.
  policy.add(new Prompt({ name: 'create', requestable: true }), 0);
  policy.add(new Prompt({ name: 'select_account', requestable: true }), 1);
  // The ID token `sub` is pairwise here (not the account id), so this check would always fail.
  policy.get('login')?.checks.remove('id_token_hint');

  return {
    clients: settings.clients.map((client) => toClientMetadata(client)),
    jwks: { keys: [signingJwk] },
    cookies: {
      names: { session: 'lidp_session', interaction: 'lidp_interaction', resume: 'lidp_resume' },
      keys: [randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', secure: true },
      short: { httpOnly: true, sameSite: 'lax', secure: true },
    },
    routes: {
      authorization: `${base}/oauth2/v2.0/authorize`,
      token: tokenPath,
      end_session: logoutPath,
      device_authorization: `${base}/oauth2/v2.0/devicecode`,
      code_verification: `${base}/oauth2/v2.0/deviceauth`,
      jwks: `${base}/discovery/v2.0/keys`,
      userinfo: `${base}/openid/v2.0/userinfo`,
      revocation: `${base}/oauth2/v2.0/revoke`,
      introspection: `${base}/oauth2/v2.0/introspect`,
      pushed_authorization_request: `${base}/oauth2/v2.0/par`,
      registration: `${base}/oauth2/v2.0/register`,
      backchannel_authentication: `${base}/oauth2/v2.0/bc-authorize`,
      challenge: `${base}/oauth2/v2.0/challenge`,
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub', 'tid', 'ver', 'sid', 'roles'],
      profile: ['name', 'preferred_username', 'oid', 'email'],
      email: ['email'],
    },
    conformIdTokenClaims: false,
    extraParams: {
      // Entra grants offline_access without prompt=consent; oidc-provider (per OpenID Connect
      // Core) drops it from authorization requests otherwise. Put it back, as Entra would.
      async lidp_keep_offline_access(ctx, _value, client) {
        if (ctx.oidc.route !== 'authorization' || !client?.grantTypeAllowed('refresh_token')) return;
        const asked = ctx.method === 'POST' ? (ctx.oidc.body as Record<string, unknown> | undefined)?.scope : ctx.query.scope;
        if (typeof asked !== 'string' || !asked.split(' ').includes('offline_access')) return;
        const scopes = new Set(String(ctx.oidc.params?.scope ?? '').split(' ').filter(Boolean));
        scopes.add('offline_access');
        ctx.oidc.params!.scope = [...scopes].join(' ');
      },
    },
    clockTolerance: 5,
    ttl: {
      AccessToken: () => accessTokenTtl,
      ClientCredentials: () => accessTokenTtl,
      AuthorizationCode: 600,
      DeviceCode: 900,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    // Entra's `sub` is per user and application, unlike `oid`. Browser clients get that; public
    // (device code) clients cannot (oidc-provider demands private_key_jwt of pairwise device clients).
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) => pairwiseSub(accountId, client.clientId),
    sectorIdentifierUriValidate: () => false,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Entra's tokens outlive the browser session: signing out revokes nothing.
    expiresWithSession: async () => false,
    rotateRefreshToken: rotation === 'strict',
    async findAccount(ctx, id, token) {
      const user = users.findById(id);
      if (!user) return undefined;
      // The code, refresh token or device code an ID token is issued for remembers its session.
      const sessionUid = token && 'sessionUid' in token ? token.sessionUid : undefined;
      return {
        accountId: user.oid,
        async claims(use) {
          return {
            ...(use === 'id_token' && sessionUid ? { sid: sessionSid(sessionUid) } : {}),
            ...(use === 'id_token' ? rolesClaim(appRoles.forUser(String(ctx.oidc.client?.clientId), user.oid)) : {}),
            sub: user.oid, // oidc-provider makes it pairwise for pairwise clients (see pairwiseIdentifier)
            oid: user.oid,
            tid: tenantId,
            ver: '2.0',
            name: user.displayName,
            preferred_username: user.email,
            email: user.email,
          };
        },
      };
    },
    // No consent page: every registered client holds (admin) consent for what it asks.
    async loadExistingGrant(ctx) {
      const { oidc: o } = ctx;
      const accountId = o.session?.accountId;
      if (!o.session || !accountId || !o.client) return undefined;
      const grantId = o.result?.consent?.grantId ?? o.session.grantIdFor(o.client.clientId);
      let grant = grantId ? await o.provider.Grant.find(grantId) : undefined;
      if (grant && grant.accountId !== accountId) grant = undefined;
      grant ??= new o.provider.Grant({ accountId, clientId: o.client.clientId });
      grantEverything(ctx, grant);
      await grant.save();
      return grant;
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${interactionPrefix}${interaction.uid}`,
    },
    formats: {
      customizers: {
        async jwt(_ctx, token, jwt) {
          const payload = jwt.payload as Record<string, unknown>;
          const audience = String(payload.aud);
          const scopes = String(payload.scope ?? '')
            .split(' ')
            .filter(Boolean);
          const accountId = 'accountId' in token ? token.accountId : undefined;
          const user = accountId ? users.findById(accountId) : undefined;
          const client = clientsById.get(String(payload.client_id));
          jwt.header = { typ: 'JWT' };
          Object.assign(payload, {
            nbf: payload.iat,
            ver: '2.0',
            tid: tenantId,
            azp: payload.client_id,
            azpacr: client?.publicClient ? '0' : '1',
          });
          if (token.kind === 'ClientCredentials') {
            Object.assign(payload, appRoles.appOnlyClaims(String(payload.client_id), audience));
          } else {
            Object.assign(payload, {
              scp: scopes.map((scope) => scope.replace(/^(api:\/\/[^/]+|https:\/\/graph\.microsoft\.com)\//, '')).join(' '),
              ...(user
                ? {
                    sub: pairwiseSub(user.oid, audience),
                    oid: user.oid,
                    name: user.displayName,
                    preferred_username: user.email,
                    ...rolesClaim(appRoles.forUser(audience, user.oid)),
                  }
                : {}),
            });
          }
          delete payload.scope;
          delete payload.client_id;
        },
      },
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      registration: { enabled: false },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, _client, oneOf) {
          if (oneOf) return oneOf[0] ?? oneOf;
          return apis.requestedResource(String(ctx.oidc.params?.scope ?? ''), isAppOnly(ctx)) as string;
        },
        getResourceServerInfo: async (ctx, indicator) => apis.resourceServer(indicator, isAppOnly(ctx)),
        useGrantedResource: async () => true,
      },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        async userCodeInputSource(ctx, form, _out, err) {
          const errors: string[] = [];
          if (err && (('userCode' in err && err.userCode) || err.name === 'NoCodeError')) {
            errors.push('That code did not work. Check the code and try again.');
          } else if (err?.name === 'AbortedError') {
            errors.push('The sign-in was cancelled.');
          } else if (err) {
            errors.push('Something went wrong. Try again.');
          }
          ctx.type = 'html';
          ctx.body = devicePage({
            title: 'Enter code',
            message: 'Enter the code displayed on your app or device.',
            form: `<label for="user_code">Code</label>\n${form.replace('name="user_code"', 'id="user_code" name="user_code"')}`,
            buttons: '<button id="device-code-submit" type="submit" form="op.deviceInputForm">Next</button>',
            errors,
          });
        },
        async userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
          ctx.type = 'html';
          ctx.body = devicePage({
            title: 'Are you trying to sign in?',
            message: `${client.clientName ?? client.clientId} is asking you to sign in. Only continue if you started this on your device and it shows the code ${userCode}.`,
            form: `<p>Code: <code id="device-user-code">${escapeHtml(userCode)}</code></p>\n    ${form}`,
            buttons:
              '<button id="device-confirm" type="submit" form="op.deviceConfirmForm">Continue</button>\n' +
              '    <button id="device-abort" class="secondary" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>',
          });
        },
        async successSource(ctx) {
          const client = ctx.oidc.client;
          ctx.type = 'html';
          ctx.body = messagePage({
            id: 'device-success',
            title: 'You have signed in',
            message: `You have signed in to ${client?.clientName ?? client?.clientId ?? 'the application'} on your device. You may now close this window.`,
          });
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = signOutPage(form);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = messagePage({
            id: 'signed-out',
            title: 'You signed out of your account',
            message: 'It is a good idea to close all browser windows.',
          });
        },
      },
    },
    async renderError(ctx, out) {
      const client = settings.clients.find((candidate) => candidate.clientId === ctx.oidc?.client?.clientId);
      ctx.type = 'html';
      ctx.body = errorPage({
        error: String(out.error),
        description: out.error_description ? String(out.error_description) : undefined,
        backTo: client,
      });
    },
  };
}

/** The client credentials grant: app-only tokens, whose scope is `<resource>/.default`. */
function isAppOnly(ctx: Ctx): boolean {
  return ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials';
}

/** `{ roles }` when there are any: Entra leaves the claim out rather than sending `[]`. */
function rolesClaim(roles: readonly string[]): { roles?: string[] } {
  return roles.length > 0 ? { roles: [...roles] } : {};
}

/** Entra's `sub`: per user and application, unlike `oid` (43 base64url characters, as Entra's). */
export function makePairwiseSub(tenantId: string): (oid: string, appId: string) => string {
  return (oid, appId) => createHmac('sha256', `local-provider:${tenantId}`).update(`${oid}\n${appId}`).digest('base64url').slice(0, 43);
}

/** Adds every requested scope to the grant: registered clients count as (admin) consented. */
export function grantEverything(ctx: Ctx, grant: Oidc.Grant) {
  const { oidc: o } = ctx;
  const oidcScopes = [...o.requestParamOIDCScopes].join(' ');
  if (oidcScopes) grant.addOIDCScope(oidcScopes);
  const claims = [...(o.requestParamClaims ?? [])];
  if (claims.length > 0) grant.addOIDCClaims(claims);
  for (const [indicator, resourceServer] of Object.entries(o.resourceServers ?? {})) {
    const wanted = [...resourceServer.scopes].filter((scope) => o.requestParamScopes.has(scope));
    if (wanted.length > 0) grant.addResourceScope(indicator, wanted.join(' '));
  }
}

/** Entra's additions to oidc-provider's responses (a Koa middleware for `provider.use`). */
export function entraResponses(provider: Oidc.Provider, settings: Pick<TenantSettings, 'tenantId' | 'deviceCodeInterval' | 'rotation'>) {
  const { tenantId, rotation, deviceCodeInterval } = settings;
  return async (ctx: Ctx, next: () => Promise<void>) => {
    await next();
    const route = ctx.oidc?.route;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.status !== 200 || !body || typeof body !== 'object') return;
    if (route === 'device_authorization' && typeof body.user_code === 'string') {
      // oidc-provider sends no interval; MSAL would then poll in a tight loop.
      body.interval = deviceCodeInterval;
      body.message = `To sign in, use a web browser to open the page ${String(body.verification_uri)} and enter the code ${body.user_code} to authenticate.`;
    }
    if (route === 'token' && typeof body.access_token === 'string') {
      const account = ctx.oidc.entities.Account;
      if (account) {
        // MSAL builds homeAccountId = uid.utid from this.
        body.client_info = Buffer.from(JSON.stringify({ uid: account.accountId, utid: tenantId })).toString('base64url');
      }
      if (typeof body.expires_in === 'number') body.ext_expires_in = body.expires_in;
      const presented = ctx.oidc.entities.RefreshToken;
      if (rotation === 'entra' && presented && body.refresh_token === ctx.oidc.params?.refresh_token) {
        // Entra: a new refresh token on every use; the old one stays valid until it expires.
        const fresh = new provider.RefreshToken({
          accountId: presented.accountId,
          acr: presented.acr,
          amr: presented.amr,
          authTime: presented.authTime,
          claims: presented.claims,
          client: ctx.oidc.client!,
          expiresWithSession: presented.expiresWithSession,
          grantId: presented.grantId,
          gty: presented.gty,
          nonce: presented.nonce,
          resource: presented.resource,
          scope: presented.scope,
          sessionUid: presented.sessionUid,
          sid: presented.sid,
          rotations: (typeof presented.rotations === 'number' ? presented.rotations : 0) + 1,
          iiat: presented.iiat,
        } as ConstructorParameters<typeof provider.RefreshToken>[0]);
        body.refresh_token = await fresh.save();
      }
    }
  };
}

export function toClientMetadata(client: ProviderClient): Oidc.ClientMetadata {
  const browser = client.redirectUris.length > 0;
  return {
    client_id: client.clientId,
    client_name: client.clientName ?? client.clientId,
    ...(client.clientUri ? { client_uri: client.clientUri } : {}),
    application_type: 'web',
    ...(client.publicClient
      ? { token_endpoint_auth_method: 'none' }
      : { client_secret: client.clientSecret, token_endpoint_auth_method: 'client_secret_post' }),
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    response_types: browser ? ['code'] : [],
    ...(client.publicClient
      ? { subject_type: 'public' }
      : { subject_type: 'pairwise', sector_identifier_uri: `https://localhost/sector/${encodeURIComponent(client.clientId)}` }),
    grant_types: [
      ...(browser ? ['authorization_code'] : []),
      'refresh_token',
      // As in Entra, any confidential client may ask for app-only tokens; `roles` says what it may do.
      ...(client.publicClient ? ['urn:ietf:params:oauth:grant-type:device_code'] : ['client_credentials']),
      // Every client may ask; the grant refuses public clients with Entra's answer (see on-behalf-of.ts).
      JWT_BEARER_GRANT,
    ],
  };
}
