/**
 * The pages as a person sees them, in Chromium with JavaScript turned off: the shared layout (the
 * app's own stylesheet, the app's name in header and footer), the start page signed out and signed
 * in (the claims table, the sessions), error pages with a way home, the local provider under the
 * same name with a way back after Back, and the CLI's sign-in in a terminal. It saves the README's pictures on the way (see
 * `test/helpers/screenshots.ts`; `npm run screenshots` writes them to docs/images).
 */
import { join } from 'node:path';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type LocalStack } from '../../dev/local-stack';
import { approveDeviceCodeInBrowser } from '../helpers/browser-flows';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';
import { fnauthCommand } from '../helpers/fnauth';
import { screenshotPath } from '../helpers/screenshots';
import { runInTerminal, screenText, terminalPage } from '../helpers/terminal';

const APP_NAME = 'Contoso Notes';
const VIEWPORT = { width: 1000, height: 720 };

let e2e: E2eStack;
let stack: LocalStack;
let context: BrowserContext;
let page: Page;
/** The callback that signed the new user in: replayed later, it must say the user is already signed in. */
let callback: string | undefined;

beforeAll(async () => {
  e2e = await startE2eStack({ settings: { APP_NAME } });
  stack = e2e.stack;
  context = await e2e.browser.newContext({ ignoreHTTPSErrors: true, javaScriptEnabled: false, viewport: VIEWPORT });
  page = await context.newPage();
}, 120_000);

afterAll(() => e2e?.stop());

/** What every page of the app has: the stylesheet (applied), the app's name in header, footer and title, no script. */
async function expectAppLayout(response: Response | null) {
  expect(response).not.toBeNull();
  const policy = response!.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("style-src 'self'");
  expect(policy).not.toContain('unsafe-inline');
  expect(policy).not.toContain('script-src');
  expect(await page.locator('#app-name').innerText()).toBe(APP_NAME);
  expect(await page.locator('#app-name').getAttribute('href')).toBe('/api/home');
  expect(await page.locator('#footer-app-name').innerText()).toBe(APP_NAME);
  expect(await page.title()).toMatch(new RegExp(` · ${APP_NAME}$`));
  const stylesheet = await page.locator('link[rel=stylesheet]').getAttribute('href');
  expect(stylesheet).toMatch(/^\/api\/style\?v=[\w-]{16}$/);
  // Applied, not just linked: the browser's default would be a serif font on white.
  expect(await page.evaluate('getComputedStyle(document.body).fontFamily')).toContain('system-ui');
  expect(await page.locator('script, [style]').count()).toBe(0);
}

/** The `href`s of every link and the actions of every form in the page's main part. */
async function destinations(): Promise<string[]> {
  const links = await page.locator('main a').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href') ?? ''));
  const forms = await page.locator('main form').evaluateAll((forms) => forms.map((form) => form.getAttribute('action') ?? ''));
  return [...links, ...forms];
}

