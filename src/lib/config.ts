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
import { z } from 'zod';

/** Placeholders as they appear in `local.settings.example.json` and the Entra samples. */
const PLACEHOLDER = /^Enter_the_.*_Here$/;

const text = (hint: string) =>
  z
    .string({ error: `is missing. ${hint}` })
    .trim()
    .min(1, `is empty. ${hint}`)
    .refine((value) => !PLACEHOLDER.test(value), `still holds the placeholder. ${hint}`)
    // App Service leaves the reference text in place when it cannot resolve it; that text must never become a key.
    .refine(
      (value) => !/^@Microsoft\.KeyVault\(/i.test(value),
      'is an unresolved Key Vault reference: the app could not read the secret. Check that the app identity has the "Key Vault Secrets User" role and that the secret exists, then restart the app.',
    );

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

const list = (separator: RegExp) =>
  optionalText.transform((value) =>
    value
      ? value
          .split(separator)
          .map((item) => item.trim())
          .filter(Boolean)
      : [],
  );

const minutes = (fallback: number) =>
  optionalText
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .refine((value) => Number.isInteger(value) && value > 0, 'must be a whole number of minutes above 0.');

const flag = (fallback: boolean) =>
  optionalText.transform((value, ctx) => {
    if (value === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false.' });
    return z.NEVER;
  });

const url = (hint: string) =>
  optionalText.refine((value) => value === undefined || URL.canParse(value), `is not an absolute URL. ${hint}`);

function isLoopback(target: URL): boolean {
  return target.hostname === 'localhost' || target.hostname === '127.0.0.1' || target.hostname === '[::1]';
}

/**
 * The settings schema, one key per environment variable. Exported so tooling
 * (the README table, the infrastructure drift tests) reads the same list.
 */
export const settingsSchema = z.object({
  TENANT_SUBDOMAIN: optionalText.refine(
    (value) => value === undefined || (!PLACEHOLDER.test(value) && /^[a-z0-9-]+$/i.test(value)),
    'must be the subdomain of your External ID tenant, e.g. "contoso" for contoso.ciamlogin.com.',
  ),
  AUTHORITY: url('Leave it unset for External ID tenants; set it only for a custom domain or the local provider.'),
  AUTHORITY_METADATA: optionalText.refine((value) => {
    if (value === undefined) return true;
    try {
      const doc: unknown = JSON.parse(value);
      return typeof doc === 'object' && doc !== null && 'issuer' in doc && 'jwks_uri' in doc;
    } catch {
      return false;
    }
  }, 'must be the JSON of the tenant\'s OpenID discovery document (with "issuer" and "jwks_uri"), or unset.'),
  CLIENT_ID: text('Set it to the Application (client) ID of your app registration.'),
  CLIENT_SECRET: text('Set it to a client secret of your app registration (Certificates & secrets).'),
  REDIRECT_URI: url('Set it to the redirect URI registered in Entra, e.g. http://localhost:7071/api/redirect.'),
  POST_LOGOUT_REDIRECT_URI: url('Set it to where users land after signing out, e.g. http://localhost:7071/api/home.'),
  COOKIE_SECRETS: text(
    'Set it to one or more random secrets of at least 32 characters, comma-separated (newest first), e.g. from `openssl rand -base64 32`.',
  ).refine(
    (value) => value.split(',').every((secret) => secret.trim().length >= 32),
    'holds a secret shorter than 32 characters. Generate one with `openssl rand -base64 32`.',
  ),
  ALLOWED_RETURN_ORIGINS: list(/[,\s]+/).refine(
    (origins) => origins.every((origin) => URL.canParse(origin) && new URL(origin).origin === origin),
    'must list origins only, such as https://app.contoso.com (scheme, host and port, no path), comma-separated.',
  ),
  SESSION_IDLE_TIMEOUT_MINUTES: minutes(8 * 60),
  SESSION_ABSOLUTE_TIMEOUT_MINUTES: minutes(7 * 24 * 60),
  DOWNSTREAM_API_URL: url('Set it to the API that /api/me calls, e.g. https://graph.microsoft.com/v1.0/me.'),
  DOWNSTREAM_API_SCOPES: list(/[,\s]+/),
  API_REQUIRED_SCOPE: optionalText,
  API_AUDIENCES: list(/[,\s]+/),
  COSMOS_ENDPOINT: text('Set it to your Cosmos DB account endpoint, e.g. https://<account>.documents.azure.com:443/.').refine(
    (value) => URL.canParse(value),
    'is not a URL. Use the endpoint from the Cosmos DB account\'s Keys page, e.g. https://<account>.documents.azure.com:443/.',
  ),
  COSMOS_KEY: optionalText,
  COSMOS_DATABASE: optionalText,
  COSMOS_SESSIONS_CONTAINER: optionalText,
  COSMOS_TOKEN_CACHE_CONTAINER: optionalText,
  COSMOS_CREATE_IF_MISSING: flag(true),
  APP_NAME: optionalText.refine(
    // eslint-disable-next-line no-control-regex
    (value) => value === undefined || (value.length <= 60 && !/[\u0000-\u001f\u007f]/.test(value)),
    'must be one line of at most 60 characters: the name your users know the app by, shown on every page.',
  ),
});

export type Settings = z.input<typeof settingsSchema>;

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
  };
  downstream: { url: string; scopes: string[] };
  api: { audiences: string[]; requiredScope: string };
  cosmos: {
    endpoint: string;
    key?: string;
    database: string;
    sessionsContainer: string;
    tokenCacheContainer: string;
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
  const parsed = settingsSchema.safeParse(env);
  const problems = firstProblemPerSetting([
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)),
    ...crossSettingProblems(env),
  ]);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const s = parsed.data;

  const redirectUri = new URL(s.REDIRECT_URI ?? DEFAULT_REDIRECT_URI);
  const clientId = s.CLIENT_ID;
  return {
    appName: s.APP_NAME ?? DEFAULT_APP_NAME,
    authority: withTrailingSlash(s.AUTHORITY ?? `https://${s.TENANT_SUBDOMAIN}.ciamlogin.com/`),
    authoritySetting: s.AUTHORITY ? 'AUTHORITY' : 'TENANT_SUBDOMAIN',
    authorityMetadata: s.AUTHORITY_METADATA,
    clientId,
    clientSecret: s.CLIENT_SECRET,
    redirectUri: redirectUri.href,
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
    },
    downstream: {
      url: s.DOWNSTREAM_API_URL ?? 'https://graph.microsoft.com/v1.0/me',
      scopes: s.DOWNSTREAM_API_SCOPES.length > 0 ? s.DOWNSTREAM_API_SCOPES : ['User.Read'],
    },
    api: {
      audiences: s.API_AUDIENCES.length > 0 ? s.API_AUDIENCES : [clientId, `api://${clientId}`],
      requiredScope: s.API_REQUIRED_SCOPE ?? 'access_as_user',
    },
    cosmos: {
      endpoint: s.COSMOS_ENDPOINT,
      key: s.COSMOS_KEY,
      database: s.COSMOS_DATABASE ?? 'auth',
      sessionsContainer: s.COSMOS_SESSIONS_CONTAINER ?? 'sessions',
      tokenCacheContainer: s.COSMOS_TOKEN_CACHE_CONTAINER ?? 'tokenCache',
      createIfMissing: s.COSMOS_CREATE_IF_MISSING,
    },
  };
}

