import { CompactEncrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { CookiePolicy, RequestCookies } from '../../src/lib/cookie';
import { SessionCookie } from '../../src/lib/session/cookie';
import { AppError, type ErrorCode } from '../../src/lib/errors';
import { createKeyRing } from '../../src/lib/keys';
import { newTransaction, TRANSACTION_LIFETIME_SECONDS, TransactionStore, type LoginTransaction } from '../../src/lib/transaction';

const FIRST = 'first-cookie-secret-0123456789abcdefgh';
const SECOND = 'second-cookie-secret-0123456789abcdefg';
const RETURN_TO = 'http://localhost:7071/api/claims';
const VERIFIER = 'pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';

const storeWith = (secrets = [FIRST], secure = false) => new TransactionStore(createKeyRing(secrets, 'transaction'), new CookiePolicy(secure));
const now = () => Math.floor(Date.now() / 1000);
const fresh = (createdAt = now()) => newTransaction({ returnTo: RETURN_TO, codeVerifier: VERIFIER }, createdAt);

async function openError(promise: Promise<LoginTransaction>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => new Error('open() accepted the transaction'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function expectCode(promise: Promise<LoginTransaction>, code: ErrorCode): Promise<void> {
  const error = await openError(promise);
  expect(error.code).toBe(code);
  expect(error.status).toBe(400);
}

function flipChar(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('newTransaction', () => {
  it('makes fresh 43-character state, nonce and session id every time', () => {
    const a = fresh(1000);
    const b = fresh(1000);
    for (const value of [a.state, a.nonce, a.sessionSecret]) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set([a.state, a.nonce, a.sessionSecret, b.state, b.nonce, b.sessionSecret]).size).toBe(6);
    expect(a).toMatchObject({ returnTo: RETURN_TO, codeVerifier: VERIFIER, createdAt: 1000 });
  });
});

describe('TransactionStore', () => {
  it('seals and opens a transaction round trip, in a cookie named after its state', async () => {
    const store = storeWith();
    const tx = fresh();
    const cookie = await store.seal(tx);
    expect(cookie.name).toBe(`fnauth-tx-${tx.state}`);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false, maxAge: TRANSACTION_LIFETIME_SECONDS });
    expect(await store.open(new RequestCookies(`${cookie.name}=${cookie.value}`), tx.state)).toEqual(tx);
  });

  it('uses the __Host- prefix and Secure over https', async () => {
    const store = storeWith([FIRST], true);
    const tx = fresh();
    const cookie = await store.seal(tx);
    expect(cookie.name).toBe(`__Host-fnauth-tx-${tx.state}`);
    expect(cookie.secure).toBe(true);
    expect(await store.open(new RequestCookies(`${cookie.name}=${cookie.value}`), tx.state)).toEqual(tx);
  });

  it('keeps two sign-ins of one browser apart', async () => {
    const store = storeWith();
    const a = fresh();
    const b = fresh();
    const [ca, cb] = [await store.seal(a), await store.seal(b)];
    const header = `${ca.name}=${ca.value}; ${cb.name}=${cb.value}`;
    expect(await store.open(new RequestCookies(header), a.state)).toEqual(a);
    expect(await store.open(new RequestCookies(header), b.state)).toEqual(b);
  });

  it("answers transaction_missing for another valid-looking state (the cookie is per state)", async () => {
    const store = storeWith();
    const cookie = await store.seal(fresh());
    await expectCode(store.open(new RequestCookies(`${cookie.name}=${cookie.value}`), fresh().state), 'transaction_missing');
    await expectCode(store.open(new RequestCookies(null), fresh().state), 'transaction_missing');
  });

  it('answers state_mismatch for a cookie sealed for state A sent under the name of state B', async () => {
    const store = storeWith();
    const a = fresh();
    const b = fresh();
    const cookie = await store.seal(a);
    await expectCode(store.open(new RequestCookies(`${store.cookieName(b.state)}=${cookie.value}`), b.state), 'state_mismatch');
  });

  it.each(['', 'short', 'x'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`, `${'a'.repeat(42)}.`])(
    'answers state_mismatch for the malformed state %j',
    async (state) => {
      const store = storeWith();
      await expectCode(store.open(new RequestCookies(`fnauth-tx-${state}=x`), state), 'state_mismatch');
    },
  );

  it('answers transaction_expired 601 s after creation, but not at 600 s', async () => {
    const store = storeWith();
    const createdAt = now();
    const tx = fresh(createdAt);
    const cookie = await store.seal(tx);
    const header = `${cookie.name}=${cookie.value}`;
    expect(await store.open(new RequestCookies(header), tx.state, createdAt + TRANSACTION_LIFETIME_SECONDS)).toEqual(tx);
    await expectCode(store.open(new RequestCookies(header), tx.state, createdAt + 601), 'transaction_expired');

    const old = fresh(now() - 601);
    const oldCookie = await store.seal(old);
    await expectCode(store.open(new RequestCookies(`${oldCookie.name}=${oldCookie.value}`), old.state), 'transaction_expired');
  });

  it('answers transaction_expired for a transaction created in the future beyond 60 s', async () => {
    const store = storeWith();
    const tx = fresh(now() + 61);
    const cookie = await store.seal(tx);
    await expectCode(store.open(new RequestCookies(`${cookie.name}=${cookie.value}`), tx.state), 'transaction_expired');
  });

  it('answers state_mismatch for a cookie sealed with another key ring', async () => {
    const tx = fresh();
    const cookie = await storeWith([SECOND]).seal(tx);
    await expectCode(storeWith([FIRST]).open(new RequestCookies(`${cookie.name}=${cookie.value}`), tx.state), 'state_mismatch');
  });

  it('answers state_mismatch for a JWE under our kid but encrypted with another key', async () => {
    const tx = fresh();
    const { kid } = createKeyRing([FIRST], 'transaction').current;
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(tx)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
      .encrypt(createKeyRing([SECOND], 'transaction').current.key);
    await expectCode(storeWith([FIRST]).open(new RequestCookies(`fnauth-tx-${tx.state}=${jwe}`), tx.state), 'state_mismatch');
  });

  it('answers state_mismatch for a JWE encrypted with the session key of the same secret', async () => {
    const tx = fresh();
    const sessionKey = createKeyRing([FIRST], 'session').current;
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(tx)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: sessionKey.kid })
      .encrypt(sessionKey.key);
    await expectCode(storeWith([FIRST]).open(new RequestCookies(`fnauth-tx-${tx.state}=${jwe}`), tx.state), 'state_mismatch');
  });

  it('answers state_mismatch for a signed session cookie put in place of the transaction', async () => {
    const tx = fresh();
    const session = await new SessionCookie(createKeyRing([FIRST], 'session'), new CookiePolicy(false)).issue({ userKey: tx.nonce, secret: tx.sessionSecret }, now() + 60);
    await expectCode(storeWith([FIRST]).open(new RequestCookies(`fnauth-tx-${tx.state}=${session.value}`), tx.state), 'state_mismatch');
  });

  it('answers state_mismatch for a well-encrypted value that is not a transaction', async () => {
    const tx = fresh();
    const { kid, key } = createKeyRing([FIRST], 'transaction').current;
    const { codeVerifier: _dropped, ...incomplete } = tx;
    expect(_dropped).toBe(VERIFIER);
    for (const plaintext of [JSON.stringify(incomplete), JSON.stringify({ ...tx, createdAt: String(tx.createdAt) }), 'null', 'not json']) {
      const jwe = await new CompactEncrypt(new TextEncoder().encode(plaintext))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
        .encrypt(key);
      await expectCode(storeWith([FIRST]).open(new RequestCookies(`fnauth-tx-${tx.state}=${jwe}`), tx.state), 'state_mismatch');
    }
  });

  it('answers state_mismatch for tampered ciphertext, tag, iv or header', async () => {
    const store = storeWith();
    const tx = fresh();
    const { name, value } = await store.seal(tx);
    const parts = value.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[1]).toBe(''); // dir: no encrypted key
    for (const part of [0, 2, 3, 4]) {
      const tampered = [...parts];
      tampered[part] = flipChar(tampered[part]!, Math.floor(tampered[part]!.length / 2));
      await expectCode(store.open(new RequestCookies(`${name}=${tampered.join('.')}`), tx.state), 'state_mismatch');
    }
    await expectCode(store.open(new RequestCookies(`${name}=${value.slice(0, -3)}`), tx.state), 'state_mismatch');
  });

  it('answers transaction_missing when the cookie is duplicated', async () => {
    const store = storeWith();
    const tx = fresh();
    const { name, value } = await store.seal(tx);
    await expectCode(store.open(new RequestCookies(`${name}=${value}; ${name}=${value}`), tx.state), 'transaction_missing');
  });

  it('still opens a transaction sealed with the old first secret after rotation', async () => {
    const tx = fresh();
    const cookie = await storeWith([FIRST]).seal(tx);
    expect(await storeWith([SECOND, FIRST]).open(new RequestCookies(`${cookie.name}=${cookie.value}`), tx.state)).toEqual(tx);
  });

  it('does not reveal state, nonce, verifier, session id or returnTo in the cookie', async () => {
    const tx = fresh();
    const { name, value } = await storeWith().seal(tx);
    const decodedParts = value
      .split('.')
      .filter(Boolean)
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'));
    const visible = [value, ...decodedParts].join('\n');
    for (const secret of [tx.nonce, tx.codeVerifier, tx.sessionSecret, tx.returnTo, 'localhost', tx.state]) {
      expect(visible).not.toContain(secret);
    }
    // The state appears only in the cookie's name, as designed.
    expect(name).toContain(tx.state);
    expect(JSON.parse(decodedParts[0]!)).toEqual({ alg: 'dir', enc: 'A256GCM', kid: createKeyRing([FIRST], 'transaction').current.kid });
  });

  it('clear() expires the cookie of that state', () => {
    const store = storeWith();
    const tx = fresh();
    expect(store.clear(tx.state)).toMatchObject({ name: `fnauth-tx-${tx.state}`, value: '', maxAge: 0, path: '/' });
  });

  it('errors never carry the cookie value', async () => {
    const store = storeWith();
    const tx = fresh();
    const { value } = await store.seal(tx);
    const error = await openError(store.open(new RequestCookies(`${store.cookieName(tx.state)}=${flipChar(value, 60)}`), tx.state));
    expect(error.message).not.toContain(value.slice(0, 40));
    expect(error.message).not.toContain(tx.state);
  });
});
