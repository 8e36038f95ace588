import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS, type TokenTamper } from '../helpers/fake-entra';
import { CookieJar } from '../helpers/functions';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

async function startLogin(browser = new CookieJar()) {
  const login = await browser.invoke(app.fn.login, '/api/login');
  return { browser, login, callback: app.entra.authorize(login.location!, DEFAULT_USERS[0]) };
}

function expectRefusedPage(result: { status: number; headers: Record<string, string>; body: string; cookies: unknown[] }, code: string) {
  expect(result.status).toBeGreaterThanOrEqual(400);
  expect(result.status).toBeLessThan(500);
  expect(result.headers['content-type']).toContain('text/html');
  expect(result.body).toContain(code);
  expect(result.body).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  expect(result.cookies.find((cookie) => (cookie as { name: string }).name === 'fnauth')).toBeUndefined();
}

describe('the redirect callback refuses', () => {
  it('a state that does not match the transaction', async () => {
    const { browser, callback } = await startLogin();
    const forged = new URL(callback);
    forged.searchParams.set('state', 'A'.repeat(43));
    expectRefusedPage(await browser.invoke(app.fn.redirect, forged.href), 'transaction_missing');
  });

  it('a callback without the transaction cookie (login CSRF: another browser started it)', async () => {
    const { callback } = await startLogin();
    expectRefusedPage(await new CookieJar().invoke(app.fn.redirect, callback), 'transaction_missing');
  });

  it("someone else's state with my transaction cookie", async () => {
    const mine = await startLogin();
    const theirs = await startLogin();
    const swapped = new URL(theirs.callback);
    // My browser holds only my transaction: their state finds nothing here.
    expectRefusedPage(await mine.browser.invoke(app.fn.redirect, swapped.href), 'transaction_missing');
  });

  it('a replayed callback, even with a copied transaction cookie', async () => {
    const { browser, callback } = await startLogin();
    const copied = browser.header();
    expect((await browser.invoke(app.fn.redirect, callback)).status).toBe(302);
    const replay = await new CookieJar().invoke(app.fn.redirect, callback, { headers: { cookie: copied } });
    expectRefusedPage(replay, 'code_redemption_failed');
  });

  it('a reused transaction with a fresh code is refused by our store (usable once)', async () => {
    const { browser, login, callback } = await startLogin();
    const copied = browser.header();
    expect((await browser.invoke(app.fn.redirect, callback)).status).toBe(302);
    const secondCode = app.entra.authorize(login.location!, DEFAULT_USERS[0]);
    const replay = await new CookieJar().invoke(app.fn.redirect, secondCode, { headers: { cookie: copied } });
    expectRefusedPage(replay, 'transaction_reused');
  });

  it('an expired transaction', async () => {
    const { browser, callback } = await startLogin();
    // A browser drops the cookie when its Max-Age runs out; a copy of it is refused by the server's own clock.
    const copied = browser.header(callback);
    const realNow = Date.now;
    Date.now = () => realNow() + 11 * 60 * 1000;
    try {
      expectRefusedPage(await browser.invoke(app.fn.redirect, callback, { headers: { cookie: copied } }), 'transaction_expired');
    } finally {
      Date.now = realNow;
    }
  });

  it('a missing code or state', async () => {
    const browser = new CookieJar();
    expectRefusedPage(await browser.invoke(app.fn.redirect, '/api/redirect'), 'invalid_request');
    expectRefusedPage(await browser.invoke(app.fn.redirect, '/api/redirect?code=abc'), 'invalid_request');
  });

  it('an error from Entra, shown as a page without echoing its description', async () => {
    const result = await new CookieJar().invoke(
      app.fn.redirect,
      '/api/redirect?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=x',
    );
    expectRefusedPage(result, 'access_denied');
    expect(result.body).not.toContain('<script>');
    const odd = await new CookieJar().invoke(app.fn.redirect, '/api/redirect?error=%3Cimg%20src%3Dx%3E');
    expect(odd.body).not.toContain('<img');
    expect(odd.body).toContain('unknown_error');
  });

  const idTokenAttacks: Array<[string, TokenTamper]> = [
    ['a bad signature', { foreignKey: true }],
    ['alg: none', { unsigned: true }],
    ['a wrong audience', { claims: (claims) => ({ ...claims, aud: 'someone-else' }) }],
    ['a wrong issuer', { claims: (claims) => ({ ...claims, iss: 'https://evil.example/v2.0' }) }],
    ['an expired token', { claims: (claims) => ({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 }) }],
  ];
  for (const [name, tamper] of idTokenAttacks) {
    it(`an ID token with ${name}, and stores nothing`, async () => {
      const { browser, callback } = await startLogin();
      app.entra.tamper = tamper;
      try {
        const result = await browser.invoke(app.fn.redirect, callback);
        expect(result.status).toBe(400);
        expect(result.body).toMatch(/invalid_id_token|code_redemption_failed/);
        expect(result.body).not.toContain('eyJ');
      } finally {
        app.entra.tamper = undefined;
      }
    });
  }

  it('an ID token whose nonce is not this sign-in\'s', async () => {
    const { browser, callback } = await startLogin();
    app.entra.tamper = { claims: (claims) => ({ ...claims, nonce: 'another-nonce' }) };
    try {
      const result = await browser.invoke(app.fn.redirect, callback);
      expectRefusedPage(result, 'invalid_id_token');
    } finally {
      app.entra.tamper = undefined;
    }
  });

  it('accepts tokens signed with a newly published key once the cached key set may be refreshed', async () => {
    await app.entra.rotateKeys();
    const { browser, callback } = await startLogin();
    // jose refetches the JWKS for an unknown kid at most every 30 s, so a flood of forged kids cannot hammer Entra.
    const realNow = Date.now;
    Date.now = () => realNow() + 31_000;
    try {
      expect((await browser.invoke(app.fn.redirect, callback)).status).toBe(302);
    } finally {
      Date.now = realNow;
    }
  });
});

describe('the login endpoint refuses open redirects', () => {
  const attacks = [
    '//evil.example',
    '/\\evil.example',
    'https://evil.example',
    '/%2f%2fevil.example',
    '/%09/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    'javascript:alert(1)',
    'https://localhost:7071@evil.example/',
  ];
  for (const attack of attacks) {
    it(`returnTo=${JSON.stringify(attack)}`, async () => {
      const result = await new CookieJar().invoke(app.fn.login, `/api/login?returnTo=${encodeURIComponent(attack)}`);
      expect(result.status).toBe(400);
      expect(result.location).toBeUndefined();
      expect(result.body).toContain('invalid_return_to');
    });
  }
});