const DEFAULT_REDIRECT_URI = 'http://localhost:7071/api/redirect';

/** A placeholder that reads as one, until APP_NAME names the app. */
export const DEFAULT_APP_NAME = 'My app';

/** Rules that span settings; they read the raw values so every problem is reported in one go. */
function crossSettingProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const authority = env.AUTHORITY?.trim();
  if (!env.TENANT_SUBDOMAIN?.trim() && !authority) {
    problems.push(
      'TENANT_SUBDOMAIN is missing. Set it to your External ID tenant subdomain, e.g. "contoso" for contoso.ciamlogin.com (or set AUTHORITY).',
    );
  }
  if (authority && URL.canParse(authority) && new URL(authority).protocol !== 'https:') {
    problems.push('AUTHORITY must use https (MSAL refuses any other scheme).');
  }
  const redirectUri = env.REDIRECT_URI?.trim() || DEFAULT_REDIRECT_URI;
  if (URL.canParse(redirectUri)) {
    const parsed = new URL(redirectUri);
    if (parsed.protocol !== 'https:' && !isLoopback(parsed)) {
      problems.push('REDIRECT_URI must use https unless the app runs on localhost.');
    }
  }
  for (const origin of (env.ALLOWED_RETURN_ORIGINS ?? '').split(/[,\s]+/).filter(Boolean)) {
    if (URL.canParse(origin) && new URL(origin).protocol !== 'https:' && !isLoopback(new URL(origin))) {
      problems.push(`ALLOWED_RETURN_ORIGINS holds ${origin}: only https origins (or http on localhost) are allowed.`);
    }
  }
  return problems;
}

/**
 * One line per setting, so the count in the message is the number of settings to fix. Every line
 * starts with its setting's name; later lines for the same setting follow from the first (a
 * placeholder is also "too short", "not a URL") and would only repeat it.
 */
function firstProblemPerSetting(problems: string[]): string[] {
  const settings = new Set<string>();
  return problems.filter((problem) => {
    const setting = problem.slice(0, problem.indexOf(' '));
    if (settings.has(setting)) return false;
    settings.add(setting);
    return true;
  });
}

function withTrailingSlash(value: string): string {
  return value.endsWith('/') ? value : `${value}/`;
}
