import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args';
import { EXIT, run } from '../../src/cli/run';
import { defaultCacheDir, loadSettings } from '../../src/cli/settings';
import packageJson from '../../package.json';
import { Capture } from './harness';

const ENV = {
  TENANT_SUBDOMAIN: 'contoso',
  CLI_CLIENT_ID: '55556666-bbbb-4ccc-8ddd-777788889999',
  API_SCOPE: 'api://00001111-aaaa-4bbb-8ccc-222233334444/access_as_user',
  FNAUTH_CACHE_DIR: '/tmp/fnauth-settings-test',
};

async function runCli(argv: string[], env: Record<string, string | undefined> = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(argv, { stdout, stderr, env, platform: 'linux' });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('settings', () => {
  it('come from the environment, and a flag wins', () => {
    const settings = loadSettings('call', { api: 'https://app.example.net', 'client-id': 'from-flag' }, { ...ENV, API_BASE_URL: 'http://localhost:1' });
    expect(settings).toEqual({
      authority: 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/',
      authoritySetting: '--tenant / TENANT_SUBDOMAIN',
      clientId: 'from-flag',
      scope: ENV.API_SCOPE,
      apiBaseUrl: 'https://app.example.net',
      cacheDir: '/tmp/fnauth-settings-test',
      cacheFile: '/tmp/fnauth-settings-test/msal-cache.json',
    });
  });

  it('fall back from CLI_CLIENT_ID to CLIENT_ID (an empty CLI_CLIENT_ID counts as unset), and default the API to localhost:7071', () => {
    const settings = loadSettings('call', {}, { ...ENV, CLI_CLIENT_ID: ' ', CLIENT_ID: 'web-app-id' });
    expect(settings.clientId).toBe('web-app-id');
    expect(settings.apiBaseUrl).toBe('http://localhost:7071');
  });

  it('take an authority instead of a tenant (the local provider), and it wins over the tenant', () => {
    const settings = loadSettings('login', { authority: 'https://localhost:8443/5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f' }, ENV);
    expect(settings.authority).toBe('https://localhost:8443/5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f/');
    expect(settings.authoritySetting).toBe('--authority / AUTHORITY');
    expect(loadSettings('login', { tenant: 'fabrikam.ciamlogin.com' }, ENV).authority).toBe('https://fabrikam.ciamlogin.com/fabrikam.onmicrosoft.com/');
  });

  it('report every problem at once, naming the flag and the variable (exit 2)', async () => {
    const { code, stdout, stderr } = await runCli(['call', '--authority', 'http://localhost:8443/t/', '--api', 'http://app.example.net', '--scope', 'openid']);
    expect(code).toBe(EXIT.usage);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      '4 settings need fixing (flags or environment variables; see `fnauth --help`):\n' +
        '  - --authority / AUTHORITY must be an https URL, e.g. https://localhost:<port>/<tenant-id>/ for the local provider (MSAL refuses any other scheme).\n' +
        '  - --scope / API_SCOPE must be one API scope, e.g. api://<API client id>/access_as_user (MSAL adds openid, profile and offline_access itself).\n' +
        '  - --api / API_BASE_URL must be an https URL (plain http only on localhost, so the access token never crosses a network in clear), e.g. https://<app>.azurewebsites.net.\n' +
        '  - --client-id / CLI_CLIENT_ID (or CLIENT_ID) is missing. Set it to the Application (client) ID of the app registration the CLI signs in with (Allow public client flows = Yes).\n',
    );
  });

  it('refuse the placeholders of the samples', async () => {
    const { code, stderr } = await runCli(['whoami'], { ...ENV, TENANT_SUBDOMAIN: 'Enter_the_Tenant_Subdomain_Here', CLI_CLIENT_ID: 'Enter_the_Application_Id_Here' });
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('--tenant / TENANT_SUBDOMAIN must be the subdomain');
    expect(stderr).toContain('--client-id / CLI_CLIENT_ID (or CLIENT_ID) still holds the placeholder. Set it to the Application (client) ID');
  });

  it('put the token cache in the user’s config folder', () => {
    expect(defaultCacheDir({}, 'linux', '/home/ada')).toBe('/home/ada/.config/fnauth');
    expect(defaultCacheDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/ada')).toBe('/xdg/fnauth');
    expect(defaultCacheDir({ XDG_CONFIG_HOME: 'relative' }, 'darwin', '/Users/ada')).toBe('/Users/ada/.config/fnauth');
    expect(defaultCacheDir({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada')).toBe(join('C:\\Users\\ada\\AppData\\Roaming', 'fnauth'));
    const { cacheDir } = loadSettings('login', {}, { ...ENV, FNAUTH_CACHE_DIR: undefined, XDG_CONFIG_HOME: '/xdg' });
    expect(cacheDir).toBe('/xdg/fnauth');
  });
});

describe('the command line', () => {
  it('parses a command, its path and flags', () => {
    expect(parseCommandLine(['call', '/api/me', '--api', 'https://x.example'])).toEqual({
      command: 'call',
      args: ['/api/me'],
      flags: { api: 'https://x.example' },
      help: false,
      version: false,
      noColor: false,
    });
  });

  it('prints its version on stdout for --version (exit 0), whatever else is given', async () => {
    for (const argv of [['--version'], ['login', '--version'], ['call', '/a', '/b', '--version']]) {
      const { code, stdout, stderr } = await runCli(argv);
      expect(code).toBe(EXIT.ok);
      expect(stdout).toBe(`fnauth ${packageJson.version}\n`);
      expect(stderr).toBe('');
    }
  });

  it.each([[['--help']], [['-h']], [['help']]])('prints the overview for %j (exit 0)', async (argv) => {
    const { code, stdout } = await runCli(argv);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('Usage: fnauth <command> [flags]');
    expect(stdout).toContain('130  cancelled (Ctrl-C)');
  });

  it.each(['login', 'whoami', 'call', 'logout'])('has help for %s, with or without settings', async (command) => {
    for (const argv of [[command, '--help'], ['help', command]]) {
      const { code, stdout } = await runCli(argv);
      expect(code).toBe(EXIT.ok);
      expect(stdout).toContain(`Usage: fnauth ${command}`);
    }
  });

  it('prints the overview on stderr and exits 2 without a command', async () => {
    const { code, stdout, stderr } = await runCli([]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('Commands:');
    expect(stdout).toBe('');
  });

  it.each([
    [['frobnicate'], 'Unknown command "frobnicate". The commands are: login, whoami, call, logout. Run `fnauth --help`.'],
    [['login', '--client-secret', 's3cr3t-value'], 'Unknown flag --client-secret. Run `fnauth login --help` for the flags.'],
    [['login', '--client-secret=s3cr3t-value'], 'Unknown flag --client-secret. Run `fnauth login --help` for the flags.'],
    [['-x'], 'Unknown flag -x. Run `fnauth --help` for the flags.'],
    [['whoami', '--colour'], 'Unknown flag --colour. Run `fnauth whoami --help` for the flags.'],
    [['whoami', 'extra'], 'Too many arguments for "whoami". Run `fnauth whoami --help`.'],
    [['call', '/a', '/b'], 'Too many arguments for "call". Run `fnauth call --help`.'],
    [['login', '--tenant'], '--tenant needs a value: --tenant <subdomain>. Run `fnauth login --help` for the flags.'],
    [['login', '--tenant', '--scope', 'x'], '--tenant needs a value: --tenant <subdomain>. Run `fnauth login --help` for the flags.'],
    [['login', '--help=yes'], '--help takes no value. Run `fnauth login --help` for the flags.'],
  ])('refuses %j with one line of its own (exit 2)', async (argv, message) => {
    const { code, stdout, stderr } = await runCli(argv, ENV);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toBe(`${message}\n`);
    expect(stdout).toBe('');
  });
});
