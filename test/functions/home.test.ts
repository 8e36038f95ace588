/**
 * GET and POST /api/home through the real handler: the signed-in page lists
 * where the user is signed in and offers the three ways out; its own forms
 * end other sessions.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import type { FakeUser } from '../helpers/fake-entra';
import { CookieJar, SAME_ORIGIN, type InvokeResult } from '../helpers/functions';
import { signIn } from '../helpers/sign-in-steps';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

/** Each test signs in a user of its own, so the page lists only that test's sessions. */
let erin: FakeUser;
beforeEach(() => {
  erin = { oid: crypto.randomUUID(), name: 'Erin Homepage', email: 'erin@example.com' };
});

async function device(): Promise<CookieJar> {
  const jar = new CookieJar();
  await signIn(app, jar, { user: erin });
  return jar;
}

const tokenIn = (page: InvokeResult) => /name="token" value="([^"]+)"/.exec(page.body)![1]!;
const rows = (page: InvokeResult) => [...page.body.matchAll(/<tr data-session-id="([^"]+)"/g)].map((match) => match[1]!);

describe('the start page', () => {
  it('lists the user\'s sessions with a way to end each other one, and the three ways to sign out', async () => {
    const [laptop, phone] = [await device(), await device()];
    const page = await laptop.invoke(app.fn.home, '/api/home', { headers: SAME_ORIGIN });
    expect(page.status).toBe(200);
    expect(rows(page)).toHaveLength(2);
    expect(page.body).toContain('id="current-session"');
    expect(page.body).toContain('This device');
    for (const id of ['sign-out', 'sign-out-others', 'sign-out-everywhere']) expect(page.body).toContain(`id="${id}"`);
    expect(page.body).toMatch(/id="sign-out"[^>]*>Sign out</);
    expect(page.body).toContain('Sign out of all other devices');
    expect(page.body).toContain('Sign out everywhere');
    expect(page.headers['content-security-policy']).toContain(`form-action 'self' ${new URL(app.entra.metadata.end_session_endpoint).origin};`);
    const phonePage = await phone.invoke(app.fn.home, '/api/home', { headers: SAME_ORIGIN });
    expect(rows(phonePage).sort()).toEqual(rows(page).sort());
    expect(tokenIn(phonePage)).not.toBe(tokenIn(page));
  });

  it('ends one other session from its row, then shows the page again (303)', async () => {
    const [laptop, phone] = [await device(), await device()];
    const page = await laptop.invoke(app.fn.home, '/api/home', { headers: SAME_ORIGIN });
    const current = /<tr data-session-id="([^"]+)" id="current-session"/.exec(page.body)![1]!;
    const other = rows(page).find((id) => id !== current)!;
    const result = await laptop.invoke(app.fn.home, '/api/home', { form: { token: tokenIn(page), end: other }, headers: SAME_ORIGIN });
    expect(result.status).toBe(303);
    expect(result.location).toBe('http://localhost:7071/api/home');
    expect((await phone.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect(rows(await laptop.invoke(app.fn.home, '/api/home', { headers: SAME_ORIGIN }))).toEqual([current]);
  });

  it('signs out of all other devices, keeping this one', async () => {
    const [laptop, phone, tablet] = [await device(), await device(), await device()];
    const page = await laptop.invoke(app.fn.home, '/api/home', { headers: SAME_ORIGIN });
    // An older browser that sends no Sec-Fetch-Site or Origin: the page's own token carries the form.
    const result = await laptop.invoke(app.fn.home, '/api/home', { form: { token: tokenIn(page), end: 'others' } });
    expect(result.status).toBe(303);
    for (const jar of [phone, tablet]) expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect((await laptop.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });

  it('a form post from a signed-out browser changes nothing and shows the page', async () => {
    const result = await new CookieJar().invoke(app.fn.home, '/api/home', { form: { end: 'others' }, headers: SAME_ORIGIN });
    expect(result.status).toBe(303);
  });
});
