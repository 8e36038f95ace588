import { SignJWT, UnsecuredJWT } from 'jose';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CookiePolicy, RequestCookies } from '../../../src/lib/cookie';
import { createKeyRing } from '../../../src/lib/keys';
import { SessionCookie, type SessionCredentials } from '../../../src/lib/session/cookie';
import { sessionIdOf } from '../../../src/lib/session/ids';

/** User keys and secrets are 43 characters of base64url, as the session module makes them. */
const USER = 'uA1d-Ex_ample0123456789abcdefghijklmnopqrst';
const SECRET = 'sA1d-Ex_ample0123456789abcdefghijklmnopqrst';
const CREDENTIALS: SessionCredentials = { userKey: USER, secret: SECRET };
const REF = { userKey: USER, id: sessionIdOf(SECRET) };
const other = (secret: string): SessionCredentials => ({ userKey: USER, secret: secret.padEnd(43, 'x').slice(0, 43) });
const refOf = (credentials: SessionCredentials) => ({ userKey: credentials.userKey, id: sessionIdOf(credentials.secret) });

const FIRST = 'first-cookie-secret-0123456789abcdefgh';
const SECOND = 'second-cookie-secret-0123456789abcdefg';
const now = () => Math.floor(Date.now() / 1000);
const inAnHour = () => now() + 3600;

const httpCookies = (secrets = [FIRST]) => new SessionCookie(createKeyRing(secrets, 'session'), new CookiePolicy(false));
const httpsCookies = (secrets = [FIRST]) => new SessionCookie(createKeyRing(secrets, 'session'), new CookiePolicy(true));

/** The `Cookie` request header a browser would send back. */
const header = (name: string, value: string) => `${name}=${value}`;

