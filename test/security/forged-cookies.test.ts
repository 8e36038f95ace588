/**
 * Forged, tampered, replayed and misplaced cookies and callbacks, through the
 * real handlers. Every one must be refused with a 4xx (or, where the endpoint
 * serves anonymous callers, treated as no cookie at all), none may crash
 * (no 5xx), and none may affect the victim's own session.
 */
import { CompactEncrypt, exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTHeaderParameters } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRing } from '../../src/lib/keys';
import { COOKIE_SECRET, startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { CookieJar, invoke, SAME_ORIGIN, type InvokeResult } from '../helpers/functions';
import { SESSION_COOKIE, signIn, startSignIn } from '../helpers/sign-in-steps';

const OTHER_SECRET = 'an-attacker-chosen-secret-0123456789abcdef';
const sessionKeys = createKeyRing([COOKIE_SECRET], 'session');
const transactionKeys = createKeyRing([COOKIE_SECRET], 'transaction');
const otherSessionKeys = createKeyRing([OTHER_SECRET], 'session');
const otherTransactionKeys = createKeyRing([OTHER_SECRET], 'transaction');

const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

let app: AppUnderTest;
let victim: CookieJar;
let victimToken: string;
/** The victim's cookie claims: user key `u` and session secret `s`. */
let victim_: { u: string; s: string };
let entraJwk: JWK;

beforeAll(async () => {
  app = await startApp();
  victim = new CookieJar();
  await signIn(app, victim);
  victimToken = victim.cookies.get(SESSION_COOKIE)!;
  victim_ = JSON.parse(Buffer.from(victimToken.split('.')[1]!, 'base64url').toString()) as { u: string; s: string };
  const jwks = (await (await fetch(app.entra.metadata.jwks_uri)).json()) as { keys: JWK[] };
  entraJwk = jwks.keys[0]!;
});
afterAll(() => app.stop());

function expectNoCrash(result: InvokeResult) {
  expect(result.status, result.body.slice(0, 300)).toBeLessThan(500);
  expect(result.body).not.toMatch(/\bat .+:\d+:\d+/);
}

/** A session cookie value sent to every endpoint that reads it: refused everywhere, the victim untouched. */
async function expectSessionCookieRefused(cookieHeader: string) {
  for (const fn of [app.fn.claims, app.fn.me, app.fn.sessions]) {
    const result = await invoke(fn, `/api/${fn.route}`, { headers: { cookie: cookieHeader } });
    expectNoCrash(result);
    expect(result.status).toBe(401);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.json()).toMatchObject({ code: 'not_signed_in' });
  }
  const home = await invoke(app.fn.home, '/api/home', { headers: { cookie: cookieHeader } });
  expectNoCrash(home);
  expect(home.status).toBe(200);
  expect(home.body).toContain('id="signed-out"');
  // A forged cookie cannot sign anyone out either.
  const logout = await invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: { cookie: cookieHeader, ...SAME_ORIGIN } });
  expectNoCrash(logout);
  expect(logout.status).toBe(302);
  expect(new URL(logout.location!).searchParams.has('id_token_hint')).toBe(false);
  const still = await invoke(app.fn.claims, '/api/claims', { headers: { cookie: `${SESSION_COOKIE}=${victimToken}` } });
  expect(still.status).toBe(200);
}

const session = (value: string) => `${SESSION_COOKIE}=${value}`;

async function hs256(key: Uint8Array, header: Record<string, unknown>, claims: Record<string, unknown> = {}) {
  return new SignJWT({ u: victim_.u, s: victim_.s, ...claims })
    .setProtectedHeader({ alg: 'HS256', ...header } as JWTHeaderParameters)
    .setExpirationTime(inAnHour())
    .sign(key);
}

