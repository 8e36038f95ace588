import { describe, expect, it } from 'vitest';
import { CookiePolicy, readCookie, readSingleCookie } from '../../src/lib/cookie';

describe('readCookie / readSingleCookie', () => {
  it('finds every value under the exact name and strips quotes', () => {
    expect(readCookie('a=1; b=2;a=3 ; ab=4; "x"=5', 'a')).toEqual(['1', '3']);
    expect(readCookie('a="quoted"', 'a')).toEqual(['quoted']);
    expect(readCookie('a', 'a')).toEqual([]);
    expect(readCookie('a=x=y', 'a')).toEqual(['x=y']);
    expect(readCookie(null, 'a')).toEqual([]);
  });

  it('gives exactly one value of at most 4096 characters, or undefined', () => {
    expect(readSingleCookie('a=1', 'a')).toBe('1');
    expect(readSingleCookie('a=1; a=1', 'a')).toBeUndefined();
    expect(readSingleCookie(`a=${'x'.repeat(4096)}`, 'a')).toHaveLength(4096);
    expect(readSingleCookie(`a=${'x'.repeat(4097)}`, 'a')).toBeUndefined();
  });
});

describe('CookiePolicy', () => {
  it('names cookies with the __Host- prefix over https only, and sets what every cookie of ours carries', () => {
    expect(new CookiePolicy(true).name('-tx-abc')).toBe('__Host-fnauth-tx-abc');
    expect(new CookiePolicy(false).name()).toBe('fnauth');
    expect(new CookiePolicy(true).set('n', 'v', 60)).toEqual({ name: 'n', value: 'v', maxAge: 60, path: '/', httpOnly: true, secure: true, sameSite: 'Lax' });
    expect(new CookiePolicy(false).expire('n')).toMatchObject({ value: '', maxAge: 0, expires: new Date(0) });
  });
});
