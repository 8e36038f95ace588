import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/run';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { useCli } from './harness';

const cli = useCli();
const count = (suffix: string) => cli.entra.requests.filter((line) => line.endsWith(suffix)).length;

async function signIn(user = DEFAULT_USERS[0]!) {
  cli.entra.deviceUser = { pendingPolls: 0, outcome: 'approve', user };
  const result = await cli.run(['login']);
  expect(result.code).toBe(EXIT.ok);
  cli.entra.requests.length = 0;
  return result;
}

describe('the token cache on disk', () => {
  it('is one file, mode 0600 in a folder 0700, written without leftovers', async () => {
    const folder = join(cli.cacheDir, 'nested', 'fnauth'); // created by the CLI
    await signIn();
    const env = { ...cli.env, FNAUTH_CACHE_DIR: folder };
    cli.entra.deviceUser = { pendingPolls: 0, outcome: 'approve' };
    expect((await cli.run(['login'], { env })).code).toBe(EXIT.ok);

    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect((await stat(join(folder, 'msal-cache.json'))).mode & 0o777).toBe(0o600);
    expect(await readdir(folder)).toEqual(['msal-cache.json']); // the temporary file was renamed, not left behind
    expect((await stat(cli.cacheFile)).mode & 0o777).toBe(0o600);
  });

  it('is reused: whoami after login makes no device code call and no token call', async () => {
    await signIn(DEFAULT_USERS[1]);
    const { code, stdout, stderr } = await cli.run(['whoami']);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('Signed in as Bob Example (bob@example.com).');
    expect(stdout).toContain(`Tenant: ${cli.entra.tenantId} (contoso.ciamlogin.com)`);
    expect(stdout).toMatch(new RegExp(`Access token for ${cli.entra.apiScope.replace(/[/.]/g, '\\$&')} valid until \\d{4}-`));
    expect(stdout).toContain('"email": "bob@example.com"');
    expect(count('/oauth2/v2.0/devicecode')).toBe(0);
    expect(count('/oauth2/v2.0/token')).toBe(0);
    expect(cli.entra.requests).toEqual([`GET ${cli.entra.base}/v2.0/.well-known/openid-configuration`]);
  });

  it('refreshes an access token about to expire with the cached refresh token, and saves the new one', async () => {
    cli.entra.accessTokenLifetime = 60; // inside MSAL's 5-minute renewal window
    await signIn();
    const issued = cli.entra.refreshTokensIssued.length;
    expect((await cli.run(['whoami'])).code).toBe(EXIT.ok);
    expect((await cli.run(['whoami'])).code).toBe(EXIT.ok);
    expect(count('/oauth2/v2.0/token')).toBe(2);
    expect(cli.entra.refreshTokensIssued.length).toBe(issued + 2);
    expect(count('/oauth2/v2.0/devicecode')).toBe(0);
  });

  it('says to run login again (exit 3) when the refresh token no longer works', async () => {
    cli.entra.accessTokenLifetime = 60;
    await signIn();
    cli.entra.revokeRefreshTokens();
    for (const command of [['whoami'], ['call']]) {
      const { code, stdout, stderr } = await cli.run(command);
      expect(code).toBe(EXIT.loginRequired);
      expect(stderr).toBe('Your sign-in has expired or was revoked, so no new access token could be had. Run `fnauth login` to sign in again.\n');
      expect(stdout).toBe('');
    }
    expect(cli.apiCalls).toEqual([]);
    expect(count('/oauth2/v2.0/devicecode')).toBe(0); // never starts a sign-in by itself
  });

  it('says to run login (exit 3) when the cache holds no token for this client id', async () => {
    await signIn();
    cli.entra.allowPublicClientFlows = true;
    const { code, stderr } = await cli.run(['whoami'], { env: { ...cli.env, CLI_CLIENT_ID: cli.entra.clientId } });
    expect(code).toBe(EXIT.loginRequired);
    expect(stderr).toContain('Run `fnauth login`');
    expect(count('/oauth2/v2.0/token')).toBe(0);
  });

  it('says to run login (exit 3) when no one is signed in', async () => {
    const { code, stderr } = await cli.run(['whoami']);
    expect(code).toBe(EXIT.loginRequired);
    expect(stderr).toBe('You are not signed in. Run `fnauth login` first.\n');
  });

  it('keeps one account per tenant: a new login replaces the previous user', async () => {
    await signIn(DEFAULT_USERS[0]);
    await signIn(DEFAULT_USERS[1]);
    expect((await cli.run(['whoami'])).stdout).toContain('Bob Example');
    const cache = JSON.parse(await (await import('node:fs/promises')).readFile(cli.cacheFile, 'utf8')) as Record<string, object>;
    expect(Object.keys(cache.Account!)).toHaveLength(1);
    expect(Object.keys(cache.RefreshToken!)).toHaveLength(1);
  });

  it('names the file and the fix when the cache cannot be written, before the sign-in starts (exit 1)', async () => {
    const notAFolder = join(cli.cacheDir, 'a-file');
    await writeFile(notAFolder, '');
    cli.entra.deviceUser = { pendingPolls: 0, outcome: 'approve' };
    const { code, stderr } = await cli.run(['login', '--cache-dir', notAFolder]);
    expect(code).toBe(EXIT.failure);
    expect(stderr).toMatch(
      new RegExp(`^The token cache ${notAFolder}/msal-cache.json cannot be written \\((EEXIST|ENOTDIR)\\)\\. Check the folder's permissions, or choose another folder with --cache-dir / FNAUTH_CACHE_DIR\\.\n$`),
    );
    expect(count('/oauth2/v2.0/devicecode')).toBe(0); // before the user is asked to do anything
  });

  it('ignores an unreadable cache file with a warning', async () => {
    await writeFile(cli.cacheFile, 'not json', { mode: 0o600 });
    const { code, stderr } = await cli.run(['whoami']);
    expect(code).toBe(EXIT.loginRequired);
    expect(stderr).toBe(
      `Warning: The token cache at ${cli.cacheFile} is not readable as a cache; it is ignored and will be replaced at the next sign-in.\n` +
        'You are not signed in. Run `fnauth login` first.\n',
    );
  });
});