describe('forged session cookies are refused (401 on the API, signed-out page on home, no sign-out)', () => {
  it('the untouched victim cookie works (control)', async () => {
    expect((await invoke(app.fn.claims, '/api/claims', { headers: { cookie: session(victimToken) } })).status).toBe(200);
  });

  it('alg: none, with and without kid, with an empty or copied signature', async () => {
    const payload = b64({ u: victim_.u, s: victim_.s, exp: inAnHour() });
    const signature = victimToken.split('.')[2]!;
    for (const header of [{ alg: 'none' }, { alg: 'none', kid: sessionKeys.current.kid }, { alg: 'None', kid: sessionKeys.current.kid }, { alg: 'NONE' }]) {
      await expectSessionCookieRefused(session(`${b64(header)}.${payload}.`));
      await expectSessionCookieRefused(session(`${b64(header)}.${payload}.${signature}`));
      await expectSessionCookieRefused(session(`${b64(header)}.${payload}`));
    }
  });

  it('algorithm confusion: RS256 with our kid, an Entra-signed RS256 token, HS256 keyed with Entra\'s public key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const rs256 = await new SignJWT({ u: victim_.u, s: victim_.s })
      .setProtectedHeader({ alg: 'RS256', kid: sessionKeys.current.kid })
      .setExpirationTime(inAnHour())
      .sign(privateKey);
    await expectSessionCookieRefused(session(rs256));

    const entraSigned = await app.entra.accessToken(DEFAULT_USERS[0]!, { claims: (claims) => ({ ...claims, u: victim_.u, s: victim_.s }) });
    await expectSessionCookieRefused(session(entraSigned));

    const pem = await exportSPKI((await importJWK(entraJwk, 'RS256', { extractable: true })) as CryptoKey);
    for (const secret of [pem, JSON.stringify(entraJwk), entraJwk.n!]) {
      const confused = await hs256(new TextEncoder().encode(secret), { kid: entraJwk.kid });
      await expectSessionCookieRefused(session(confused));
      const confusedOurKid = await hs256(new TextEncoder().encode(secret), { kid: sessionKeys.current.kid });
      await expectSessionCookieRefused(session(confusedOurKid));
    }
  });

  it('kid pointing at the transaction key, or the transaction key under the session kid', async () => {
    await expectSessionCookieRefused(session(await hs256(transactionKeys.current.key, { kid: transactionKeys.current.kid })));
    await expectSessionCookieRefused(session(await hs256(transactionKeys.current.key, { kid: sessionKeys.current.kid })));
  });

  it('a wrong key, an unknown kid, no kid, and another algorithm with the right key', async () => {
    await expectSessionCookieRefused(session(await hs256(otherSessionKeys.current.key, { kid: sessionKeys.current.kid })));
    await expectSessionCookieRefused(session(await hs256(otherSessionKeys.current.key, { kid: otherSessionKeys.current.kid })));
    await expectSessionCookieRefused(session(await hs256(sessionKeys.current.key, { kid: 'unknown-kid-0001' })));
    await expectSessionCookieRefused(session(await hs256(sessionKeys.current.key, {})));
    await expectSessionCookieRefused(session(await hs256(sessionKeys.current.key, { kid: [sessionKeys.current.kid] })));
    const hs384 = await new SignJWT({ u: victim_.u, s: victim_.s })
      .setProtectedHeader({ alg: 'HS384', kid: sessionKeys.current.kid })
      .setExpirationTime(inAnHour())
      .sign(new Uint8Array([...sessionKeys.current.key, ...sessionKeys.current.key]));
    await expectSessionCookieRefused(session(hs384));
  });

  it('a tampered payload (someone else\'s user key or secret) keeping the victim\'s signature', async () => {
    const [header, , signature] = victimToken.split('.');
    const other = 'B'.repeat(43);
    await expectSessionCookieRefused(session(`${header}.${b64({ u: other, s: victim_.s, exp: inAnHour() })}.${signature}`));
    await expectSessionCookieRefused(session(`${header}.${b64({ u: victim_.u, s: other, exp: inAnHour() })}.${signature}`));
    await expectSessionCookieRefused(session(`${header}.${b64({ ...victim_, exp: inAnHour() + 86400 * 365 })}.${signature}`));
  });

  it('truncated tokens', async () => {
    const cuts = [
      victimToken.slice(0, -1),
      victimToken.slice(0, -10),
      victimToken.slice(0, victimToken.lastIndexOf('.')),
      victimToken.slice(0, victimToken.lastIndexOf('.') + 1),
      victimToken.slice(0, victimToken.indexOf('.')),
      victimToken.slice(1),
      '',
      '.',
      '..',
    ];
    for (const cut of cuts) await expectSessionCookieRefused(session(cut));
  });

  it('padded tokens and trailing junk', async () => {
    const forged = await hs256(otherSessionKeys.current.key, { kid: sessionKeys.current.kid });
    const padded = [
      `${victimToken}==`,
      `${victimToken}.`,
      `${victimToken}.x`,
      `${victimToken}%00`,
      `${victimToken}${'A'.repeat(64)}`,
      `=${victimToken}`,
      `${victimToken.replace('.', '=.')}`,
      `${victimToken.replace('.', '==.')}`,
      `"${victimToken}`,
      `${victimToken}\\`,
      `${forged}=`,
      `${forged}==`,
      `${forged.replace('.', '=.')}`,
      `${b64({ alg: 'none' })}=.${b64({ ...victim_, exp: inAnHour() })}==.`,
    ];
    for (const value of padded) await expectSessionCookieRefused(session(value));
  });

  it('one trailing "=" on a genuine token changes nothing an attacker could use (jose decodes it leniently)', async () => {
    // Observation, not a requirement: it reads as the same session or as none, and never as another one.
    const result = await invoke(app.fn.claims, '/api/claims', { headers: { cookie: session(`${victimToken}=`) } });
    expectNoCrash(result);
    expect([200, 401]).toContain(result.status);
  });

  it('oversized values (> 4 KB), even when validly signed', async () => {
    const big = await hs256(sessionKeys.current.key, { kid: sessionKeys.current.kid }, { pad: 'x'.repeat(5000) });
    expect(big.length).toBeGreaterThan(4096);
    await expectSessionCookieRefused(session(big));
    await expectSessionCookieRefused(session(`${victimToken}.${'A'.repeat(4200)}`));
    await expectSessionCookieRefused(session('A'.repeat(64 * 1024)));
  });

  it('duplicated cookie names, in every order, even when both copies are valid', async () => {
    const forged = await hs256(otherSessionKeys.current.key, { kid: sessionKeys.current.kid });
    await expectSessionCookieRefused(`${session(forged)}; ${session(victimToken)}`);
    await expectSessionCookieRefused(`${session(victimToken)}; ${session(forged)}`);
    await expectSessionCookieRefused(`${session(victimToken)}; ${session(victimToken)}`);
    await expectSessionCookieRefused(`${session(victimToken)}; other=1; ${session('')}`);
  });

  it('look-alike cookie names are not the session cookie', async () => {
    for (const name of ['FNAUTH', '__Host-fnauth', '__Secure-fnauth', 'fnauth-tx-', 'xfnauth', 'fnauth_']) {
      await expectSessionCookieRefused(`${name}=${victimToken}`);
    }
  });

  it('a validly signed cookie that expired, or names a session that does not exist, or the victim\'s session under another user key', async () => {
    const expired = await new SignJWT({ ...victim_ })
      .setProtectedHeader({ alg: 'HS256', kid: sessionKeys.current.kid })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(sessionKeys.current.key);
    await expectSessionCookieRefused(session(expired));
    await expectSessionCookieRefused(session(await hs256(sessionKeys.current.key, { kid: sessionKeys.current.kid }, { s: 'no-such-session-00000000000000000000000000' })));
    await expectSessionCookieRefused(session(await hs256(sessionKeys.current.key, { kid: sessionKeys.current.kid }, { u: 'another-users-key-000000000000000000000000' })));
  });

  it('a transaction cookie (JWE) presented as the session cookie', async () => {
    const jar = new CookieJar();
    await startSignIn(app, jar);
    const [, sealed] = [...jar.cookies].find(([name]) => name.startsWith('fnauth-tx-'))!;
    await expectSessionCookieRefused(session(sealed));
  });

  it('a session cookie replayed after logout', async () => {
    const jar = new CookieJar();
    await signIn(app, jar);
    const stolen = jar.header();
    expect((await invoke(app.fn.claims, '/api/claims', { headers: { cookie: stolen } })).status).toBe(200);
    expect((await jar.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: SAME_ORIGIN })).status).toBe(302);
    await expectSessionCookieRefused(stolen);
  });
});