function flipChar(text: string, index: number): string {
  const at = index < 0 ? text.length + index : index;
  const replacement = text[at] === 'A' ? 'B' : 'A';
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

describe('SessionCookie', () => {
  it('reads back the session it issued: the user key, and the document id (the hash of the secret)', async () => {
    const cookies = httpCookies();
    const cookie = await cookies.issue(CREDENTIALS, inAnHour());
    expect(cookie.name).toBe('fnauth');
    expect(cookie.value.split('.')).toHaveLength(3);
    expect(await cookies.read(new RequestCookies(header(cookie.name, cookie.value)))).toEqual(REF);
    expect(await cookies.read(new RequestCookies(`other=1; ${header(cookie.name, cookie.value)}; more=2`))).toEqual(REF);
    expect(REF.id).not.toBe(SECRET);
  });

  it('keeps nothing about the user in the browser: only the user key, the secret and exp', async () => {
    const cookie = await httpCookies().issue(CREDENTIALS, inAnHour());
    const [protectedHeader, payload] = cookie.value.split('.').slice(0, 2).map((part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(Object.keys(payload).sort()).toEqual(['exp', 's', 'u']);
    expect(payload).toMatchObject({ u: USER, s: SECRET });
    expect(protectedHeader).toEqual({ alg: 'HS256', kid: createKeyRing([FIRST], 'session').current.kid });
  });

  it('returns undefined without a cookie', async () => {
    const cookies = httpCookies();
    expect(await cookies.read(new RequestCookies(null))).toBeUndefined();
    expect(await cookies.read(new RequestCookies(''))).toBeUndefined();
    expect(await cookies.read(new RequestCookies('fnauth-other=1; xfnauth=2'))).toBeUndefined();
  });

  it('refuses a tampered payload', async () => {
    const cookies = httpCookies();
    const { value } = await cookies.issue(CREDENTIALS, inAnHour());
    const [h, , s] = value.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ u: USER, s: other('someone-else').secret, exp: inAnHour() })).toString('base64url');
    expect(await cookies.read(new RequestCookies(header('fnauth', `${h}.${forgedPayload}.${s}`)))).toBeUndefined();
  });

  it('refuses a tampered signature', async () => {
    const cookies = httpCookies();
    const { value } = await cookies.issue(CREDENTIALS, inAnHour());
    expect(await cookies.read(new RequestCookies(header('fnauth', flipChar(value, -5))))).toBeUndefined();
  });

  it('refuses a truncated token', async () => {
    const cookies = httpCookies();
    const { value } = await cookies.issue(CREDENTIALS, inAnHour());
    expect(await cookies.read(new RequestCookies(header('fnauth', value.slice(0, -1))))).toBeUndefined();
    expect(await cookies.read(new RequestCookies(header('fnauth', value.slice(0, value.lastIndexOf('.')))))).toBeUndefined();
    expect(await cookies.read(new RequestCookies(header('fnauth', value.slice(0, value.lastIndexOf('.') + 1))))).toBeUndefined();
  });

  it('refuses what a JWT verifier refuses: crit headers, non-canonical base64url, a header or claims that are not a JSON object', async () => {
    const { kid, key } = createKeyRing([FIRST], 'session').current;
    const cookies = httpCookies();
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const sign = (h: string, p: string) => `${h}.${p}.${createHmac('sha256', key).update(`${h}.${p}`).digest('base64url')}`;
    const claims = part({ u: USER, s: SECRET, exp: inAnHour() });
    expect(await cookies.read(new RequestCookies(header('fnauth', sign(part({ alg: 'HS256', kid }), claims))))).toEqual(REF);
    const refused = [
      sign(part({ alg: 'HS256', kid, crit: ['b64'], b64: false }), claims),
      sign(part([{ alg: 'HS256', kid }]), claims),
      sign(part({ alg: 'HS256', kid: [kid] }), claims),
      sign(part({ alg: 'HS256', kid }), part([{ u: USER, s: SECRET, exp: inAnHour() }])),
      sign(part({ alg: 'HS256', kid }), part({ u: USER, s: SECRET, exp: String(inAnHour()) })),
      sign(part({ alg: 'HS256', kid }), Buffer.from('not json').toString('base64url')),
      sign(`${part({ alg: 'HS256', kid })}=`, claims),
    ];
    for (const token of refused) expect(await cookies.read(new RequestCookies(header('fnauth', token)))).toBeUndefined();
    // The same signature bytes spelled another way (the last character's unused bits set).
    const genuine = sign(part({ alg: 'HS256', kid }), claims);
    const last = genuine.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    const malleated = `${genuine.slice(0, -1)}${sibling}`;
    expect(Buffer.from(malleated.split('.')[2]!, 'base64url')).toEqual(Buffer.from(genuine.split('.')[2]!, 'base64url'));
    expect(await cookies.read(new RequestCookies(header('fnauth', malleated)))).toBeUndefined();
  });

  it('refuses a token signed with a key that is not in the ring', async () => {
    const stranger = await httpCookies([SECOND]).issue(CREDENTIALS, inAnHour());
    expect(await httpCookies([FIRST]).read(new RequestCookies(header('fnauth', stranger.value)))).toBeUndefined();
  });

  it('refuses a token with the right kid but signed by another key', async () => {
    const kid = createKeyRing([FIRST], 'session').current.kid;
    const token = await new SignJWT({ u: USER, s: SECRET })
      .setProtectedHeader({ alg: 'HS256', kid })
      .setExpirationTime(inAnHour())
      .sign(createKeyRing([SECOND], 'session').current.key);
    expect(await httpCookies().read(new RequestCookies(header('fnauth', token)))).toBeUndefined();
  });

  it('refuses alg none', async () => {
    const kid = createKeyRing([FIRST], 'session').current.kid;
    const unsecured = new UnsecuredJWT({ u: USER, s: SECRET }).setExpirationTime(inAnHour()).encode();
    const [, payload] = unsecured.split('.');
    const withKid = `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${payload}.`;
    const cookies = httpCookies();
    expect(await cookies.read(new RequestCookies(header('fnauth', unsecured)))).toBeUndefined();
    expect(await cookies.read(new RequestCookies(header('fnauth', withKid)))).toBeUndefined();
  });

  it('refuses a token signed with the transaction key of the same secret', async () => {
    const transactionKey = createKeyRing([FIRST], 'transaction').current;
    const sessionKid = createKeyRing([FIRST], 'session').current.kid;
    const cookies = httpCookies();
    for (const kid of [transactionKey.kid, sessionKid]) {
      const token = await new SignJWT({ u: USER, s: SECRET })
        .setProtectedHeader({ alg: 'HS256', kid })
        .setExpirationTime(inAnHour())
        .sign(transactionKey.key);
      expect(await cookies.read(new RequestCookies(header('fnauth', token)))).toBeUndefined();
    }
  });

  it('refuses a correctly signed cookie whose user key or secret is not one we would issue', async () => {
    const cookies = httpCookies();
    for (const odd of ['../sessions', 'a/b', 'a#b', 'short', `${SECRET}x`, '']) {
      for (const credentials of [{ userKey: USER, secret: odd }, { userKey: odd, secret: SECRET }]) {
        const { name, value } = await cookies.issue(credentials, inAnHour());
        expect(await cookies.read(new RequestCookies(header(name, value)))).toBeUndefined();
      }
    }
  });

  it('refuses other HMAC algorithms and tokens without a user key, a secret or exp', async () => {
    const { kid, key } = createKeyRing([FIRST], 'session').current;
    const cookies = httpCookies();
    const hs512 = await new SignJWT({ u: USER, s: SECRET }).setProtectedHeader({ alg: 'HS512', kid }).setExpirationTime(inAnHour()).sign(
      new Uint8Array([...key, ...key]),
    );
    const signed = (claims: Record<string, unknown>, exp = true) => {
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid });
      return (exp ? jwt.setExpirationTime(inAnHour()) : jwt).sign(key);
    };
    const tokens = [
      hs512,
      await signed({ u: USER, s: SECRET }, false),
      await signed({ u: USER }),
      await signed({ s: SECRET }),
      await signed({ u: USER, s: 42 }),
      await signed({ u: [USER], s: SECRET }),
      await signed({ sid: SECRET }),
    ];
    for (const token of tokens) expect(await cookies.read(new RequestCookies(header('fnauth', token)))).toBeUndefined();
  });

  it('refuses an expired cookie', async () => {
    const cookies = httpCookies();
    const expired = await cookies.issue(CREDENTIALS, now() - 10);
    expect(expired.maxAge).toBe(0);
    expect(await cookies.read(new RequestCookies(header('fnauth', expired.value)))).toBeUndefined();
  });

  it('rotates keys: old cookies still read, new ones use the new kid, and dropping the old secret refuses them', async () => {
    const oldCookie = await httpCookies([FIRST]).issue(other('old'), inAnHour());
    const rotated = httpCookies([SECOND, FIRST]);
    expect(await rotated.read(new RequestCookies(header('fnauth', oldCookie.value)))).toEqual(refOf(other('old')));

    const newCookie = await rotated.issue(other('new'), inAnHour());
    const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
    expect(kidOf(newCookie.value)).toBe(createKeyRing([SECOND], 'session').current.kid);
    expect(kidOf(newCookie.value)).not.toBe(kidOf(oldCookie.value));

    const retired = httpCookies([SECOND]);
    expect(await retired.read(new RequestCookies(header('fnauth', oldCookie.value)))).toBeUndefined();
    expect(await retired.read(new RequestCookies(header('fnauth', newCookie.value)))).toEqual(refOf(other('new')));
  });

  it('treats a duplicated cookie name as no cookie at all', async () => {
    const cookies = httpCookies();
    const mine = await cookies.issue(other('mine'), inAnHour());
    const planted = await cookies.issue(other('planted'), inAnHour());
    expect(await cookies.read(new RequestCookies(`fnauth=${mine.value}; fnauth=${planted.value}`))).toBeUndefined();
    expect(await cookies.read(new RequestCookies(`fnauth=${mine.value}; fnauth=${mine.value}`))).toBeUndefined();
  });

  it('refuses a cookie longer than 4096 characters even when correctly signed', async () => {
    const cookies = httpCookies();
    const { current } = createKeyRing([FIRST], 'session');
    const padded = (length: number) =>
      new SignJWT({ u: USER, s: SECRET, pad: 'p'.repeat(length) }).setProtectedHeader({ alg: 'HS256', kid: current.kid }).setExpirationTime(inAnHour()).sign(current.key);
    const fits = { value: await padded(2000) };
    expect(await cookies.read(new RequestCookies(header('fnauth', fits.value)))).toEqual(REF);
    const oversized = { value: await padded(4000) };
    expect(oversized.value.length).toBeGreaterThan(4096);
    expect(await cookies.read(new RequestCookies(header('fnauth', oversized.value)))).toBeUndefined();
  });

  it('sets HttpOnly, SameSite=Lax, Path=/, and on http localhost no prefix and not Secure', async () => {
    const expiresAt = now() + 3600;
    const cookie = await httpCookies().issue(CREDENTIALS, expiresAt, expiresAt - 3600);
    expect(cookie).toEqual({
      name: 'fnauth',
      value: expect.any(String),
      maxAge: 3600,
      path: '/',
      httpOnly: true,
      secure: false,
      sameSite: 'Lax',
    });
  });

  it('over https uses the __Host- prefix, Secure, Path=/ and no Domain', async () => {
    const cookies = httpsCookies();
    const cookie = await cookies.issue(CREDENTIALS, inAnHour());
    expect(cookie.name).toBe('__Host-fnauth');
    expect(cookie).toMatchObject({ secure: true, path: '/', httpOnly: true, sameSite: 'Lax' });
    expect(cookie.domain).toBeUndefined();
    expect(await cookies.read(new RequestCookies(header('__Host-fnauth', cookie.value)))).toEqual(REF);
    // The unprefixed name is something a sibling subdomain could set: it is not read.
    expect(await cookies.read(new RequestCookies(header('fnauth', cookie.value)))).toBeUndefined();
  });

  it('clear() expires the cookie with Max-Age 0 and an empty value', () => {
    for (const [cookies, name] of [
      [httpCookies(), 'fnauth'],
      [httpsCookies(), '__Host-fnauth'],
    ] as const) {
      const cleared = cookies.clear();
      expect(cleared).toMatchObject({ name, value: '', maxAge: 0, path: '/', httpOnly: true, sameSite: 'Lax' });
      expect(cleared.expires).toEqual(new Date(0));
    }
  });
});
