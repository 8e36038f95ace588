import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors';
import { ReturnToPolicy } from '../../src/lib/redirects';

const APP = 'https://app.example';
const ALLOWED = 'https://allowed.example';
const policy = new ReturnToPolicy(APP, [ALLOWED], '/api/claims');

function refusal(raw: string): AppError {
  try {
    const resolved = policy.resolve(raw);
    throw new Error(`accepted ${JSON.stringify(raw)} as ${resolved}`);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error;
  }
}

describe('ReturnToPolicy.resolve accepts', () => {
  it.each([
    ['/api/claims', `${APP}/api/claims`],
    ['/api/me?x=1#y', `${APP}/api/me?x=1#y`],
    ['/', `${APP}/`],
    ['', `${APP}/api/claims`],
    [`${ALLOWED}/dashboard?tab=1`, `${ALLOWED}/dashboard?tab=1`],
    [ALLOWED, `${ALLOWED}/`],
    [`${APP}/api/claims`, `${APP}/api/claims`],
  ])('%j → %s', (raw, expected) => {
    expect(policy.resolve(raw)).toBe(expected);
  });

  it('uses the default path for null and undefined', () => {
    expect(policy.resolve(null)).toBe(`${APP}/api/claims`);
    expect(policy.resolve(undefined)).toBe(`${APP}/api/claims`);
    expect(new ReturnToPolicy(APP, [], '/home').resolve('')).toBe(`${APP}/home`);
  });
});

describe('ReturnToPolicy.resolve refuses', () => {
  it.each([
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example',
    '/%2f%2fevil.example',
    '/%2F%2Fevil.example',
    '/%5cevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r/evil.example',
    ' /api/claims',
    '/api/claims ',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,x',
    'vbscript:msgbox(1)',
    'https://user@app.example',
    'https://user:pass@app.example/api/claims',
    `${ALLOWED}@evil.example`,
    'https://allowed.example.evil.example',
    'https://allowed.example:444',
    'http://allowed.example',
    'https:evil.example',
    'https:/allowed.example/x',
    'HTTPS://ALLOWED.EXAMPLE/x',
    `/${'a'.repeat(3000)}`,
    '%00',
    '/%00',
    '/api/claims%0d%0aSet-Cookie:x',
    '/%',
    'api/claims',
    '/\u3000/evil.example',
    '/\u2028',
    '/\ufeff/evil.example',
  ])('%j with invalid_return_to (400)', (raw) => {
    const error = refusal(raw);
    expect(error.code).toBe('invalid_return_to');
    expect(error.status).toBe(400);
  });
});

describe('relative paths', () => {
  it.each(['/./api', '/../../api', '/api/../../x', '/api/..%2f..%2fx', '/.%2e/.%2e/x', '/a//b', '/?next=//evil.example', '/#//evil.example'])(
    '%j stays on the app origin',
    (raw) => {
      expect(new URL(policy.resolve(raw)).origin).toBe(APP);
    },
  );

  it('stays on the app origin when the app runs on plain http localhost', () => {
    const local = new ReturnToPolicy('http://localhost:7071', [], '/api/claims');
    expect(local.resolve('/api/me')).toBe('http://localhost:7071/api/me');
    expect(() => local.resolve('http://localhost:7072/api/me')).toThrow(AppError);
  });

  it('does not echo the refused value in the error', () => {
    const error = refusal('https://evil.example/steal?token=abc');
    expect(error.detail).not.toContain('evil.example');
    expect(error.message).not.toContain('evil.example');
  });
});