describe('defence in depth: validly signed cookies with odd user keys or secrets (needs the cookie secret)', () => {
  const oddIds = ['../sessions', 'a/b', 'a#b', 'a?b=c', 'a\\b', '%2e%2e', ' ', '\u0000', 'x'.repeat(1500), '🙂', "'; DROP --"];
  it.each(oddIds.map((id) => [JSON.stringify(id).slice(0, 40), id]))('%s is not a session, and nothing crashes', async (_label, odd) => {
    for (const claims of [{ s: odd }, { u: odd }]) {
      const token = await hs256(sessionKeys.current.key, { kid: sessionKeys.current.kid }, claims);
      for (const fn of [app.fn.claims, app.fn.me, app.fn.home, app.fn.logout, app.fn.sessions]) {
        const result = await invoke(fn, `/api/${fn.route}`, { headers: { cookie: session(token), ...SAME_ORIGIN } });
        expectNoCrash(result);
      }
    }
  });
});

describe('bearer tokens with algorithm tricks are refused with 401 invalid_token', () => {
  it('alg none, HS256 keyed with Entra\'s public key, our session cookie, an RS256 token from a stranger', async () => {
    const claims = {
      iss: app.entra.issuer,
      aud: app.entra.clientId,
      sub: 'sub-x',
      scp: 'access_as_user',
      iat: Math.floor(Date.now() / 1000),
      exp: inAnHour(),
    };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const pem = await exportSPKI((await importJWK(entraJwk, 'RS256', { extractable: true })) as CryptoKey);
    const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: entraJwk.kid }).sign(new TextEncoder().encode(pem));
    const { privateKey } = await generateKeyPair('RS256');
    const stranger = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: entraJwk.kid }).sign(privateKey);
    for (const token of [none, confused, victimToken, stranger]) {
      for (const fn of [app.fn.claims, app.fn.me]) {
        const result = await invoke(fn, `/api/${fn.name}`, { headers: { authorization: `Bearer ${token}`, cookie: session(victimToken) } });
        expectNoCrash(result);
        // A bearer token, when sent, decides alone: the valid cookie next to it does not rescue it.
        expect(result.status).toBe(401);
        expect(result.json()).toMatchObject({ code: 'invalid_token' });
        expect(result.headers['www-authenticate']).toContain('invalid_token');
      }
    }
  });
});

