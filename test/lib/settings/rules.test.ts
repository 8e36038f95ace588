/**
 * The shared settings rules, on their own and through both of their users:
 * the app's settings (loadConfig) and the fnauth CLI's (loadSettings) must
 * accept and refuse the same values with the same sentence.
 */
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/errors';
import { loadSettings } from '../../../src/cli/settings';
import { normalizeAuthority } from '../../../src/lib/authority';
import { ConfigError, loadConfig } from '../../../src/lib/config';
import { isHttpsOrLoopback, missingTenant, signInAuthority, tenantSubdomain } from '../../../src/lib/settings/rules';

const APP_ENV = {
  CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  CLIENT_SECRET: 'client-secret',
  COOKIE_SECRETS: 'c'.repeat(32),
  COSMOS_ENDPOINT: 'https://contoso-db.documents.azure.com:443/',
};
const CLI_ENV = {
  CLI_CLIENT_ID: '55556666-bbbb-4ccc-8ddd-777788889999',
  API_SCOPE: 'api://00001111-aaaa-4bbb-8ccc-222233334444/access_as_user',
  FNAUTH_CACHE_DIR: '/tmp/fnauth-rules-test',
};

type Outcome = { authority: string } | { problems: string[] };

/** The app's verdict: the authority it signs in at, or its problem lines. */
function app(env: Record<string, string | undefined>): Outcome {
  try {
    return { authority: normalizeAuthority(loadConfig({ ...APP_ENV, ...env }).authority) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.problems };
  }
}

/** The CLI's verdict, its labels ("--tenant / TENANT_SUBDOMAIN") put back to the app's setting names. */
function cli(env: Record<string, string | undefined>): Outcome {
  try {
    return { authority: loadSettings('login', {}, { ...CLI_ENV, ...env }).authority };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return {
      problems: error.message
        .split('\n')
        .filter((line) => line.startsWith('  - '))
        .map((line) => line.slice(4).replace(/--[a-z-]+ \/ ([A-Z_]+)( \(or [A-Z_]+\))?/g, '$1')),
    };
  }
}

describe('the app and the CLI apply the same rules', () => {
  it.each([
    [{ TENANT_SUBDOMAIN: 'contoso' }, 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/'],
    [{ TENANT_SUBDOMAIN: ' Contoso-Dev ' }, 'https://contoso-dev.ciamlogin.com/contoso-dev.onmicrosoft.com/'],
    [{ TENANT_SUBDOMAIN: 'contoso.ciamlogin.com' }, 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/'],
    [{ TENANT_SUBDOMAIN: 'contoso.onmicrosoft.com' }, 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/'],
    [{ AUTHORITY: 'https://localhost:8443/5f1c2d3e' }, 'https://localhost:8443/5f1c2d3e/'],
    [{ TENANT_SUBDOMAIN: 'contoso', AUTHORITY: 'https://login.contoso.com/tenant-id/' }, 'https://login.contoso.com/tenant-id/'],
    [{ TENANT_SUBDOMAIN: '', AUTHORITY: 'https://contoso.ciamlogin.com/' }, 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/'],
  ])('both sign in at the same authority for %j', (env, authority) => {
    expect(app(env)).toEqual({ authority });
    expect(cli(env)).toEqual({ authority });
  });

  it.each([
    [{}, 'TENANT_SUBDOMAIN is missing.'],
    [{ TENANT_SUBDOMAIN: '  ', AUTHORITY: '' }, 'TENANT_SUBDOMAIN is missing.'],
    [{ TENANT_SUBDOMAIN: 'Enter_the_Tenant_Subdomain_Here' }, 'TENANT_SUBDOMAIN must be the subdomain'],
    [{ TENANT_SUBDOMAIN: 'contoso.com' }, 'TENANT_SUBDOMAIN must be the subdomain'],
    [{ TENANT_SUBDOMAIN: 'https://contoso.ciamlogin.com' }, 'TENANT_SUBDOMAIN must be the subdomain'],
    [{ AUTHORITY: 'http://localhost:8443/tenant' }, 'AUTHORITY must be an https URL'],
    [{ AUTHORITY: 'login.contoso.com' }, 'AUTHORITY must be an https URL'],
  ])('both refuse %j with the same sentence', (env, start) => {
    const fromApp = app(env);
    expect(fromApp).toEqual({ problems: [expect.stringContaining(start)] });
    expect(cli(env)).toEqual(fromApp);
  });

  it('both refuse a placeholder client id with the same rule', () => {
    const fromApp = app({ TENANT_SUBDOMAIN: 'contoso', CLIENT_ID: 'Enter_the_Application_Id_Here' });
    const fromCli = cli({ TENANT_SUBDOMAIN: 'contoso', CLI_CLIENT_ID: 'Enter_the_Application_Id_Here' });
    expect(fromApp).toEqual({ problems: [expect.stringMatching(/^CLIENT_ID still holds the placeholder\. /)] });
    expect(fromCli).toEqual({ problems: [expect.stringMatching(/^CLI_CLIENT_ID still holds the placeholder\. /)] });
  });

  it.each([
    ['https://app.contoso.com', true],
    ['http://localhost:7071', true],
    ['http://127.0.0.1:7071', true],
    ['http://[::1]:7071', true],
    ['http://app.contoso.com', false],
    ['http://localhost.contoso.com', false],
    ['ftp://localhost', false],
  ])('both allow plain http only on this machine: %s', (origin, allowed) => {
    const fromApp = app({ TENANT_SUBDOMAIN: 'contoso', REDIRECT_URI: `${origin}/api/redirect` });
    const fromCli = cli({ TENANT_SUBDOMAIN: 'contoso', API_BASE_URL: origin });
    expect('authority' in fromApp).toBe(allowed);
    expect('authority' in fromCli).toBe(allowed);
    expect(isHttpsOrLoopback(origin)).toBe(allowed);
  });
});

describe('the rules', () => {
  it('take the tenant as a subdomain, a host name or an onmicrosoft.com domain', () => {
    for (const tenant of ['contoso', 'contoso.ciamlogin.com', 'CONTOSO.onmicrosoft.com']) {
      expect(tenantSubdomain.read(tenant).ok).toBe(true);
      expect(signInAuthority(tenant, undefined)).toBe(`https://${tenant.split('.')[0]}.ciamlogin.com/`);
    }
    expect(tenantSubdomain.read('contoso.b2clogin.com').ok).toBe(false);
  });

  it('let an explicit authority win, ending it in "/"', () => {
    expect(signInAuthority('contoso', 'https://login.contoso.com/t')).toBe('https://login.contoso.com/t/');
    expect(() => signInAuthority(undefined, undefined)).toThrow(TypeError);
  });

  it('name the caller’s labels when neither tenant nor authority is set', () => {
    expect(missingTenant({ tenant: 'contoso', authority: undefined })).toBeUndefined();
    expect(missingTenant({ tenant: ' ', authority: undefined }, { tenant: '--tenant', authority: '--authority' })).toBe(
      '--tenant is missing. Set it to your External ID tenant subdomain, e.g. "contoso" for contoso.ciamlogin.com (or set --authority).',
    );
  });
});
