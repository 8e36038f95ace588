/**
 * infra/hooks/postprovision.sh against a stand-in `az` on a PATH that holds nothing else
 * but the tools the script uses, so no real Azure CLI is ever called.
 * (The pwsh twin cannot run here: PowerShell is not installable on this machine.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from './bicep';

const script = join(repoRoot, 'infra/hooks/postprovision.sh');
const TOOLS = ['sed', 'awk', 'grep', 'tr'];
const which = (tool: string): string => execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();

const APP = {
  REDIRECT_URI: 'https://func-api-abc.azurewebsites.net/api/redirect',
  POST_LOGOUT_REDIRECT_URI: 'https://func-api-abc.azurewebsites.net/api/home',
  FRONTCHANNEL_LOGOUT_URI: 'https://func-api-abc.azurewebsites.net/api/logout/frontchannel',
  CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  TENANT_SUBDOMAIN: 'contoso',
};

// The one read the script makes of the registration. az evaluates it with the jmespath library and
// prints the resulting list in tsv, one item a line: the front-channel logout URL ('' when none is set),
// then the redirect URIs. The stand-in answers in that shape, and only to this query.
const GRAPH_QUERY = "[web.logoutUrl || '', web.redirectUris][]";

// Answers that `az rest --method get` from $FAKE_AZ_LOGOUT_URL and $FAKE_AZ_URIS (one per line), or
// fails when $FAKE_AZ_FAIL is set; records every call, one argument a line, calls separated by "--".
const FAKE_AZ = `#!/bin/sh
printf '%s\\n' "$@" -- >> "$FAKE_AZ_LOG"
[ -n "\${FAKE_AZ_FAIL:-}" ] && exit 1
case "$*" in
  *"--method get"*)
    case "$*" in *"--query $FAKE_AZ_QUERY --output tsv"*) ;; *) echo "unexpected query" >&2; exit 2 ;; esac
    printf '%s\\n' "\${FAKE_AZ_LOGOUT_URL:-}"
    [ -n "\${FAKE_AZ_URIS:-}" ] && printf '%s\\n' "$FAKE_AZ_URIS"
    exit 0 ;;
esac
exit 0
`;

describe.skipIf(process.platform === 'win32')('postprovision.sh', () => {
  let shell: string;
  let bin: string;
  let log: string;

  beforeEach(() => {
    shell = which('sh');
    bin = mkdtempSync(join(tmpdir(), 'postprovision-'));
    log = join(bin, 'az.log');
    writeFileSync(log, '');
    for (const tool of TOOLS) {
      symlinkSync(which(tool), join(bin, tool));
    }
  });

  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  function installAz(): void {
    writeFileSync(join(bin, 'az'), FAKE_AZ);
    chmodSync(join(bin, 'az'), 0o755);
  }

  function run(env: Record<string, string>) {
    const result = spawnSync(shell, [script], {
      encoding: 'utf8',
      env: { PATH: bin, FAKE_AZ_LOG: log, FAKE_AZ_QUERY: GRAPH_QUERY, ...APP, ...env },
      timeout: 10_000,
    });
    const calls = readFileSync(log, 'utf8')
      .split('--\n')
      .filter(Boolean)
      .map((call) => call.trimEnd().split('\n'));
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  }

  function patchBody(calls: string[][]): unknown {
    const patch = calls.find((call) => call.includes('patch'));
    const body = patch?.[patch.indexOf('--body') + 1];
    return body === undefined ? undefined : JSON.parse(body);
  }

  it('prints both URIs and calls nothing unless asked to update the registration', () => {
    installAz();
    const { status, stdout, calls } = run({});
    expect(status).toBe(0);
    expect(stdout).toContain(APP.REDIRECT_URI);
    expect(stdout).toContain(APP.POST_LOGOUT_REDIRECT_URI);
    expect(stdout).toContain(`Front-channel logout URL to:\n  ${APP.FRONTCHANNEL_LOGOUT_URI}`);
    expect(stdout).toContain('az login --tenant contoso.onmicrosoft.com --allow-no-subscriptions');
    expect(calls).toEqual([]);
  });

  it.each(['contoso.ciamlogin.com', 'contoso.onmicrosoft.com'])('names the tenant domain when TENANT_SUBDOMAIN is %s, as the app accepts', (tenant) => {
    installAz();
    const { status, stdout } = run({ TENANT_SUBDOMAIN: tenant });
    expect(status).toBe(0);
    expect(stdout).toContain('az login --tenant contoso.onmicrosoft.com --allow-no-subscriptions');
  });

  it('adds the missing URIs, keeps the ones already registered and sets the front-channel logout URL', () => {
    installAz();
    const { status, stdout, calls } = run({
      ENTRA_UPDATE_REDIRECT_URIS: 'true',
      FAKE_AZ_URIS: `http://localhost:7071/api/redirect\n${APP.POST_LOGOUT_REDIRECT_URI}`,
    });
    expect(status).toBe(0);
    expect(calls[0]).toEqual(expect.arrayContaining(['rest', '--method', 'get']));
    expect(calls[0]?.join(' ')).toContain(`applications(appId='${APP.CLIENT_ID}')`);
    expect(patchBody(calls)).toEqual({
      web: {
        redirectUris: ['http://localhost:7071/api/redirect', APP.POST_LOGOUT_REDIRECT_URI, APP.REDIRECT_URI],
        logoutUrl: APP.FRONTCHANNEL_LOGOUT_URI,
      },
    });
    expect(stdout).toContain(`app ${APP.CLIENT_ID} updated`);
  });

  it('registers everything on an app that has none yet', () => {
    installAz();
    const { calls } = run({ ENTRA_UPDATE_REDIRECT_URIS: 'true' });
    expect(patchBody(calls)).toEqual({
      web: { redirectUris: [APP.REDIRECT_URI, APP.POST_LOGOUT_REDIRECT_URI], logoutUrl: APP.FRONTCHANNEL_LOGOUT_URI },
    });
  });

  it('sets the front-channel logout URL when only it is missing, resending every registered redirect URI', () => {
    installAz();
    const registered = ['http://localhost:7071/api/redirect', APP.REDIRECT_URI, APP.POST_LOGOUT_REDIRECT_URI];
    const { calls } = run({ ENTRA_UPDATE_REDIRECT_URIS: 'true', FAKE_AZ_URIS: registered.join('\n') });
    expect(patchBody(calls)).toEqual({ web: { redirectUris: registered, logoutUrl: APP.FRONTCHANNEL_LOGOUT_URI } });
  });

  it("replaces another front-channel logout URL, the registration's only one, and says so", () => {
    installAz();
    const other = 'https://func-api-old.azurewebsites.net/api/logout/frontchannel';
    const { stdout, calls } = run({
      ENTRA_UPDATE_REDIRECT_URIS: 'true',
      FAKE_AZ_LOGOUT_URL: other,
      FAKE_AZ_URIS: `${APP.REDIRECT_URI}\n${APP.POST_LOGOUT_REDIRECT_URI}`,
    });
    expect(stdout).toContain(`${other} is replaced by ${APP.FRONTCHANNEL_LOGOUT_URI}`);
    expect(patchBody(calls)).toEqual({
      web: { redirectUris: [APP.REDIRECT_URI, APP.POST_LOGOUT_REDIRECT_URI], logoutUrl: APP.FRONTCHANNEL_LOGOUT_URI },
    });
  });

  it('changes nothing when the URIs and the front-channel logout URL are registered', () => {
    installAz();
    const { status, stdout, calls } = run({
      ENTRA_UPDATE_REDIRECT_URIS: 'true',
      FAKE_AZ_LOGOUT_URL: APP.FRONTCHANNEL_LOGOUT_URI,
      FAKE_AZ_URIS: `${APP.REDIRECT_URI}\n${APP.POST_LOGOUT_REDIRECT_URI}`,
    });
    expect(status).toBe(0);
    expect(stdout).toContain('already registered');
    expect(patchBody(calls)).toBeUndefined();
  });

  it('leaves the front-channel logout URL alone when the environment has none to set', () => {
    installAz();
    const other = 'https://func-api-old.azurewebsites.net/api/logout/frontchannel';
    const env = { ENTRA_UPDATE_REDIRECT_URIS: 'true', FRONTCHANNEL_LOGOUT_URI: '', FAKE_AZ_LOGOUT_URL: other };
    expect(patchBody(run({ ...env, FAKE_AZ_URIS: APP.REDIRECT_URI }).calls)).toEqual({
      web: { redirectUris: [APP.REDIRECT_URI, APP.POST_LOGOUT_REDIRECT_URI] },
    });
  });

  it('changes nothing when the redirect URIs are registered and the environment has no front-channel logout URL', () => {
    installAz();
    const { stdout, calls } = run({
      ENTRA_UPDATE_REDIRECT_URIS: 'true',
      FRONTCHANNEL_LOGOUT_URI: '',
      FAKE_AZ_URIS: `${APP.REDIRECT_URI}\n${APP.POST_LOGOUT_REDIRECT_URI}`,
    });
    expect(stdout).toContain('already registered');
    expect(patchBody(calls)).toBeUndefined();
  });

  it('explains how to sign in when the CLI cannot read the app, and still succeeds', () => {
    installAz();
    const { status, stdout, calls } = run({ ENTRA_UPDATE_REDIRECT_URIS: 'true', FAKE_AZ_FAIL: '1' });
    expect(status).toBe(0);
    expect(stdout).toContain('az login --tenant contoso.onmicrosoft.com --allow-no-subscriptions');
    expect(patchBody(calls)).toBeUndefined();
  });

  it('succeeds without the Azure CLI', () => {
    expect(existsSync(join(bin, 'az'))).toBe(false);
    const { status, stdout } = run({ ENTRA_UPDATE_REDIRECT_URIS: 'true' });
    expect(status).toBe(0);
    expect(stdout).toContain('not installed');
  });

  it('does nothing before provisioning has produced the URIs', () => {
    installAz();
    const { status, calls } = run({ REDIRECT_URI: '', ENTRA_UPDATE_REDIRECT_URIS: 'true' });
    expect(status).toBe(0);
    expect(calls).toEqual([]);
  });
});
