/**
 * GET /api/login through its registered function: where it sends the
 * browser, the transaction cookie it sets, and the requests it refuses.
 * The whole sign-in story is in sign-in-cycle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PENDING_TRANSACTIONS, TRANSACTION_LIFETIME_SECONDS } from '../../src/lib/transaction';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { CookieJar } from '../helpers/functions';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

describe('GET /api/login', () => {
  it('redirects to the tenant with PKCE, state and nonce, and seals them in a transaction cookie', async () => {
    const result = await new CookieJar().invoke(app.fn.login, '/api/login');
    expect(result.status).toBe(302);
    const authorize = new URL(result.location!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(app.entra.metadata.authorization_endpoint);
    const params = authorize.searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('redirect_uri')).toBe('http://localhost:7071/api/redirect');
    expect(result.cookies).toHaveLength(1);
    expect(result.cookies[0]).toMatchObject({ name: `fnauth-tx-${params.get('state')}`, httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(result.cookies[0]!.maxAge).toBe(TRANSACTION_LIFETIME_SECONDS);
    expect(result.cookies[0]!.value).not.toContain(params.get('nonce'));
    expect(result.headers['cache-control']).toBe('no-store');
  });

  it('passes prompt and login_hint on to the tenant', async () => {
    const result = await new CookieJar().invoke(app.fn.login, '/api/login?prompt=create&login_hint=new%40example.com');
    const params = new URL(result.location!).searchParams;
    expect(params.get('prompt')).toBe('create');
    expect(params.get('login_hint')).toBe('new@example.com');
  });

  it.each([
    ['an unknown prompt', '/api/login?prompt=consent', 'invalid_request', 'prompt must be one of'],
    ['a login_hint with a control character', '/api/login?login_hint=a%0Ab', 'invalid_request', 'login_hint must be'],
    ['a returnTo on another site', '/api/login?returnTo=https%3A%2F%2Fevil.example%2F', 'invalid_return_to', 'not allowed'],
  ])('answers %s with a 400 page and no cookie', async (_, url, code, words) => {
    const result = await new CookieJar().invoke(app.fn.login, url);
    expect(result.status).toBe(400);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.body).toContain(`Error code: ${code}`);
    expect(result.body).toContain(words);
    expect(result.cookies).toEqual([]);
  });

  it(`keeps at most ${MAX_PENDING_TRANSACTIONS} sign-ins pending in one browser, dropping the oldest`, async () => {
    const browser = new CookieJar();
    const started: string[] = [];
    for (let index = 0; index < MAX_PENDING_TRANSACTIONS + 2; index += 1) {
      const result = await browser.invoke(app.fn.login, '/api/login');
      started.push(new URL(result.location!).searchParams.get('state')!);
    }
    expect([...browser.cookies.keys()]).toEqual(started.slice(-MAX_PENDING_TRANSACTIONS).map((state) => `fnauth-tx-${state}`));
  });
});
