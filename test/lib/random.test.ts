import { describe, expect, it } from 'vitest';
import { equalStrings, randomToken } from '../../src/lib/random';

describe('randomToken', () => {
  it('gives 256 bits as 43 characters of base64url, new every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => randomToken()));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('equalStrings', () => {
  it('is true only for the same string, whatever the lengths', () => {
    expect(equalStrings('abc', 'abc')).toBe(true);
    expect(equalStrings('abc', 'abd')).toBe(false);
    expect(equalStrings('abc', 'abcd')).toBe(false);
    expect(equalStrings('', '')).toBe(true);
    expect(equalStrings('é', 'e')).toBe(false);
  });
});
