/**
 * GET and POST /api/logout through its registered function: the session
 * ends here and the browser goes on to the tenant; another site's request
 * gets a confirmation page and ends nothing. Redirect attacks on the
 * post-logout target are in test/security/open-redirects.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { CookieJar } from '../helpers/functions';
import { signIn } from '../helpers/sign-in-steps';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

describe('/api/logout', () => {
  it.each(['GET', 'POST'])('%s ends the session, expires the cookie and goes to the tenant’s end-session endpoint', async (method) => {
    const browser = new CookieJar();
    await signIn(app, browser);
    const result = await browser.invoke(app.fn.logout, '/api/logout', { method });
    expect(result.status).toBe(302);
    const endSession = new URL(result.location!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(app.entra.metadata.end_session_endpoint);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe('http://localhost:7071/api/home');
    expect(result.cookies).toEqual([expect.objectContaining({ name: 'fnauth', value: '', maxAge: 0 })]);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
  });

  it('sends a browser without a session on to the tenant too', async () => {
    const result = await new CookieJar().invoke(app.fn.logout, '/api/logout');
    expect(result.status).toBe(302);
    expect(result.location).toContain(app.entra.metadata.end_session_endpoint);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
  ])('answers a request another site started (%s) with a confirmation page, and ends nothing', async (_, headers) => {
    const browser = new CookieJar();
    await signIn(app, browser);
    const result = await browser.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.body).toContain('<form method="post" action="/api/logout">');
    expect(result.cookies).toEqual([]);
    expect((await browser.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });
});
