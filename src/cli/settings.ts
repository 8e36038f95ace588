/**
 * The CLI's settings, from flags or the environment (a flag wins), checked
 * all at once: one message lists every problem, naming both the flag and the
 * variable, and how to fix it.
 *
 * | setting | flag | environment |
 * | --- | --- | --- |
 * | tenant subdomain | `--tenant` | `TENANT_SUBDOMAIN` |
 * | authority (custom domain, local provider) | `--authority` | `AUTHORITY` |
 * | client id | `--client-id` | `CLI_CLIENT_ID`, else `CLIENT_ID` |
 * | API scope | `--scope` | `API_SCOPE` |
 * | API base URL | `--api` | `API_BASE_URL` (default http://localhost:7071) |
 * | token cache folder | `--cache-dir` | `FNAUTH_CACHE_DIR` (default: the user's config folder) |
 *
 * @example
 * ```ts
 * const settings = loadSettings('call', flags, process.env);
 * settings.authority; // "https://contoso.ciamlogin.com/contoso.onmicrosoft.com/"
 * ```
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { normalizeAuthority } from '../lib/authority';
import { authority, isHttpsOrLoopback, missingTenant, signInAuthority, tenantSubdomain } from '../lib/settings/rules';
import { optionalText, readSettings, text } from '../lib/settings/schema';
import { CliError, EXIT } from './errors';

const APP_NAME = 'fnauth';
const DEFAULT_API_BASE_URL = 'http://localhost:7071';
const CACHE_FILE_NAME = 'msal-cache.json';

export type CommandName = 'login' | 'whoami' | 'call' | 'logout';

export interface Flags {
  tenant?: string;
  authority?: string;
  'client-id'?: string;
  scope?: string;
  api?: string;
  'cache-dir'?: string;
}

export type Env = Record<string, string | undefined>;

export interface CliSettings {
  /** MSAL authority, normalized (External ID: `https://<sub>.ciamlogin.com/<sub>.onmicrosoft.com/`). */
  authority: string;
  /** The flag and variable the authority came from, for messages: `--tenant / TENANT_SUBDOMAIN`. */
  authoritySetting: string;
  clientId: string;
  /** The API's delegated scope; empty for `logout`, which needs none. */
  scope: string;
  /** Origin (and optional base path) the `call` paths are resolved against. */
  apiBaseUrl: string;
  cacheDir: string;
  cacheFile: string;
}

/** What each command needs: `logout` only touches the cache, so it needs no scope. */
const NEEDS: Record<CommandName, { scope: boolean }> = {
  login: { scope: true },
  whoami: { scope: true },
  call: { scope: true },
  logout: { scope: false },
};

/** MSAL asks for these itself; the CLI's scope is the API's. */
const OPENID_SCOPES = ['openid', 'profile', 'offline_access', 'email'];

/** The same tenant, authority, placeholder and loopback rules as the app's settings (src/lib/settings). */
function schemaFor(command: CommandName) {
  return {
    tenant: tenantSubdomain,
    authority,
    scope: (NEEDS[command].scope ? text('Set it to the scope your API exposes, e.g. api://<API client id>/access_as_user.') : optionalText).refine(
      (value) => !/\s/.test(value) && !OPENID_SCOPES.includes(value),
      'must be one API scope, e.g. api://<API client id>/access_as_user (MSAL adds openid, profile and offline_access itself).',
    ),
    api: optionalText.refine(
      isHttpsOrLoopback,
      'must be an https URL (plain http only on localhost, so the access token never crosses a network in clear), e.g. https://<app>.azurewebsites.net.',
    ),
    clientId: text(
      'Set it to the Application (client) ID of the app registration the CLI signs in with (Allow public client flows = Yes).',
    ).refine((value) => /^[A-Za-z0-9._-]{1,128}$/.test(value), 'must be the Application (client) ID of the app registration the CLI signs in with.'),
    cacheDir: optionalText,
  };
}

const LABELS: Record<keyof ReturnType<typeof schemaFor>, string> = {
  tenant: '--tenant / TENANT_SUBDOMAIN',
  authority: '--authority / AUTHORITY',
  clientId: '--client-id / CLI_CLIENT_ID (or CLIENT_ID)',
  scope: '--scope / API_SCOPE',
  api: '--api / API_BASE_URL',
  cacheDir: '--cache-dir / FNAUTH_CACHE_DIR',
};

/** Thrown by {@link loadSettings}: exit code 2, one line per problem. */
function settingsError(problems: string[]): CliError {
  return new CliError(
    EXIT.usage,
    `${problems.length} setting${problems.length === 1 ? ' needs' : 's need'} fixing (flags or environment variables; see \`fnauth --help\`):\n` +
      problems.map((problem) => `  - ${problem}`).join('\n'),
  );
}

export function loadSettings(command: CommandName, flags: Flags, env: Env, platform: NodeJS.Platform = process.platform): CliSettings {
  const raw = {
    tenant: first(flags.tenant, env.TENANT_SUBDOMAIN),
    authority: first(flags.authority, env.AUTHORITY),
    clientId: first(flags['client-id'], env.CLI_CLIENT_ID, env.CLIENT_ID),
    scope: first(flags.scope, env.API_SCOPE),
    api: first(flags.api, env.API_BASE_URL),
    cacheDir: first(flags['cache-dir'], env.FNAUTH_CACHE_DIR),
  };
  const read = readSettings(schemaFor(command), raw, (name) => LABELS[name]);
  const noTenant = missingTenant(raw, LABELS);
  const problems = [...(read.ok ? [] : read.problems), ...(noTenant ? [noTenant] : [])];
  if (!read.ok || problems.length > 0) throw settingsError(problems);

  const s = read.values;
  const cacheDir = resolve(s.cacheDir ?? defaultCacheDir(env, platform));
  return {
    // An explicit authority wins, as in the app's settings.
    authority: normalizeAuthority(signInAuthority(s.tenant, s.authority)),
    authoritySetting: s.authority ? LABELS.authority : LABELS.tenant,
    clientId: s.clientId,
    scope: s.scope ?? '',
    apiBaseUrl: s.api ?? DEFAULT_API_BASE_URL,
    cacheDir,
    cacheFile: join(cacheDir, CACHE_FILE_NAME),
  };
}

/**
 * The user's config folder for this CLI: `%APPDATA%\fnauth` on Windows,
 * `$XDG_CONFIG_HOME/fnauth` or `~/.config/fnauth` elsewhere (macOS included,
 * as most command-line tools do).
 */
export function defaultCacheDir(env: Env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'win32') return join(first(env.APPDATA) ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  const xdg = first(env.XDG_CONFIG_HOME);
  // XDG: a relative value is invalid and must be ignored.
  return join(xdg?.startsWith('/') ? xdg : join(home, '.config'), APP_NAME);
}

/** The first value that is set and not blank: `CLI_CLIENT_ID=` falls through to `CLIENT_ID`. */
function first(...values: (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined && value.trim() !== '');
}
