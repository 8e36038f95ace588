import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/lib/config';

const CLIENT_SECRET = 'client-secret-value-Zx9~q8Q.never-print-me';
const COOKIE_SECRET = 'cookie-secret-abcdefghijklmnopqrstuvwxyz-0123';

/** The smallest environment that starts the app. */
const minimal = (): Record<string, string | undefined> => ({
  TENANT_SUBDOMAIN: 'contoso',
  CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  CLIENT_SECRET,
  COOKIE_SECRETS: COOKIE_SECRET,
  COSMOS_ENDPOINT: 'https://contoso-db.documents.azure.com:443/',
});

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('accepts a minimal environment and fills in every default', () => {
    const config = loadConfig(minimal());
    expect(config.authority).toBe('https://contoso.ciamlogin.com/');
    expect(config.clientId).toBe('11111111-2222-3333-4444-555555555555');
    expect(config.clientSecret).toBe(CLIENT_SECRET);
    expect(config.redirectUri).toBe('http://localhost:7071/api/redirect');
    expect(config.postLogoutRedirectUri).toBe('http://localhost:7071/api/home');
    expect(config.appOrigin).toBe('http://localhost:7071');
    expect(config.allowedReturnOrigins).toEqual([]);
    expect(config.cookie).toEqual({ secrets: [COOKIE_SECRET], secure: false });
    expect(config.session).toEqual({ idleTimeoutSeconds: 8 * 60 * 60, absoluteTimeoutSeconds: 7 * 24 * 60 * 60, cacheSeconds: 30 });
    expect(config.downstream).toEqual({ url: 'https://graph.microsoft.com/v1.0/me', scopes: ['User.Read'] });
    expect(config.api.audiences).toEqual([
      '11111111-2222-3333-4444-555555555555',
      'api://11111111-2222-3333-4444-555555555555',
    ]);
    expect(config.cosmos).toMatchObject({
      endpoint: 'https://contoso-db.documents.azure.com:443/',
      database: 'auth',
      sessionsContainer: 'sessions',
      createIfMissing: true,
    });
    expect(config.cosmos.key).toBeUndefined();
    expect(config.appName).toBe('My app');
    expect(config.api.allowedClientIds).toEqual([]);
    expect(config.admin).toEqual({ role: 'Sessions.RevokeAll', revokeTenantSessions: false });
  });

  it('reads the bearer allow-list, the admin role and the tenant revoke switch', () => {
    const config = loadConfig({
      ...minimal(),
      API_ALLOWED_CLIENT_IDS: '55556666-BBBB-4ccc-8ddd-777788889999, 00001111-aaaa-4bbb-8ccc-222233334444',
      SESSIONS_ADMIN_ROLE: 'Support.EndSessions',
      REVOKE_TENANT_SESSIONS: 'true',
    });
    expect(config.api.allowedClientIds).toEqual(['55556666-bbbb-4ccc-8ddd-777788889999', '00001111-aaaa-4bbb-8ccc-222233334444']);
    expect(config.admin).toEqual({ role: 'Support.EndSessions', revokeTenantSessions: true });
  });

  it('names each bad session-admin setting', () => {
    const error = configError({ ...minimal(), API_ALLOWED_CLIENT_IDS: 'my-cli-app', SESSIONS_ADMIN_ROLE: 'Sessions RevokeAll', REVOKE_TENANT_SESSIONS: 'sometimes' });
    for (const name of ['API_ALLOWED_CLIENT_IDS', 'SESSIONS_ADMIN_ROLE', 'REVOKE_TENANT_SESSIONS']) {
      expect(error.problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
    expect(error.problems).toHaveLength(3);
  });

  it('reports every missing required setting in one ConfigError, each by name', () => {
    const error = configError({});
    for (const name of ['TENANT_SUBDOMAIN', 'CLIENT_ID', 'CLIENT_SECRET', 'COOKIE_SECRETS', 'COSMOS_ENDPOINT']) {
      expect(error.problems.some((problem) => problem.startsWith(name))).toBe(true);
      expect(error.message).toContain(name);
    }
    expect(error.problems).toHaveLength(5);
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toContain('5 settings need fixing');
  });

  it('lists each setting of the example settings once, and counts exactly the lines it lists', () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../local.settings.example.json'), 'utf8')) as { Values: Record<string, string> };
    const error = configError(example.Values);
    const listed = error.message.split('\n').filter((line) => line.startsWith('  - '));
    const settings = listed.map((line) => line.slice(4).split(' ')[0]);
    expect(settings).toEqual(['TENANT_SUBDOMAIN', 'CLIENT_ID', 'CLIENT_SECRET', 'COOKIE_SECRETS', 'COSMOS_ENDPOINT']);
    expect(error.message).toMatch(new RegExp(`^The app cannot start: ${listed.length} settings need fixing`));
    // The placeholder is the problem; that it is also too short, or not a URL, would only repeat it.
    expect(error.problems.find((problem) => problem.startsWith('COOKIE_SECRETS'))).toContain('placeholder');
    expect(error.problems.find((problem) => problem.startsWith('COSMOS_ENDPOINT'))).toContain('placeholder');
  });

  it('treats blank values like missing ones', () => {
    const error = configError({ ...minimal(), CLIENT_ID: '   ', CLIENT_SECRET: '' });
    expect(error.problems.map((problem) => problem.split(' ')[0])).toEqual(['CLIENT_ID', 'CLIENT_SECRET']);
  });

  it('rejects the placeholders of the example settings', () => {
    const error = configError({
      ...minimal(),
      TENANT_SUBDOMAIN: 'Enter_the_Tenant_Subdomain_Here',
      CLIENT_ID: 'Enter_the_Application_Id_Here',
      CLIENT_SECRET: 'Enter_the_Client_Secret_Here',
    });
    const names = error.problems.map((problem) => problem.split(' ')[0]);
    expect(names).toEqual(expect.arrayContaining(['TENANT_SUBDOMAIN', 'CLIENT_ID', 'CLIENT_SECRET']));
    expect(error.problems.find((problem) => problem.startsWith('CLIENT_ID'))).toContain('placeholder');
  });

  it('refuses a cookie secret shorter than 32 characters, also as the second of a list', () => {
    expect(configError({ ...minimal(), COOKIE_SECRETS: 'too-short' }).problems).toEqual([
      expect.stringMatching(/^COOKIE_SECRETS .*shorter than 32/),
    ]);
    expect(configError({ ...minimal(), COOKIE_SECRETS: `${COOKIE_SECRET},short` }).problems[0]).toMatch(/^COOKIE_SECRETS/);
    expect(loadConfig({ ...minimal(), COOKIE_SECRETS: ` ${COOKIE_SECRET} , ${COOKIE_SECRET}-old ` }).cookie.secrets).toEqual([
      COOKIE_SECRET,
      `${COOKIE_SECRET}-old`,
    ]);
  });

  it('refuses an http REDIRECT_URI that is not on localhost', () => {
    const error = configError({ ...minimal(), REDIRECT_URI: 'http://app.contoso.com/api/redirect' });
    expect(error.problems).toEqual([expect.stringMatching(/^REDIRECT_URI must use https/)]);
    expect(loadConfig({ ...minimal(), REDIRECT_URI: 'http://127.0.0.1:7071/api/redirect' }).cookie.secure).toBe(false);
  });

  it('marks cookies secure when the redirect URI is https and derives the app origin from it', () => {
    const config = loadConfig({ ...minimal(), REDIRECT_URI: 'https://app.contoso.com/api/redirect' });
    expect(config.cookie.secure).toBe(true);
    expect(config.appOrigin).toBe('https://app.contoso.com');
    expect(config.postLogoutRedirectUri).toBe('https://app.contoso.com/api/home');
  });

  it('refuses ALLOWED_RETURN_ORIGINS entries that carry a path, and non-https origins off localhost', () => {
    expect(configError({ ...minimal(), ALLOWED_RETURN_ORIGINS: 'https://portal.contoso.com/app' }).problems).toEqual([
      expect.stringMatching(/^ALLOWED_RETURN_ORIGINS must list origins only/),
    ]);
    expect(configError({ ...minimal(), ALLOWED_RETURN_ORIGINS: 'http://portal.contoso.com' }).problems).toEqual([
      expect.stringMatching(/^ALLOWED_RETURN_ORIGINS holds http:\/\/portal\.contoso\.com/),
    ]);
    expect(
      loadConfig({ ...minimal(), ALLOWED_RETURN_ORIGINS: 'https://portal.contoso.com, http://localhost:3000' }).allowedReturnOrigins,
    ).toEqual(['https://portal.contoso.com', 'http://localhost:3000']);
  });

  it('refuses an http AUTHORITY and accepts an https one, adding the trailing slash', () => {
    expect(configError({ ...minimal(), AUTHORITY: 'http://login.contoso.com/tenant' }).problems).toEqual([
      expect.stringMatching(/^AUTHORITY must be an https URL/),
    ]);
    const withoutSubdomain = minimal();
    delete withoutSubdomain.TENANT_SUBDOMAIN;
    expect(loadConfig({ ...withoutSubdomain, AUTHORITY: 'https://login.contoso.com/tenant' }).authority).toBe(
      'https://login.contoso.com/tenant/',
    );
  });

  it('reads the optional settings', () => {
    const config = loadConfig({
      ...minimal(),
      SESSION_IDLE_TIMEOUT_MINUTES: '30',
      SESSION_ABSOLUTE_TIMEOUT_MINUTES: '120',
      SESSION_CACHE_SECONDS: '0',
      DOWNSTREAM_API_SCOPES: 'api://x/read api://x/write',
      API_AUDIENCES: 'aud-1,aud-2',
      COSMOS_DATABASE: 'db',
      COSMOS_CREATE_IF_MISSING: 'false',
    });
    expect(config.session).toEqual({ idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 7200, cacheSeconds: 0 });
    expect(configError({ ...minimal(), SESSION_CACHE_SECONDS: '3600' }).problems[0]).toMatch(/^SESSION_CACHE_SECONDS must be a whole number of seconds from 0 to 300/);
    expect(config.downstream.scopes).toEqual(['api://x/read', 'api://x/write']);
    expect(config.api.audiences).toEqual(['aud-1', 'aud-2']);
    expect(config.cosmos.database).toBe('db');
    expect(config.cosmos.createIfMissing).toBe(false);
    expect(configError({ ...minimal(), SESSION_IDLE_TIMEOUT_MINUTES: '1.5' }).problems[0]).toMatch(/^SESSION_IDLE_TIMEOUT_MINUTES/);
    expect(configError({ ...minimal(), COSMOS_CREATE_IF_MISSING: 'maybe' }).problems[0]).toMatch(/^COSMOS_CREATE_IF_MISSING/);
  });

  it('takes the app name users know, on one line of at most 60 characters', () => {
    expect(loadConfig({ ...minimal(), APP_NAME: '  Contoso Notes ' }).appName).toBe('Contoso Notes');
    expect(loadConfig({ ...minimal(), APP_NAME: '' }).appName).toBe('My app');
    for (const bad of ['x'.repeat(61), 'Contoso\nNotes']) {
      expect(configError({ ...minimal(), APP_NAME: bad }).problems).toEqual([expect.stringMatching(/^APP_NAME must be one line of at most 60 characters/)]);
    }
  });

  it('never puts a secret value in the error message', () => {
    const shortCookieSecret = 'short-cookie-secret-XYZ';
    const error = configError({
      CLIENT_SECRET,
      COOKIE_SECRETS: shortCookieSecret,
      COSMOS_KEY: 'Y29zbW9zLWtleS12YWx1ZQ==',
      COSMOS_ENDPOINT: 'not a url',
      REDIRECT_URI: 'http://app.contoso.com/api/redirect',
    });
    expect(error.problems.length).toBeGreaterThanOrEqual(4);
    for (const secret of [CLIENT_SECRET, shortCookieSecret, 'Y29zbW9zLWtleS12YWx1ZQ==']) {
      expect(error.message).not.toContain(secret);
      expect(error.problems.join('\n')).not.toContain(secret);
      expect(String(error.stack)).not.toContain(secret);
    }
  });

  it('refuses a Key Vault reference that App Service could not resolve', () => {
    const reference = '@Microsoft.KeyVault(SecretUri=https://kv-abc123.vault.azure.net/secrets/cookie-secrets/)';
    const error = configError({ ...minimal(), COOKIE_SECRETS: reference, CLIENT_SECRET: reference });
    expect(error.problems.filter((problem) => problem.includes('unresolved Key Vault reference'))).toHaveLength(2);
  });
});
