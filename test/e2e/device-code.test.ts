import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment } from '../../dev/cli-instructions';
import { DEMO_USERS, type LocalStack } from '../../dev/local-stack';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';

const ROOT = resolve(__dirname, '../..');
let e2e: E2eStack;
let stack: LocalStack;
let browser: Browser;
let cacheDir: string;

beforeAll(async () => {
  e2e = await startE2eStack();
  ({ stack, browser } = e2e);
  cacheDir = join(e2e.dataDir, 'cli-cache');
}, 120_000);

afterAll(() => e2e?.stop());

/** The CLI as users run it: its own process, with the environment `npm run dev` prints for it. */
function fnauth(args: string[], onStderr?: (text: string) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...cliEnvironment(stack), FNAUTH_CACHE_DIR: cacheDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    onStderr?.(stderr);
  });
  return new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
}

describe('a headless device signs in with the device code flow', () => {
  it('logs in through a browser on another device, then whoami, call /api/claims and call /api/me work silently', async () => {
    const alice = DEMO_USERS[0]!;
    let approving: Promise<void> | undefined;
    const login = fnauth(['login'], (stderr) => {
      const page = /open this page[^\n]*\n\s*\n\s*(https:\/\/\S+)/.exec(stderr)?.[1];
      const code = /enter the code:\s*\n\s*\n\s*(\S+)/.exec(stderr)?.[1];
      if (page && code && !approving) approving = approveInBrowser(page, code, alice.email, alice.password);
    });
    const result = await login;
    await approving;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(alice.email);

    const whoami = await fnauth(['whoami']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toContain(alice.email);

    const claims = await fnauth(['call', '/api/claims']);
    expect(claims.code, claims.stderr).toBe(0);
    const body = JSON.parse(claims.stdout) as { claims: Record<string, unknown>; session: { authenticatedWith: string } };
    expect(body.claims).toMatchObject({ preferred_username: alice.email, scp: 'access_as_user' });
    expect(body.session.authenticatedWith).toBe('bearer');

    // The app trades the CLI's token for a Graph token at the local provider (on-behalf-of) and calls its /me.
    const me = await fnauth(['call', '/api/me']);
    expect(me.code, me.stderr).toBe(0);
    expect(JSON.parse(me.stdout)).toMatchObject({ id: alice.oid, displayName: alice.displayName, mail: alice.email });

    const logout = await fnauth(['logout']);
    expect(logout.code).toBe(0);
    const after = await fnauth(['whoami']);
    expect(after.code).toBe(3);
  }, 90_000);
});

async function approveInBrowser(page: string, userCode: string, email: string, password: string): Promise<void> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const tab = await context.newPage();
  await tab.goto(page);
  await tab.locator('#user_code').fill(userCode);
  await tab.locator('#device-code-submit').click();
  await tab.locator('#device-confirm').click();
  await tab.locator('#email').fill(email);
  await tab.locator('#password').fill(password);
  await tab.locator('#signin-submit').click();
  await tab.locator('#device-success').waitFor();
  await context.close();
}
