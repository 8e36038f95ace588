import { describe, expect, it } from 'vitest';
import { claimRows } from '../../../src/lib/pages/claims-table';

describe('the claims table', () => {
  const rows = claimRows({
    iat: 1764001800,
    exp: 8.64e15 + 1,
    name: 'Alice <b>',
    roles: ['Reader', 'Writer'],
    'x-custom': { nested: '<i>' },
  }).text;

  it('has one row per claim, in the token order, named on the row', () => {
    expect([...rows.matchAll(/data-claim="([^"]+)"/g)].map((match) => match[1])).toEqual(['iat', 'exp', 'name', 'roles', 'x-custom']);
  });

  it('shows times as UTC dates with the number, and a number no date can hold as it is', () => {
    expect(rows).toContain('2025-11-24 16:30:00 UTC <span class="muted">(1764001800)</span>');
    expect(rows).toContain('<code>8640000000000001</code>');
  });

  it('joins lists, writes other values as JSON, and escapes everything', () => {
    expect(rows).toContain('>Reader, Writer<');
    expect(rows).toContain('Alice &#60;b&#62;');
    expect(rows).toContain('<code>{&#34;nested&#34;:&#34;&#60;i&#62;&#34;}</code>');
    expect(rows).not.toMatch(/<(b|i)>/);
  });

  it('explains the claims Entra documents and leaves others unexplained', () => {
    expect(rows).toMatch(/data-claim="iat".*When the token was issued\./);
    expect(rows).toMatch(/data-claim="x-custom".*<td class="meaning muted"><\/td>/);
  });
});
