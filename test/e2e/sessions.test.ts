/**
 * Sessions in a real browser (Chromium) against the local stack: one user in
 * several browsers sees where she is signed in and ends the other ones, all
 * others, or everything; the tenant's sign-out ends the app's session
 * through front-channel logout; another site's sign-out request completes
 * only through the confirmation page (whose form then reaches the tenant);
 * an administrator's daemon ends a user's sessions; and Bob can never touch
 * Alice's sessions.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type LocalStack } from '../../dev/local-stack';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';
import { httpRequest } from '../../dev/http-form-driver';

let e2e: E2eStack;
let stack: LocalStack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  e2e = await startE2eStack();
  ({ stack, browser } = e2e);
}, 120_000);

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  await e2e?.stop();
});

const [ALICE, BOB] = [DEMO_USERS[0]!, DEMO_USERS[1]!];

interface Listed {
  id: string;
  device: string;
  current: boolean;
}

/** A fresh browser (its own cookies: another device) with one page. */
async function newBrowser(): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  contexts.push(context);
  return context.newPage();
}

/** Signs in through the provider's pages; lands on the start page. */
async function signIn(page: Page, user: { email: string; password: string }, prompt = 'login'): Promise<void> {
  await page.goto(`${stack.urls.login}?returnTo=%2Fapi%2Fhome&prompt=${prompt}`);
  await page.locator('#email').fill(user.email);
  await page.locator('#password').fill(user.password);
  await page.locator('#signin-submit').click();
  await page.waitForURL(stack.urls.home);
}

/**
 * What the browser gets from an API route: a same-origin fetch with its cookies, as the app's own
 * script would send it. It runs on a JSON answer of the app, which has no page policy forbidding
 * scripts to connect (the app's HTML pages allow none).
 */
async function call(page: Page, path: string, method = 'GET'): Promise<{ status: number; body: Record<string, any> }> {
  await page.goto(`${stack.urls.functions}/claims`);
  return page.evaluate(
    async ({ url, method }) => {
      const response = await fetch(url, { method, credentials: 'same-origin' });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : {} };
    },
    { url: `${stack.urls.functions}${path}`, method },
  );
}

const signedIn = async (page: Page) => (await call(page, '/claims')).status === 200;
const listed = async (page: Page) => (await call(page, '/sessions')).body.sessions as Listed[];

