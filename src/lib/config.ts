/**
 * The one place where settings are read and validated.
 *
 * Every setting is an environment variable (app settings on Azure, `Values` in
 * `local.settings.json` locally). {@link loadConfig} checks them all at once and
 * throws a single {@link ConfigError} naming every problem and how to fix it.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env);
 * config.authority; // "https://contoso.ciamlogin.com/"
 * ```
 */
import { authority, isHttpsOrLoopback, missingTenant, signInAuthority, tenantSubdomain } from './settings/rules';
import { flag, list, minutes, optionalText, readSettings, seconds, text, url } from './settings/schema';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The settings, one entry per environment variable, in the order problems are
 * listed. Exported so tooling (the README table, the infrastructure drift
 * tests) reads the same list.
 */
export const settingsSchema = {
  TENANT_SUBDOMAIN: tenantSubdomain,
  AUTHORITY: authority,
  AUTHORITY_METADATA: optionalText.refine((value) => {
    try {
      const doc: unknown = JSON.parse(value);
      return typeof doc === 'object' && doc !== null && 'issuer' in doc && 'jwks_uri' in doc;
    } catch {
      return false;
    }
  }, 'must be the JSON of the tenant\'s OpenID discovery document (with "issuer" and "jwks_uri"), or unset.'),
  CLIENT_ID: text('Set it to the Application (client) ID of your app registration.'),
  CLIENT_SECRET: text('Set it to a client secret of your app registration (Certificates & secrets).'),
  REDIRECT_URI: url('Set it to the redirect URI registered in Entra, e.g. http://localhost:7071/api/redirect.').refine(
    isHttpsOrLoopback,
    'must use https unless the app runs on localhost.',
  ),
  POST_LOGOUT_REDIRECT_URI: url('Set it to where users land after signing out, e.g. http://localhost:7071/api/home.'),
  COOKIE_SECRETS: text(
    'Set it to one or more random secrets of at least 32 characters, comma-separated (newest first), e.g. from `openssl rand -base64 32`.',
  ).refine(
    (value) => value.split(',').every((secret) => secret.trim().length >= 32),
    'holds a secret shorter than 32 characters. Generate one with `openssl rand -base64 32`.',
  ),
  ALLOWED_RETURN_ORIGINS: list(/[,\s]+/)
    .refine(
      (origins) => origins.every((origin) => URL.canParse(origin) && new URL(origin).origin === origin),
      'must list origins only, such as https://app.contoso.com (scheme, host and port, no path), comma-separated.',
    )
    .refine(
      (origins) => origins.every(isHttpsOrLoopback),
      (origins) => `holds ${origins.find((origin) => !isHttpsOrLoopback(origin))}: only https origins (or http on localhost) are allowed.`,
    ),
  SESSION_IDLE_TIMEOUT_MINUTES: minutes(8 * 60),
  SESSION_ABSOLUTE_TIMEOUT_MINUTES: minutes(7 * 24 * 60),
  // The revocation bound on other instances (README, Sessions): kept short on purpose.
  SESSION_CACHE_SECONDS: seconds(30, 300),
  DOWNSTREAM_API_URL: url('Set it to the API that /api/me calls, e.g. https://graph.microsoft.com/v1.0/me.'),
  DOWNSTREAM_API_SCOPES: list(/[,\s]+/),
  API_REQUIRED_SCOPE: optionalText,
  API_AUDIENCES: list(/[,\s]+/),
  API_ALLOWED_CLIENT_IDS: list(/[,\s]+/).refine(
    (ids) => ids.every((id) => GUID.test(id)),
    'must list application (client) IDs, comma-separated, such as 00001111-aaaa-2222-bbbb-3333cccc4444.',
  ),
  SESSIONS_ADMIN_ROLE: optionalText.refine(
    (value) => /^[A-Za-z0-9._-]{1,120}$/.test(value),
    'must be the value of an app role, such as Sessions.RevokeAll (letters, digits, ".", "_" and "-").',
  ),
  REVOKE_TENANT_SESSIONS: flag(false),
  COSMOS_ENDPOINT: text('Set it to your Cosmos DB account endpoint, e.g. https://<account>.documents.azure.com:443/.').refine(
    (value) => URL.canParse(value),
    'is not a URL. Use the endpoint from the Cosmos DB account\'s Keys page, e.g. https://<account>.documents.azure.com:443/.',
  ),
  COSMOS_KEY: optionalText,
  COSMOS_DATABASE: optionalText,
  COSMOS_SESSIONS_CONTAINER: optionalText,
  COSMOS_CREATE_IF_MISSING: flag(true),
  APP_NAME: optionalText.refine(
    // eslint-disable-next-line no-control-regex
    (value) => value.length <= 60 && !/[\u0000-\u001f\u007f]/.test(value),
    'must be one line of at most 60 characters: the name your users know the app by, shown on every page.',
  ),
};

