import { describe, expect, it } from 'vitest';
import { checkRequirement, rolesOf } from '../../src/lib/access';
import type { Caller } from '../../src/lib/current-user';
import { AppError } from '../../src/lib/errors';

const session = (claims: Record<string, unknown>): Caller => ({ kind: 'session', session: { claims } as never });
const bearer = (claims: Record<string, unknown>): Caller => ({ kind: 'bearer', claims, token: 't' });

function refusal(caller: Caller, requirement: Parameters<typeof checkRequirement>[1]): AppError | undefined {
  try {
    checkRequirement(caller, requirement);
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

describe('rolesOf', () => {
  it('reads the roles claim of either kind of caller, ignoring what is not a list of strings', () => {
    expect(rolesOf(session({ roles: ['A', 'B'] }))).toEqual(['A', 'B']);
    expect(rolesOf(bearer({ roles: ['A', 42, null] }))).toEqual(['A']);
    expect(rolesOf(bearer({ roles: 'A' }))).toEqual([]);
    expect(rolesOf(session({}))).toEqual([]);
  });
});

describe('checkRequirement', () => {
  it.each([
    ['signed-in asks nothing more', bearer({}), 'signed-in', undefined],
    ['one of the roles is enough', session({ roles: ['Orders.Write'] }), { roles: ['Orders.Read', 'Orders.Write'] }, undefined],
    ['no listed role', session({ roles: ['Other'] }), { roles: ['Orders.Read'] }, 'missing_role'],
    ['no roles at all', bearer({ scp: 'access_as_user' }), { roles: ['Orders.Read'] }, 'missing_role'],
    ['one of the scopes is enough', bearer({ scp: 'access_as_user Orders.Read' }), { scopes: ['Orders.Read'] }, undefined],
    ['no listed scope', bearer({ scp: 'access_as_user' }), { scopes: ['Orders.Read'] }, 'insufficient_scope'],
    ['an app token has no scp', bearer({ roles: ['Orders.Read'] }), { scopes: ['Orders.Read'] }, 'insufficient_scope'],
    ['scopes do not bind a session', session({}), { scopes: ['Orders.Read'] }, undefined],
    ['roles and scopes both apply', bearer({ roles: ['Orders.Read'], scp: 'x' }), { roles: ['Orders.Read'], scopes: ['Orders.Read'] }, 'insufficient_scope'],
  ] as const)('%s', (_, caller, requirement, code) => {
    const error = refusal(caller, requirement);
    expect(error?.code).toBe(code);
    if (error) expect(error.status).toBe(403);
  });

  it('challenges a bearer caller without the role as RFC 6750 says, and a cookie caller not at all', () => {
    expect(refusal(bearer({}), { roles: ['A'] })?.extra.wwwAuthenticate).toBe('Bearer error="insufficient_scope"');
    expect(refusal(session({}), { roles: ['A'] })?.extra.wwwAuthenticate).toBeUndefined();
  });

  it('names the scope it wants in the Bearer challenge', () => {
    expect(refusal(bearer({ scp: 'a' }), { scopes: ['Orders.Read'] })?.extra.wwwAuthenticate).toBe(
      'Bearer error="insufficient_scope", scope="Orders.Read"',
    );
  });
});
