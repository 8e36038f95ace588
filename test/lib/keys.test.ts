import { describe, expect, it } from 'vitest';
import { createKeyRing } from '../../src/lib/keys';

const NEW_SECRET = 'new-cookie-secret-0123456789abcdefghij';
const OLD_SECRET = 'old-cookie-secret-0123456789abcdefghij';

describe('createKeyRing', () => {
  it('derives the same 256-bit key and kid from the same secret every time', () => {
    const first = createKeyRing([NEW_SECRET], 'session');
    const second = createKeyRing([NEW_SECRET], 'session');
    expect(first.current.key).toHaveLength(32);
    expect(Buffer.from(first.current.key).equals(Buffer.from(second.current.key))).toBe(true);
    expect(first.current.kid).toBe(second.current.kid);
    expect(first.current.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('derives independent keys per purpose and per secret', () => {
    const session = createKeyRing([NEW_SECRET], 'session').current;
    const transaction = createKeyRing([NEW_SECRET], 'transaction').current;
    const other = createKeyRing([OLD_SECRET], 'session').current;
    expect(session.kid).not.toBe(transaction.kid);
    expect(session.kid).not.toBe(other.kid);
    expect(Buffer.from(session.key).equals(Buffer.from(transaction.key))).toBe(false);
    expect(Buffer.from(session.key).equals(Buffer.from(other.key))).toBe(false);
  });

  it('neither the key nor the kid is the secret itself', () => {
    const { key, kid } = createKeyRing([NEW_SECRET], 'session').current;
    expect(Buffer.from(key).toString('utf8')).not.toContain(NEW_SECRET.slice(0, 16));
    expect(NEW_SECRET).not.toContain(kid);
  });

  it('signs with the first secret and lists every secret, newest first', () => {
    const ring = createKeyRing([NEW_SECRET, OLD_SECRET], 'session');
    const newKey = createKeyRing([NEW_SECRET], 'session').current;
    const oldKey = createKeyRing([OLD_SECRET], 'session').current;
    expect(ring.current.kid).toBe(newKey.kid);
    expect(ring.all.map(({ kid }) => kid)).toEqual([newKey.kid, oldKey.kid]);
    // Keys are per purpose: the same secret's transaction key is not among the session keys.
    expect(ring.all.map(({ kid }) => kid)).not.toContain(createKeyRing([NEW_SECRET], 'transaction').current.kid);
  });

  it('refuses an empty secret list', () => {
    expect(() => createKeyRing([], 'session')).toThrow(/at least one secret/);
  });
});