export interface AppConfig {
  /** Shown in the header and footer of every page, and in the title bar. */
  appName: string;
  /** MSAL authority, always ending in "/". */
  authority: string;
  /** The setting the authority came from, named when the tenant turns out not to exist. */
  authoritySetting: 'AUTHORITY' | 'TENANT_SUBDOMAIN';
  /** Discovery document supplied as a setting; when absent it is fetched once per instance. */
  authorityMetadata?: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Origin of this app (from the redirect URI): the only origin `returnTo` may name besides the allow-list. */
  appOrigin: string;
  allowedReturnOrigins: string[];
  cookie: {
    /** Newest first: the first signs, all verify. */
    secrets: string[];
    /** False only when the app is served over plain http on localhost. */
    secure: boolean;
  };
  session: {
    idleTimeoutSeconds: number;
    absoluteTimeoutSeconds: number;
    /** How long an instance answers a session from memory; 0: every request reads Cosmos DB. */
    cacheSeconds: number;
  };
  downstream: { url: string; scopes: string[] };
  api: {
    audiences: string[];
    requiredScope: string;
    /** Client ids (`azp`) whose bearer tokens are accepted; empty accepts any client of the tenant. */
    allowedClientIds: string[];
  };
  admin: {
    /** The app role a bearer token needs in `roles` to end another user's sessions. */
    role: string;
    /** Also revoke the user's refresh tokens at the tenant (Microsoft Graph revokeSignInSessions). */
    revokeTenantSessions: boolean;
  };
  cosmos: {
    endpoint: string;
    key?: string;
    database: string;
    sessionsContainer: string;
    createIfMissing: boolean;
  };
}

/** Thrown by {@link loadConfig}; `problems` has one line per bad setting. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
  constructor(readonly problems: string[]) {
    super(
      `The app cannot start: ${problems.length} setting${problems.length === 1 ? ' needs' : 's need'} fixing ` +
        `(app settings on Azure, "Values" in local.settings.json locally):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const read = readSettings(settingsSchema, env);
  // The one rule that spans settings reads the raw values, so it is reported alongside the others.
  const noTenant = missingTenant({ tenant: env.TENANT_SUBDOMAIN, authority: env.AUTHORITY });
  const problems = [...(read.ok ? [] : read.problems), ...(noTenant ? [noTenant] : [])];
  if (!read.ok || problems.length > 0) throw new ConfigError(problems);
  const s = read.values;

  const redirectUri = new URL(s.REDIRECT_URI ?? 'http://localhost:7071/api/redirect');
  const clientId = s.CLIENT_ID;
  return {
    appName: s.APP_NAME ?? DEFAULT_APP_NAME,
    authority: signInAuthority(s.TENANT_SUBDOMAIN, s.AUTHORITY),
    authoritySetting: s.AUTHORITY ? 'AUTHORITY' : 'TENANT_SUBDOMAIN',
    authorityMetadata: s.AUTHORITY_METADATA,
    clientId,
    clientSecret: s.CLIENT_SECRET,
    redirectUri: redirectUri.href,
    // Settings are read before any function registers its route, so the defaults name their paths here (README, Settings).
    postLogoutRedirectUri: s.POST_LOGOUT_REDIRECT_URI ?? new URL('/api/home', redirectUri).href,
    appOrigin: redirectUri.origin,
    allowedReturnOrigins: s.ALLOWED_RETURN_ORIGINS,
    cookie: {
      secrets: s.COOKIE_SECRETS.split(',').map((secret) => secret.trim()),
      secure: redirectUri.protocol === 'https:',
    },
    session: {
      idleTimeoutSeconds: s.SESSION_IDLE_TIMEOUT_MINUTES * 60,
      absoluteTimeoutSeconds: s.SESSION_ABSOLUTE_TIMEOUT_MINUTES * 60,
      cacheSeconds: s.SESSION_CACHE_SECONDS,
    },
    downstream: {
      url: s.DOWNSTREAM_API_URL ?? 'https://graph.microsoft.com/v1.0/me',
      scopes: s.DOWNSTREAM_API_SCOPES.length > 0 ? s.DOWNSTREAM_API_SCOPES : ['User.Read'],
    },
    api: {
      audiences: s.API_AUDIENCES.length > 0 ? s.API_AUDIENCES : [clientId, `api://${clientId}`],
      requiredScope: s.API_REQUIRED_SCOPE ?? 'access_as_user',
      allowedClientIds: s.API_ALLOWED_CLIENT_IDS.map((id) => id.toLowerCase()),
    },
    admin: {
      role: s.SESSIONS_ADMIN_ROLE ?? 'Sessions.RevokeAll',
      revokeTenantSessions: s.REVOKE_TENANT_SESSIONS,
    },
    cosmos: {
      endpoint: s.COSMOS_ENDPOINT,
      key: s.COSMOS_KEY,
      database: s.COSMOS_DATABASE ?? 'auth',
      sessionsContainer: s.COSMOS_SESSIONS_CONTAINER ?? 'sessions',
      createIfMissing: s.COSMOS_CREATE_IF_MISSING,
    },
  };
}

/** A placeholder that reads as one, until APP_NAME names the app. */
export const DEFAULT_APP_NAME = 'My app';

/**
 * APP_NAME read on its own, for the page that reports settings problems: a
 * valid name is shown even when other settings are wrong; an invalid one (or
 * none) gives {@link DEFAULT_APP_NAME}, and is reported with the others.
 */
export function appNameOf(env: Record<string, string | undefined> = process.env): string {
  const reading = settingsSchema.APP_NAME.read(env.APP_NAME);
  return (reading.ok && reading.value) || DEFAULT_APP_NAME;
}