describe('the sign-in callback refuses', () => {
  function expectRefused(result: InvokeResult, code?: string) {
    expectNoCrash(result);
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.headers['content-type']).toContain('text/html');
    if (code) expect(result.body).toContain(code);
    expect(result.cookies.find((cookie) => cookie.name === SESSION_COOKIE)).toBeUndefined();
    expect(result.body).not.toContain('eyJ');
  }

  it('a transaction cookie from another browser (login CSRF: the attacker\'s callback in the victim\'s browser)', async () => {
    const attacker = new CookieJar();
    const { callback } = await startSignIn(app, attacker, { user: DEFAULT_USERS[1] });
    const target = new CookieJar();
    await startSignIn(app, target); // the target has a sign-in of their own going on
    expectRefused(await target.invoke(app.fn.redirect, callback), 'transaction_missing');
    expect(target.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('a callback with someone else\'s state, and with someone else\'s code under my state', async () => {
    const mine = new CookieJar();
    const myStart = await startSignIn(app, mine);
    const theirs = await startSignIn(app, new CookieJar(), { user: DEFAULT_USERS[1] });
    expectRefused(await mine.invoke(app.fn.redirect, theirs.callback), 'transaction_missing');
    // Their code with my state: my PKCE verifier does not match their challenge.
    const swapped = new URL(myStart.callback);
    swapped.searchParams.set('code', new URL(theirs.callback).searchParams.get('code')!);
    expectRefused(await mine.invoke(app.fn.redirect, swapped.href), 'code_redemption_failed');
    expect(mine.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('my transaction cookie renamed to their state', async () => {
    const mine = new CookieJar();
    await startSignIn(app, mine);
    const theirs = await startSignIn(app, new CookieJar());
    const theirState = new URL(theirs.callback).searchParams.get('state')!;
    const [, sealed] = [...mine.cookies].find(([name]) => name.startsWith('fnauth-tx-'))!;
    const result = await invoke(app.fn.redirect, theirs.callback, { headers: { cookie: `fnauth-tx-${theirState}=${sealed}` } });
    expectRefused(result, 'state_mismatch');
  });

  it('a replayed authorization code, with the browser\'s cookies or copied ones', async () => {
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    const copied = jar.header();
    expect((await jar.invoke(app.fn.redirect, callback)).status).toBe(302);
    // Same browser: the transaction cookie is gone.
    expectRefused(await jar.invoke(app.fn.redirect, callback), 'transaction_missing');
    // Copied transaction cookie: Entra refuses the used code.
    expectRefused(await invoke(app.fn.redirect, callback, { headers: { cookie: copied } }), 'code_redemption_failed');
    // Many replays at once: none gets a session.
    const replays = await Promise.all(Array.from({ length: 10 }, () => invoke(app.fn.redirect, callback, { headers: { cookie: copied } })));
    for (const replay of replays) expectRefused(replay);
  });

  it('two concurrent callbacks of one sign-in produce one session at most', async () => {
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    const headers = { cookie: jar.header() };
    const results = await Promise.all([invoke(app.fn.redirect, callback, { headers }), invoke(app.fn.redirect, callback, { headers })]);
    for (const result of results) expectNoCrash(result);
    expect(results.filter((result) => result.status === 302)).toHaveLength(1);
  });

  it('forged, tampered, oversized and duplicated transaction cookies', async () => {
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    const state = new URL(callback).searchParams.get('state')!;
    const name = `fnauth-tx-${state}`;
    const sealed = jar.cookies.get(name)!;
    const plaintext = JSON.stringify({
      state,
      nonce: 'n'.repeat(43),
      codeVerifier: 'v'.repeat(43),
      returnTo: 'https://evil.example/',
      sessionId: 's'.repeat(43),
      createdAt: Math.floor(Date.now() / 1000),
    });
    const encrypt = (key: Uint8Array, header: Record<string, string>) =>
      new CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', ...header }).encrypt(key);
    const parts = sealed.split('.');
    const flipped = [...parts];
    flipped[3] = `${flipped[3]!.startsWith('A') ? 'B' : 'A'}${flipped[3]!.slice(1)}`;
    const forgeries = [
      await encrypt(otherTransactionKeys.current.key, { kid: transactionKeys.current.kid }),
      await encrypt(otherTransactionKeys.current.key, { kid: otherTransactionKeys.current.kid }),
      await encrypt(sessionKeys.current.key, { kid: sessionKeys.current.kid }),
      await new CompactEncrypt(new TextEncoder().encode(plaintext))
        .setProtectedHeader({ alg: 'dir', enc: 'A128GCM', kid: transactionKeys.current.kid })
        .encrypt(transactionKeys.current.key.slice(0, 16)),
      `${b64({ alg: 'none', kid: transactionKeys.current.kid })}.${b64(plaintext)}.`,
      await hs256(transactionKeys.current.key, { kid: transactionKeys.current.kid }, JSON.parse(plaintext) as Record<string, unknown>),
      flipped.join('.'),
      sealed.slice(0, -3),
      parts.slice(0, 4).join('.'),
      `${sealed}.`,
      `${sealed}${'A'.repeat(4200)}`,
      victimToken,
    ];
    for (const forged of forgeries) {
      expectRefused(await invoke(app.fn.redirect, callback, { headers: { cookie: `${name}=${forged}` } }));
    }
    expectRefused(await invoke(app.fn.redirect, callback, { headers: { cookie: `${name}=${sealed}; ${name}=${sealed}` } }), 'transaction_missing');
    // The genuine one still completes the sign-in afterwards: nothing above consumed it.
    const genuine = await jar.invoke(app.fn.redirect, callback);
    expect(genuine.status).toBe(302);
    expect(genuine.location).toBe('http://localhost:7071/api/claims');
  });

  it('malformed state and code parameters', async () => {
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    const code = new URL(callback).searchParams.get('code')!;
    const cases = [
      `/api/redirect?code=${code}&state=${'A'.repeat(42)}`,
      `/api/redirect?code=${code}&state=${'A'.repeat(44)}`,
      `/api/redirect?code=${code}&state=${encodeURIComponent('../'.repeat(15))}`,
      `/api/redirect?code=${code}&state=${encodeURIComponent('<script>alert(1)</script>')}`,
      `/api/redirect?code=${'c'.repeat(5000)}&state=${new URL(callback).searchParams.get('state')}`,
      `/api/redirect?code=&state=`,
      `/api/redirect?state=${new URL(callback).searchParams.get('state')}`,
      `/api/redirect?code=${code}&code=${code}&state=x&state=y`,
    ];
    for (const url of cases) {
      const result = await jar.invoke(app.fn.redirect, url);
      expectRefused(result);
      expect(result.body).not.toContain('<script>');
    }
  });
});