describe('sessions in Chromium', () => {
  it('two browsers as one user: both are listed, and one ends the other from the start page', async () => {
    const [laptop, phone] = [await newBrowser(), await newBrowser()];
    await signIn(laptop, ALICE);
    await signIn(phone, ALICE);
    const fromLaptop = await listed(laptop);
    expect(fromLaptop).toHaveLength(2);
    expect(fromLaptop.filter((entry) => entry.current)).toHaveLength(1);
    expect(fromLaptop[0]!.device).toBe('Chrome on Linux');
    const phoneId = (await listed(phone)).find((entry) => entry.current)!.id;

    await laptop.goto(stack.urls.home);
    expect(await laptop.locator('#sessions tr[data-session-id]').count()).toBe(2);
    await laptop.locator(`#end-${phoneId}`).click();
    await laptop.waitForURL(stack.urls.home);
    expect(await laptop.locator('#sessions tr[data-session-id]').count()).toBe(1);
    expect(await signedIn(phone)).toBe(false);
    expect(await signedIn(laptop)).toBe(true);
    await call(laptop, '/sessions?include=current', 'DELETE');
  }, 90_000);

  it('signs out of all other devices, keeping this one', async () => {
    const browsers = [await newBrowser(), await newBrowser(), await newBrowser()];
    for (const page of browsers) await signIn(page, ALICE);
    const [here, ...others] = browsers;
    await here!.goto(stack.urls.home);
    await here!.locator('#sign-out-others').click();
    await here!.waitForURL(stack.urls.home);
    expect(await here!.locator('#sessions tr[data-session-id]').count()).toBe(1);
    for (const page of others) expect(await signedIn(page)).toBe(false);
    expect(await signedIn(here!)).toBe(true);
    await call(here!, '/sessions?include=current', 'DELETE');
  }, 90_000);

  it('signs out everywhere: every session here, then the tenant (the next sign-in asks for the password again)', async () => {
    const [laptop, phone] = [await newBrowser(), await newBrowser()];
    await signIn(laptop, ALICE);
    await signIn(phone, ALICE);
    const violations: string[] = [];
    laptop.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await laptop.goto(stack.urls.home);
    await laptop.locator('#sign-out-everywhere').click();
    await laptop.waitForURL(stack.urls.home);
    expect(await laptop.locator('#signed-out').count()).toBe(1);
    expect(violations, violations.join('\n')).toEqual([]);
    expect(await signedIn(laptop)).toBe(false);
    expect(await signedIn(phone)).toBe(false);
    // The tenant session ended too: without prompt=login the provider still asks.
    await laptop.goto(`${stack.urls.login}?returnTo=%2Fapi%2Fhome`);
    await laptop.locator('#signin-form').waitFor();
  }, 90_000);

  it('front-channel logout: signing out at the tenant ends the app session in that browser (hidden iframe, no cookie)', async () => {
    const [page, elsewhere] = [await newBrowser(), await newBrowser()];
    await signIn(page, ALICE);
    await signIn(elsewhere, ALICE);
    const framed: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${stack.urls.functions}/logout/frontchannel`)) framed.push(request.url());
    });
    // The user signs out at the tenant itself (another app of the tenant could send them there).
    await page.goto(`${stack.urls.authority}oauth2/v2.0/logout`);
    await page.locator('#signout-frontchannel, #signed-out').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(framed).toHaveLength(1);
    expect(new URL(framed[0]!).searchParams.get('sid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await signedIn(page)).toBe(false);
    // Another browser is another tenant session: it stays.
    expect(await signedIn(elsewhere)).toBe(true);
    await call(elsewhere, '/sessions?include=current', 'DELETE');
  }, 90_000);

  it('a sign-out another site starts completes only through the confirmation page, and then reaches the tenant', async () => {
    const page = await newBrowser();
    await signIn(page, ALICE);
    // A page on another site (127.0.0.1 is another site than localhost) that posts a sign-out form on load.
    const target = `${stack.urls.functions}/logout`;
    const attacker: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<!doctype html><form id="f" method="post" action="${target}"><input name="everywhere" value="1"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      await page.locator('#confirm-sign-out').waitFor();
      expect(page.url()).toBe(target);
      expect(await signedIn(page)).toBe(true);

      await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      await page.locator('#confirm-sign-out').click();
      // The form posts to us, we redirect to the tenant's end-session endpoint, and it sends the browser home.
      await page.waitForURL(stack.urls.home);
      expect(violations).toEqual([]);
      expect(await signedIn(page)).toBe(false);
      await page.goto(`${stack.urls.login}?returnTo=%2Fapi%2Fhome`);
      await page.locator('#signin-form').waitFor();
    } finally {
      attacker.closeAllConnections();
      await new Promise<void>((resolve) => attacker.close(() => resolve()));
    }
  }, 90_000);

  it("an administrator's daemon ends every session of a user (client credentials with the app role)", async () => {
    const [laptop, phone, bob] = [await newBrowser(), await newBrowser(), await newBrowser()];
    await signIn(laptop, ALICE);
    await signIn(phone, ALICE);
    await signIn(bob, BOB);
    const oid = (await call(laptop, '/claims')).body.claims.oid as string;
    const token = await httpRequest(`${stack.urls.authority}oauth2/v2.0/token`, {
      ca: stack.provider.caCert,
      form: { grant_type: 'client_credentials', client_id: stack.adminClient.clientId, client_secret: stack.adminClient.clientSecret, scope: stack.adminClient.scope },
    });
    expect(token.status, token.body).toBe(200);
    const revoke = await fetch(`${stack.urls.functions}/users/${oid}/sessions`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${(JSON.parse(token.body) as { access_token: string }).access_token}` },
    });
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toMatchObject({ userId: oid, sessionsEnded: 2 });
    expect(await signedIn(laptop)).toBe(false);
    expect(await signedIn(phone)).toBe(false);
    expect(await signedIn(bob)).toBe(true);
    await call(bob, '/sessions?include=current', 'DELETE');
  }, 90_000);

  it("Bob can never touch Alice's sessions", async () => {
    const [alice, bob] = [await newBrowser(), await newBrowser()];
    await signIn(alice, ALICE);
    await signIn(bob, BOB);
    const aliceId = (await listed(alice)).find((entry) => entry.current)!.id;
    expect((await listed(bob)).map((entry) => entry.id)).not.toContain(aliceId);
    expect((await call(bob, `/sessions/${aliceId}`, 'DELETE')).status).toBe(404);
    // Bob's start page form, with Alice's id put in.
    await bob.goto(stack.urls.home);
    await bob.locator('form:has(#sign-out-others) input[name="end"]').evaluate((input, id) => {
      (input as unknown as { value: string }).value = id;
    }, aliceId);
    await bob.locator('#sign-out-others').click();
    await bob.waitForURL(stack.urls.home);
    expect((await call(bob, '/sessions', 'DELETE')).status).toBe(200);
    expect(await signedIn(alice)).toBe(true);
    expect((await listed(alice)).map((entry) => entry.id)).toContain(aliceId);
    // And Bob's sign-out everywhere is Bob's alone.
    await bob.goto(stack.urls.home);
    await bob.locator('#sign-out-everywhere').click();
    await bob.waitForURL(stack.urls.home);
    expect(await signedIn(bob)).toBe(false);
    expect(await signedIn(alice)).toBe(true);
  }, 90_000);
});
