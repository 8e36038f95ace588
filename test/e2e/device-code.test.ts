import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type LocalStack } from '../../dev/local-stack';
import { approveDeviceCodeInBrowser } from '../helpers/browser-flows';
import { fnauthCommand } from '../helpers/fnauth';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';

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
  const { command, args: argv, cwd, env } = fnauthCommand(stack, cacheDir, args);
  const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (page && code && !approving) approving = approveDeviceCodeInBrowser(browser, page, code, alice);
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
