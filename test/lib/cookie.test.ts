import { describe, expect, it } from 'vitest';
import { CookiePolicy, RequestCookies } from '../../src/lib/cookie';

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

describe('CookiePolicy', () => {
  it('names cookies with the __Host- prefix over https only, and sets what every cookie of ours carries', () => {
    expect(new CookiePolicy(true).name('-tx-abc')).toBe('__Host-fnauth-tx-abc');
    expect(new CookiePolicy(false).name()).toBe('fnauth');
    expect(new CookiePolicy(true).set('n', 'v', 60)).toEqual({ name: 'n', value: 'v', maxAge: 60, path: '/', httpOnly: true, secure: true, sameSite: 'Lax' });
    expect(new CookiePolicy(false).expire('n')).toMatchObject({ value: '', maxAge: 0, expires: new Date(0) });
  });
});