describe('the pages, without JavaScript', () => {
  const newUser = { email: 'dana@example.com', name: 'Dana Example', password: 'Sup3r-secret!' };

  it('signed out, the start page offers Sign in and Sign up, and nothing that would answer 401', async () => {
    const response = await page.goto(stack.urls.home);
    expect(response?.status()).toBe(200);
    await expectAppLayout(response);
    expect(await page.locator('#signed-out').count()).toBe(1);
    expect(await page.locator('main').innerText()).not.toContain('Microsoft Entra');
    expect(await destinations()).toEqual(['/api/login?returnTo=%2Fapi%2Fhome', '/api/login?prompt=create&returnTo=%2Fapi%2Fhome']);
    expect(await page.locator('#sign-in').innerText()).toBe('Sign in');
    expect(await page.locator('#sign-up').innerText()).toBe('Sign up');
    await page.screenshot({ path: screenshotPath('home-signed-out') });
  });

  it('signs up at the local provider, which names the same app', async () => {
    await page.locator('#sign-up').click();
    await page.locator('#signup-form').waitFor();
    expect(await page.locator('#client-name').innerText()).toBe(`to continue to ${APP_NAME}`);
    await page.locator('#email').fill(newUser.email);
    await page.locator('#displayName').fill(newUser.name);
    await page.locator('#password').fill(newUser.password);
    await page.screenshot({ path: screenshotPath('provider-sign-up') });
    page.on('request', (request) => {
      if (request.url().startsWith(`${stack.urls.functions}/redirect?`)) callback ??= request.url();
    });
    await page.locator('#signup-submit').click();
    const code = await page.locator('#otp-display').innerText();
    await page.locator('#otp').fill(code.trim());
    await page.locator('#verify-submit').click();
    await page.waitForURL(stack.urls.home);
  });

  it('signed in, the start page greets the user and shows the claims table, the sessions, the API call and sign-out', async () => {
    const response = await page.reload();
    await expectAppLayout(response);
    expect(await page.locator('#signed-in').innerText()).toBe(`Hello, ${newUser.name}`);
    expect(await page.locator('#header-user').innerText()).toBe(newUser.name);

    const rows: Record<string, string> = {};
    for (const row of await page.locator('#claims-table tbody tr').all()) {
      rows[(await row.getAttribute('data-claim'))!] = await row.locator('td.value').innerText();
    }
    expect(rows).toMatchObject({ name: newUser.name, email: newUser.email, ver: '2.0', aud: stack.settings.CLIENT_ID });
    expect(rows.oid).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows.exp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC \(\d+\)$/);
    expect(await page.locator('#claims-table th').allInnerTexts()).toEqual(['CLAIM', 'VALUE', 'MEANING']);

    expect(await page.locator('#sessions tbody tr[data-session-id]').count()).toBe(1);
    expect(await page.locator('#current-session').innerText()).toContain('This device');
    expect(await destinations()).toEqual(expect.arrayContaining(['/api/claims', '/api/me', '/api/sessions', '/api/logout', '/api/home']));
    await page.screenshot({ path: screenshotPath('home-signed-in'), fullPage: true });

    // The JSON is one click away, and says the same.
    await page.locator('#claims').click();
    const json = JSON.parse(await page.locator('body').innerText()) as { claims: Record<string, unknown> };
    expect(json.claims).toMatchObject({ name: newUser.name, email: newUser.email, oid: rows.oid });
    await page.goBack();
  });

  it('a replayed sign-in response tells the signed-in user so, in plain words, with a way on', async () => {
    expect(callback).toBeDefined();
    const response = await page.goto(callback!);
    expect(response?.status()).toBe(400);
    await expectAppLayout(response);
    expect(await page.locator('#error-title').innerText()).toBe('You are already signed in');
    expect(await page.locator('#already-signed-in').innerText()).toContain(`You are already signed in as ${newUser.name}.`);
    expect(await page.locator('#sign-in-again').count()).toBe(0);
    expect(await page.locator('#back-home').getAttribute('href')).toBe('/api/home');
    await page.screenshot({ path: screenshotPath('error-already-signed-in') });
    await page.locator('#back-home').click();
    expect(await page.locator('#signed-in').innerText()).toBe(`Hello, ${newUser.name}`);
  });

  it('Back after signing in reaches the finished sign-in page, which leads back to the app', async () => {
    const alice = DEMO_USERS[0]!;
    const other = await e2e.browser.newContext({ ignoreHTTPSErrors: true, javaScriptEnabled: false, viewport: VIEWPORT });
    const tab = await other.newPage();
    await tab.goto(stack.urls.home);
    await tab.locator('#sign-in').click();
    await tab.locator('#email').fill(alice.email);
    await tab.locator('#password').fill(alice.password);
    await tab.locator('#signin-submit').click();
    await tab.waitForURL(stack.urls.home);

    await tab.goBack();
    expect(new URL(tab.url()).origin).toBe(stack.provider.origin);
    expect(await tab.locator('#error-title').innerText()).toBe('Sorry, something went wrong');
    const back = tab.locator('#back-to-app');
    expect(await back.innerText()).toBe(`Back to ${APP_NAME}`);
    await back.click();
    await tab.waitForURL(stack.urls.home);
    expect(await tab.locator('#signed-in').innerText()).toBe(`Hello, ${alice.displayName}`);
    await other.close();
  });

  it("signs out: the provider's pages offer buttons where script would go on by itself", async () => {
    await page.goto(stack.urls.home);
    await page.locator('#sign-out').click();
    await page.locator('#signout-submit').click();
    await page.locator('#signout-continue').click();
    await page.waitForURL(stack.urls.home);
    expect(await page.locator('#signed-out').count()).toBe(1);
  });

  it('every error page is in the layout, says what happened and leads home; sign-in errors offer Sign in again', async () => {
    const cases = [
      { path: '/login?returnTo=%2F%2Fevil.example', title: 'This link does not work', signInAgain: false },
      { path: '/login?prompt=bogus', title: 'This link does not work', signInAgain: false },
      { path: '/redirect?state=not-a-sign-in&code=x', title: 'We could not sign you in', signInAgain: true },
    ];
    for (const { path, title, signInAgain } of cases) {
      const response = await page.goto(`${stack.urls.functions}${path}`);
      expect(response?.status(), path).toBe(400);
      await expectAppLayout(response);
      expect(await page.locator('body').getAttribute('data-page')).toBe('error');
      expect(await page.locator('#error-title').innerText()).toBe(title);
      expect(await page.locator('#error-detail').innerText()).not.toBe('');
      expect(await page.locator('#back-home').getAttribute('href')).toBe('/api/home');
      expect(await page.locator('#sign-in-again').count()).toBe(signInAgain ? 1 : 0);
    }
  });
});

describe('the CLI in a terminal', () => {
  it('signs in with the device code flow; the terminal is saved as a picture', async () => {
    const alice = DEMO_USERS[0]!;
    const cli = fnauthCommand(stack, join(e2e.dataDir, 'cli-cache'), ['login']);
    let approving: Promise<void> | undefined;
    const run = await runInTerminal(cli.command, cli.args, {
      cwd: cli.cwd,
      // A colour terminal, as most people's: the CLI draws the QR code only there.
      env: { ...cli.env, TERM: 'xterm-256color', NO_COLOR: undefined },
      onOutput: (transcript) => {
        const text = screenText(transcript);
        const verificationPage = /open this page[^\n]*\n\s*\n\s*(https:\/\/\S+)/.exec(text)?.[1];
        const code = /enter the code:\s*\n\s*\n\s*(\S+)/.exec(text)?.[1];
        if (verificationPage && code && !approving) approving = approveDeviceCodeInBrowser(e2e.browser, verificationPage, code, alice);
      },
    });
    await approving;
    expect(run.code, run.transcript).toBe(0);
    expect(screenText(run.transcript)).toContain(`Signed in as ${alice.displayName} (${alice.email}).`);

    const terminal = await context.newPage();
    await terminal.setContent(terminalPage({ command: 'fnauth login', transcript: run.transcript, title: 'fnauth login' }));
    expect(await terminal.locator('pre').innerText()).toContain(`Signed in as ${alice.displayName} (${alice.email}).`);
    await terminal.locator('#terminal').screenshot({ path: screenshotPath('cli-login') });
    await terminal.close();
  }, 90_000);
});
