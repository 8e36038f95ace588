import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type LocalStack } from '../../dev/local-stack';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';

let e2e: E2eStack;
let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  e2e = await startE2eStack();
  ({ stack, browser } = e2e);
}, 120_000);

afterAll(() => e2e?.stop());

async function jsonAt(page: Page, url: string): Promise<{ status: number; body: Record<string, any> }> {
  const response = await page.goto(url);
  return { status: response!.status(), body: JSON.parse(await page.locator('body').innerText()) };
}

async function signInWithPassword(page: Page, email: string, password: string) {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('#signin-submit').click();
}

describe('in a real browser against the local stack', () => {
  const newUser = { email: `e2e-${Date.now()}@example.com`, name: 'Erin Endtoend', password: 'Sup3r-secret!' };

  it('signs up, shows the claims, calls the API, signs out, and signs in again', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();

    await page.goto(stack.urls.home);
    expect(await page.locator('#signed-out').count()).toBe(1);
    await page.locator('#sign-up').click();
    await page.locator('#signup-form').waitFor();
    await page.locator('#email').fill(newUser.email);
    await page.locator('#displayName').fill(newUser.name);
    await page.locator('#password').fill(newUser.password);
    await page.locator('#signup-submit').click();
    const code = await page.locator('#otp-display').innerText();
    await page.locator('#otp').fill(code.trim());
    await page.locator('#verify-submit').click();

    await page.waitForURL(stack.urls.home);
    expect(await page.locator('#signed-in').innerText()).toContain(newUser.name);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/signed-in.png', fullPage: true });

    const claims = await jsonAt(page, `${stack.urls.functions}/claims`);
    expect(claims.status).toBe(200);
    expect(claims.body.claims).toMatchObject({ email: newUser.email, name: newUser.name, ver: '2.0' });
    expect(claims.body.claims.oid).toBeTruthy();

    const me = await jsonAt(page, `${stack.urls.functions}/me`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ mail: newUser.email, displayName: newUser.name });

    await page.goto(stack.urls.home);
    await page.locator('#sign-out').click();
    await page.waitForURL(stack.urls.home);
    expect(await page.locator('#signed-out').count()).toBe(1);
    const afterSignOut = await jsonAt(page, `${stack.urls.functions}/claims`);
    expect(afterSignOut.status).toBe(401);
    expect(afterSignOut.body).toMatchObject({ code: 'not_signed_in' });

    await page.goto(stack.urls.login);
    await signInWithPassword(page, newUser.email, newUser.password);
    await page.waitForURL(`${stack.urls.functions}/claims`);
    const again = JSON.parse(await page.locator('body').innerText());
    expect(again.claims.email).toBe(newUser.email);
    await context.close();
  }, 90_000);

  it('keeps two browsers apart: each sees only its own claims', async () => {
    const [first, second] = [DEMO_USERS[0]!, DEMO_USERS[1]!];
    const contexts = await Promise.all([browser.newContext({ ignoreHTTPSErrors: true }), browser.newContext({ ignoreHTTPSErrors: true })]);
    const pages = await Promise.all(contexts.map((context) => context.newPage()));
    for (const [page, user] of [[pages[0]!, first], [pages[1]!, second]] as const) {
      await page.goto(stack.urls.login);
      await signInWithPassword(page, user.email, user.password);
      await page.waitForURL(`${stack.urls.functions}/claims`);
    }
    const [a, b] = await Promise.all(pages.map((page) => jsonAt(page, `${stack.urls.functions}/claims`)));
    expect(a!.body.claims.email).toBe(first.email);
    expect(b!.body.claims.email).toBe(second.email);
    await Promise.all(contexts.map((context) => context.close()));
  }, 60_000);
});
