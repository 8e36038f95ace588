/**
 * GET /api/home through its registered function: the start page signed out
 * and signed in, under a policy that loads nothing from elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_SECURITY_POLICY } from '../../src/lib/pages';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { CookieJar } from '../helpers/functions';
import { signIn } from '../helpers/sign-in-steps';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

const links = (body: string) => Object.fromEntries([...body.matchAll(/<a id="([^"]+)" href="([^"]+)"/g)].map(([, id, href]) => [id, href!.replaceAll('&#38;', '&')]));

describe('GET /api/home', () => {
  it('offers sign-in and sign-up, each coming back here, to a browser without a session', async () => {
    const result = await new CookieJar().invoke(app.fn.home, '/api/home');
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.headers['content-security-policy']).toBe(PAGE_SECURITY_POLICY);
    expect(result.body).toContain('id="signed-out"');
    expect(links(result.body)).toMatchObject({
      'sign-in': '/api/login?returnTo=%2Fapi%2Fhome',
      'sign-up': '/api/login?prompt=create&returnTo=%2Fapi%2Fhome',
    });
  });

  it('names the signed-in user and offers claims, the API and sign-out', async () => {
    const browser = new CookieJar();
    await signIn(app, browser);
    const result = await browser.invoke(app.fn.home, '/api/home');
    expect(result.status).toBe(200);
    expect(result.body).toContain('Signed in as <strong>Alice Example</strong> (alice@example.com)');
    expect(links(result.body)).toEqual({ claims: '/api/claims', 'call-api': '/api/me', 'sign-out': '/api/logout' });
  });
});
