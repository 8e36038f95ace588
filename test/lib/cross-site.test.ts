import { describe, expect, it } from 'vitest';
import { acceptsFormPost, FormTokens, refuseCrossSite, requestSite } from '../../src/lib/cross-site';
import { createKeyRing } from '../../src/lib/keys';

const APP = 'https://app.contoso.com';
const headers = (values: Record<string, string>) => new Headers(values);
const SESSION = 'sA1d-Ex_ample0123456789abcdefghijklmnopqrst';

describe('requestSite', () => {
  it('believes Sec-Fetch-Site first', () => {
    expect(requestSite(headers({ 'sec-fetch-site': 'same-origin' }), APP)).toBe('same-origin');
    expect(requestSite(headers({ 'sec-fetch-site': 'none' }), APP)).toBe('same-origin');
    expect(requestSite(headers({ 'sec-fetch-site': 'same-site', origin: APP }), APP)).toBe('cross-site');
    expect(requestSite(headers({ 'sec-fetch-site': 'cross-site', origin: APP }), APP)).toBe('cross-site');
  });

  it('falls back to Origin, where any other origin (null included) is cross-site', () => {
    expect(requestSite(headers({ origin: APP }), APP)).toBe('same-origin');
    for (const origin of ['https://evil.example', 'null', 'https://app.contoso.com.evil.example', 'http://app.contoso.com', `${APP}:443`]) {
      expect(requestSite(headers({ origin }), APP)).toBe('cross-site');
    }
  });

  it('with neither header, does not know: older browsers on a plain link, or clients that are not browsers', () => {
    expect(requestSite(headers({}), APP)).toBe('unknown');
    expect(requestSite(headers({ referer: `${APP}/api/home` }), APP)).toBe('unknown');
  });
});

describe('form posts and DELETE', () => {
  const tokens = new FormTokens(createKeyRing(['form-token-secret-0123456789abcdefghij'], 'form'));

  it('accepts same-origin, or unknown with a valid token; never cross-site', () => {
    expect(acceptsFormPost('same-origin', false)).toBe(true);
    expect(acceptsFormPost('unknown', true)).toBe(true);
    expect(acceptsFormPost('unknown', false)).toBe(false);
    expect(acceptsFormPost('cross-site', true)).toBe(false);
  });

  it('form tokens are bound to the session and verify under any listed key', () => {
    const token = tokens.issue(SESSION);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens.verify(SESSION, token)).toBe(true);
    expect(tokens.verify(`${SESSION.slice(0, -1)}x`, token)).toBe(false);
    expect(tokens.verify(undefined, token)).toBe(false);
    expect(tokens.verify(SESSION, `${token.slice(0, -1)}A`)).toBe(false);
    for (const bad of [null, undefined, '', 'x'.repeat(5000)]) expect(tokens.verify(SESSION, bad)).toBe(false);
    const rotated = new FormTokens(createKeyRing(['a-newer-form-token-secret-0123456789ab', 'form-token-secret-0123456789abcdefghij'], 'form'));
    expect(rotated.verify(SESSION, token)).toBe(true);
    expect(rotated.issue(SESSION)).not.toBe(token);
    // The "no session" token is not a session's token.
    expect(tokens.verify(SESSION, tokens.issue(undefined))).toBe(false);
  });

  it('refuses a cross-site DELETE with 403 cross_site_request, and lets the rest through', () => {
    expect(() => refuseCrossSite(headers({ origin: 'https://evil.example' }), APP)).toThrow(expect.objectContaining({ code: 'cross_site_request', status: 403 }));
    expect(() => refuseCrossSite(headers({ 'sec-fetch-site': 'same-origin' }), APP)).not.toThrow();
    expect(() => refuseCrossSite(headers({}), APP)).not.toThrow();
  });
});