describe('fnauth call', () => {
  it('sends the access token as a bearer token and prints the status and the JSON answer', async () => {
    await signIn();
    const { code, stdout, stderr } = await cli.run(['call']);
    expect(code).toBe(EXIT.ok);
    expect(stderr).toBe('HTTP 200 OK\n');
    expect(cli.apiCalls).toHaveLength(1);
    const [scheme, token] = cli.apiCalls[0]!.authorization!.split(' ');
    expect(scheme).toBe('Bearer');
    expect(cli.secrets.has(token!)).toBe(true); // the access token the tenant issued, from the cache
    const body = JSON.parse(stdout) as { claims: Record<string, unknown> };
    expect(stdout).toBe(`${JSON.stringify(body, null, 2)}\n`);
    // Verified by the app's own bearer check: issuer, audience, signature, scope.
    expect(body.claims).toMatchObject({ aud: cli.entra.clientId, scp: 'access_as_user', azp: cli.entra.publicClientId, oid: DEFAULT_USERS[0]!.oid });
    expect(count('/oauth2/v2.0/token')).toBe(0);
  });

  it('exits 8 with the problem detail when the API answers non-2xx', async () => {
    await signIn();
    const { code, stdout, stderr } = await cli.run(['call', '/api/admin']);
    expect(code).toBe(EXIT.apiError);
    expect(stderr).toBe(
      'HTTP 403 Forbidden\nThe API answered 403 (Forbidden): The access token does not grant the "admin" scope this API requires. [insufficient_scope]\n',
    );
    expect(JSON.parse(stdout)).toMatchObject({ status: 403, code: 'insufficient_scope' });
  });

  it('uses --api, and refuses paths that would send the token elsewhere (exit 2, no request)', async () => {
    await signIn();
    cli.msw.use(http.get('https://app.example.net/base/api/claims', () => HttpResponse.json({ ok: true })));
    const other = await cli.run(['call', '/api/claims', '--api', 'https://app.example.net/base/']);
    expect(other.code).toBe(EXIT.ok);
    expect(JSON.parse(other.stdout)).toEqual({ ok: true });

    for (const path of ['//evil.example/steal', 'https://evil.example/steal', 'api/claims']) {
      const { code, stderr } = await cli.run(['call', path]);
      expect(code).toBe(EXIT.usage);
      expect(stderr).toContain('The path must start with a single "/"');
    }
    expect(cli.apiCalls).toEqual([]);
    expect(count('/oauth2/v2.0/token')).toBe(0);
  });

  it('exits 7 when the API cannot be reached', async () => {
    await signIn();
    cli.msw.use(http.get('http://localhost:7071/api/claims', () => HttpResponse.error()));
    const { code, stderr } = await cli.run(['call']);
    expect(code).toBe(EXIT.network);
    expect(stderr).toBe('The API at http://localhost:7071 cannot be reached. Is it running (npm run dev, or func start), and is --api / API_BASE_URL right?\n');
  });
});

describe('fnauth logout', () => {
  it('removes the account and the file, after which whoami needs a login', async () => {
    await signIn();
    const { code, stdout } = await cli.run(['logout']);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toBe(`Signed out Alice Example (alice@example.com).\nRemoved the token cache ${cli.cacheFile}.\n`);
    await expect(stat(cli.cacheFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(cli.entra.requests).toEqual([]); // offline: no discovery either
    expect((await cli.run(['whoami'])).code).toBe(EXIT.loginRequired);
  });

  it('keeps other tenants’ accounts and the file', async () => {
    await signIn();
    const other = { ...cli.env, TENANT_SUBDOMAIN: 'fabrikam' };
    const { code, stdout } = await cli.run(['logout'], { env: other });
    expect(code).toBe(EXIT.ok);
    expect(stdout).toBe('No one is signed in to fabrikam.ciamlogin.com on this device.\n');
    expect((await stat(cli.cacheFile)).isFile()).toBe(true);
    expect((await cli.run(['whoami'])).code).toBe(EXIT.ok);
  });

  it('needs no scope', async () => {
    const { code } = await cli.run(['logout'], { env: { ...cli.env, API_SCOPE: undefined } });
    expect(code).toBe(EXIT.ok);
  });
});

describe('secrets', () => {
  it('never prints a token, a device code or a refresh token', async () => {
    cli.entra.accessTokenLifetime = 60; // so that whoami and call refresh too
    cli.secrets.clear();
    const outputs: string[] = [];
    for (const argv of [['login'], ['whoami'], ['call'], ['call', '/api/admin'], ['logout'], ['whoami']]) {
      const { stdout, stderr } = await cli.run(argv, { tty: true });
      outputs.push(stdout, stderr);
    }
    const kinds = [...cli.secrets].map((secret) => secret.slice(0, 3));
    expect(kinds).toEqual(expect.arrayContaining(['dc-', 'rt-', 'eyJ']));
    const all = outputs.join('\n');
    for (const secret of cli.secrets) {
      expect(all).not.toContain(secret);
      // Nor any JWT part (an ID token's signature or payload on its own).
      for (const part of secret.split('.').filter((piece) => piece.length > 20)) expect(all).not.toContain(part);
    }
  });
});
