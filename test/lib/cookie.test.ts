import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { CookiePolicy, RequestCookies, SessionCookie } from '../../src/lib/cookie';
import { createKeyRing } from '../../src/lib/keys';

/** Session ids are 43 characters of base64url, as randomToken() makes them. */
const SID = 'sA1d-Ex_ample0123456789abcdefghijklmnopqrst';

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
  it('reads back the session id it issued', async () => {
    const cookies = httpCookies();
    const cookie = await cookies.issue(SID, inAnHour());
    expect(cookie.name).toBe('fnauth');
    expect(cookie.value.split('.')).toHaveLength(3);
    expect(await cookies.read(new RequestCookies(header(cookie.name, cookie.value)))).toBe(SID);
    expect(await cookies.read(new RequestCookies(`other=1; ${header(cookie.name, cookie.value)}; more=2`))).toBe(SID);
  });

  it('keeps nothing about the user in the browser: only sid and exp', async () => {
    const cookie = await httpCookies().issue(SID, inAnHour());
    const [protectedHeader, payload] = cookie.value.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(Object.keys(payload).sort()).toEqual(['exp', 'sid']);
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
    const { value } = await cookies.issue(SID, inAnHour());
    const [h, , s] = value.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sid: 'someone-else', exp: inAnHour() })).toString('base64url');
    expect(await cookies.read(new RequestCookies(header('fnauth', `${h}.${forgedPayload}.${s}`)))).toBeUndefined();
  });

  it('refuses a tampered signature', async () => {
    const cookies = httpCookies();
    const { value } = await cookies.issue(SID, inAnHour());
    expect(await cookies.read(new RequestCookies(header('fnauth', flipChar(value, -5))))).toBeUndefined();
  });

  it('refuses a truncated token', async () => {
    const cookies = httpCookies();
    const { value } = await cookies.issue(SID, inAnHour());
    expect(await cookies.read(new RequestCookies(header('fnauth', value.slice(0, -1))))).toBeUndefined();
    expect(await cookies.read(new RequestCookies(header('fnauth', value.slice(0, value.lastIndexOf('.')))))).toBeUndefined();
    expect(await cookies.read(new RequestCookies(header('fnauth', value.slice(0, value.lastIndexOf('.') + 1))))).toBeUndefined();
  });

  it('refuses a token signed with a key that is not in the ring', async () => {
    const stranger = await httpCookies([SECOND]).issue(SID, inAnHour());
    expect(await httpCookies([FIRST]).read(new RequestCookies(header('fnauth', stranger.value)))).toBeUndefined();
  });

  it('refuses a token with the right kid but signed by another key', async () => {
    const kid = createKeyRing([FIRST], 'session').current.kid;
    const token = await new SignJWT({ sid: SID })
      .setProtectedHeader({ alg: 'HS256', kid })
      .setExpirationTime(inAnHour())
      .sign(createKeyRing([SECOND], 'session').current.key);
    expect(await httpCookies().read(new RequestCookies(header('fnauth', token)))).toBeUndefined();
  });

  it('refuses alg none', async () => {
    const kid = createKeyRing([FIRST], 'session').current.kid;
    const unsecured = new UnsecuredJWT({ sid: SID }).setExpirationTime(inAnHour()).encode();
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
      const token = await new SignJWT({ sid: SID })
        .setProtectedHeader({ alg: 'HS256', kid })
        .setExpirationTime(inAnHour())
        .sign(transactionKey.key);
      expect(await cookies.read(new RequestCookies(header('fnauth', token)))).toBeUndefined();
    }
  });

  it('refuses a correctly signed cookie whose session id is not one we would issue', async () => {
    const cookies = httpCookies();
    for (const sid of ['../sessions', 'a/b', 'a#b', 'short', `${SID}x`]) {
      const { name, value } = await cookies.issue(sid, inAnHour());
      expect(await cookies.read(new RequestCookies(header(name, value)))).toBeUndefined();
    }
  });

  it('refuses other HMAC algorithms and tokens without sid or exp', async () => {
    const { kid, key } = createKeyRing([FIRST], 'session').current;
    const cookies = httpCookies();
    const hs512 = await new SignJWT({ sid: 's' }).setProtectedHeader({ alg: 'HS512', kid }).setExpirationTime(inAnHour()).sign(
      new Uint8Array([...key, ...key]),
    );
    const noExp = await new SignJWT({ sid: 's' }).setProtectedHeader({ alg: 'HS256', kid }).sign(key);
    const noSid = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid }).setExpirationTime(inAnHour()).sign(key);
    const emptySid = await new SignJWT({ sid: '' }).setProtectedHeader({ alg: 'HS256', kid }).setExpirationTime(inAnHour()).sign(key);
    const numericSid = await new SignJWT({ sid: 42 }).setProtectedHeader({ alg: 'HS256', kid }).setExpirationTime(inAnHour()).sign(key);
    for (const token of [hs512, noExp, noSid, emptySid, numericSid]) {
      expect(await cookies.read(new RequestCookies(header('fnauth', token)))).toBeUndefined();
    }
  });

  it('refuses an expired cookie', async () => {
    const cookies = httpCookies();
    const expired = await cookies.issue(SID, now() - 10);
    expect(expired.maxAge).toBe(0);
    expect(await cookies.read(new RequestCookies(header('fnauth', expired.value)))).toBeUndefined();
  });

  it('rotates keys: old cookies still read, new ones use the new kid, and dropping the old secret refuses them', async () => {
    const oldCookie = await httpCookies([FIRST]).issue(SID.replace(/^s/, 'o'), inAnHour());
    const rotated = httpCookies([SECOND, FIRST]);
    expect(await rotated.read(new RequestCookies(header('fnauth', oldCookie.value)))).toBe(SID.replace(/^s/, 'o'));

    const newCookie = await rotated.issue(SID.replace(/^s/, 'n'), inAnHour());
    const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
    expect(kidOf(newCookie.value)).toBe(createKeyRing([SECOND], 'session').current.kid);
    expect(kidOf(newCookie.value)).not.toBe(kidOf(oldCookie.value));

    const retired = httpCookies([SECOND]);
    expect(await retired.read(new RequestCookies(header('fnauth', oldCookie.value)))).toBeUndefined();
    expect(await retired.read(new RequestCookies(header('fnauth', newCookie.value)))).toBe(SID.replace(/^s/, 'n'));
  });

  it('treats a duplicated cookie name as no cookie at all', async () => {
    const cookies = httpCookies();
    const mine = await cookies.issue('mine', inAnHour());
    const planted = await cookies.issue('planted', inAnHour());
    expect(await cookies.read(new RequestCookies(`fnauth=${mine.value}; fnauth=${planted.value}`))).toBeUndefined();
    expect(await cookies.read(new RequestCookies(`fnauth=${mine.value}; fnauth=${mine.value}`))).toBeUndefined();
  });

  it('refuses a cookie longer than 4096 characters even when correctly signed', async () => {
    const cookies = httpCookies();
    const { current } = createKeyRing([FIRST], 'session');
    const padded = (length: number) =>
      new SignJWT({ sid: SID, pad: 'p'.repeat(length) }).setProtectedHeader({ alg: 'HS256', kid: current.kid }).setExpirationTime(inAnHour()).sign(current.key);
    const fits = { value: await padded(2000) };
    expect(await cookies.read(new RequestCookies(header('fnauth', fits.value)))).toBe(SID);
    const oversized = { value: await padded(4000) };
    expect(oversized.value.length).toBeGreaterThan(4096);
    expect(await cookies.read(new RequestCookies(header('fnauth', oversized.value)))).toBeUndefined();
  });

  it('sets HttpOnly, SameSite=Lax, Path=/, and on http localhost no prefix and not Secure', async () => {
    const expiresAt = now() + 3600;
    const cookie = await httpCookies().issue('s', expiresAt, expiresAt - 3600);
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
    const cookie = await cookies.issue(SID, inAnHour());
    expect(cookie.name).toBe('__Host-fnauth');
    expect(cookie).toMatchObject({ secure: true, path: '/', httpOnly: true, sameSite: 'Lax' });
    expect(cookie.domain).toBeUndefined();
    expect(await cookies.read(new RequestCookies(header('__Host-fnauth', cookie.value)))).toBe(SID);
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

describe('RequestCookies', () => {
  it('finds every value under the exact name and strips quotes', () => {
    expect(new RequestCookies('a=1; b=2;a=3 ; ab=4; "x"=5').all('a')).toEqual(['1', '3']);
    expect(new RequestCookies('a="quoted"').all('a')).toEqual(['quoted']);
    expect(new RequestCookies('a').all('a')).toEqual([]);
    expect(new RequestCookies('a=x=y').all('a')).toEqual(['x=y']);
    expect(new RequestCookies(null).all('a')).toEqual([]);
  });

  it('gives exactly one value of at most 4096 characters, or undefined', () => {
    expect(new RequestCookies('a=1').get('a')).toBe('1');
    expect(new RequestCookies('a=1; a=1').get('a')).toBeUndefined();
    expect(new RequestCookies(`a=${'x'.repeat(4096)}`).get('a')).toHaveLength(4096);
    expect(new RequestCookies(`a=${'x'.repeat(4097)}`).get('a')).toBeUndefined();
  });

  it('lists the names once each, in the order the browser sent them', () => {
    expect(new RequestCookies('b=1; a=2; b=3; =4; c').names).toEqual(['b', 'a']);
  });
});
