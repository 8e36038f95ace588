/**
 * The compact JOSE tokens our cookies carry (src/lib/cookie-tokens.ts), made
 * with node:crypto: standard enough that jose reads ours and we read jose's,
 * and strict about everything else. The session cookie's own checks are in
 * test/lib/session/cookie.test.ts, the transaction's in transaction.test.ts.
 */
import { compactDecrypt, CompactEncrypt, jwtVerify, SignJWT } from 'jose';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SealedTokens, SignedTokens } from '../../src/lib/cookie-tokens';
import { createKeyRing } from '../../src/lib/keys';

const FIRST = 'first-cookie-secret-0123456789abcdefgh';
const SECOND = 'second-cookie-secret-0123456789abcdefg';
const ring = (secrets = [FIRST]) => createKeyRing(secrets, 'transaction');
const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const CONTENT = { state: 'abc', n: 1, nested: { ok: true } };

/** The same bytes spelled with the last character's unused bits set, where the part has any. */
function respell(part: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return `${part.slice(0, -1)}${alphabet[alphabet.indexOf(part.at(-1)!) ^ 1]}`;
}

describe('SignedTokens (JWS, HS256)', () => {
  it('signs what jose verifies, and verifies what jose signs with a key of the ring', async () => {
    const { current } = ring();
    const tokens = new SignedTokens(ring());
    const ours = tokens.sign({ u: 'x', exp: 2_000_000_000 });
    expect((await jwtVerify(ours, current.key, { algorithms: ['HS256'] })).payload).toEqual({ u: 'x', exp: 2_000_000_000 });
    expect((await jwtVerify(ours, current.key)).protectedHeader).toEqual({ alg: 'HS256', kid: current.kid });
    const theirs = await new SignJWT({ u: 'y' }).setProtectedHeader({ alg: 'HS256', kid: current.kid }).sign(current.key);
    expect(tokens.verify(theirs)).toEqual({ u: 'y' });
  });

  it('verifies with every key of the ring and signs with the first', () => {
    const old = new SignedTokens(ring([SECOND])).sign({ v: 'old' });
    const rotated = new SignedTokens(ring([FIRST, SECOND]));
    expect(rotated.verify(old)).toEqual({ v: 'old' });
    expect(new SignedTokens(ring([FIRST])).verify(rotated.sign({ v: 'new' }))).toEqual({ v: 'new' });
    expect(new SignedTokens(ring([FIRST])).verify(old)).toBeUndefined();
  });
});

describe('SealedTokens (JWE, dir + A256GCM)', () => {
  it('seals what jose opens, and opens what jose seals with a key of the ring', async () => {
    const { current } = ring();
    const tokens = new SealedTokens(ring());
    const ours = tokens.seal(CONTENT);
    const opened = await compactDecrypt(ours, current.key);
    expect(JSON.parse(new TextDecoder().decode(opened.plaintext))).toEqual(CONTENT);
    expect(opened.protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM', kid: current.kid });
    const theirs = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(CONTENT))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.kid }).encrypt(current.key);
    expect(tokens.open(theirs)).toEqual(CONTENT);
  });

  it('uses a fresh IV each time, and opens with every key of the ring', () => {
    const tokens = new SealedTokens(ring([SECOND]));
    const [a, b] = [tokens.seal(CONTENT), tokens.seal(CONTENT)];
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(new SealedTokens(ring([FIRST, SECOND])).open(a)).toEqual(CONTENT);
    expect(new SealedTokens(ring([FIRST])).open(a)).toBeUndefined();
  });

  it('refuses anything changed, misnamed or not in its one spelling', async () => {
    // One character in the middle, where every bit counts, always made different (a fixed
    // replacement at the end was the same as the original now and then, with a random IV).
    const changedInTheMiddle = (part: string) => {
      const at = Math.floor(part.length / 2);
      return `${part.slice(0, at)}${part[at] === 'A' ? 'B' : 'A'}${part.slice(at + 1)}`;
    };
    const { current } = ring();
    const tokens = new SealedTokens(ring());
    const genuine = tokens.seal(CONTENT);
    const [header, , iv, ciphertext, tag] = genuine.split('.') as [string, string, string, string, string];
    const theirs = (protectedHeader: Record<string, unknown>) =>
      new CompactEncrypt(new TextEncoder().encode(JSON.stringify(CONTENT))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', ...protectedHeader }).encrypt(current.key);
    /** Sealed correctly under any header, even one a JOSE library would not write. */
    const sealedUnder = (protectedHeader: Record<string, unknown>) => {
      const encodedHeader = json(protectedHeader);
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, nonce);
      cipher.setAAD(Buffer.from(encodedHeader, 'ascii'));
      const body = Buffer.concat([cipher.update(JSON.stringify(CONTENT)), cipher.final()]);
      return [encodedHeader, '', nonce.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    };
    expect(tokens.open(sealedUnder({ alg: 'dir', enc: 'A256GCM', kid: current.kid }))).toEqual(CONTENT);
    const refused = [
      // Another header under the same ciphertext: the header is authenticated.
      [json({ alg: 'dir', enc: 'A256GCM', kid: current.kid, extra: 1 }), '', iv, ciphertext, tag].join('.'),
      [header, '', iv, changedInTheMiddle(ciphertext), tag].join('.'),
      [header, '', changedInTheMiddle(iv), ciphertext, tag].join('.'),
      [header, '', iv, ciphertext, changedInTheMiddle(tag)].join('.'),
      [header, '', iv, ciphertext, respell(tag)].join('.'),
      [header, 'AAAA', iv, ciphertext, tag].join('.'),
      [header, '', iv, ciphertext].join('.'),
      `${genuine}=`,
      await theirs({ kid: 'unknown' }),
      sealedUnder({ alg: 'dir', enc: 'A256GCM', kid: current.kid, zip: 'DEF' }),
      sealedUnder({ alg: 'dir', enc: 'A256GCM', kid: current.kid, crit: ['exp'], exp: 1 }),
      sealedUnder({ alg: 'A256KW', enc: 'A256GCM', kid: current.kid }),
      sealedUnder({ alg: 'dir', enc: 'A256GCM', kid: [current.kid] }),
      await theirs({}),
      await new CompactEncrypt(new TextEncoder().encode('[1,2]')).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.kid }).encrypt(current.key),
      await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(CONTENT)))
        .setProtectedHeader({ alg: 'dir', enc: 'A128GCM', kid: current.kid })
        .encrypt(current.key.slice(0, 16)),
    ];
    for (const token of refused) expect(tokens.open(token), token).toBeUndefined();
    expect(tokens.open(genuine)).toEqual(CONTENT);
  });
});
