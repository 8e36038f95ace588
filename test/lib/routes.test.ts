import { describe, expect, it } from 'vitest';
import { addRoute, routePath, urlFor } from '../../src/lib/routes';

addRoute({ name: 'routes-test-plain', route: 'plain', methods: ['GET'] });
addRoute({ name: 'routes-test-params', route: 'users/{userId}/sessions', methods: ['DELETE'] });

describe('urlFor', () => {
  it('names a registered route under /api', () => {
    expect(urlFor('routes-test-plain')).toBe('/api/plain');
    expect(routePath({ route: 'plain' })).toBe('/api/plain');
  });

  it('encodes the query, leaving out values that are undefined', () => {
    expect(urlFor('routes-test-plain', { query: { returnTo: '/api/home?x=1&y=2', prompt: undefined } })).toBe(
      '/api/plain?returnTo=%2Fapi%2Fhome%3Fx%3D1%26y%3D2',
    );
  });

  it('fills and encodes route parameters, and refuses a missing one', () => {
    expect(urlFor('routes-test-params', { params: { userId: 'a/b c' } })).toBe('/api/users/a%2Fb%20c/sessions');
    expect(() => urlFor('routes-test-params')).toThrow('needs the parameter "userId"');
  });

  it('makes the URL absolute with an origin', () => {
    expect(urlFor('routes-test-plain', { origin: 'https://app.contoso.com' })).toBe('https://app.contoso.com/api/plain');
  });

  it('throws for a function that is not registered, and for a name registered twice', () => {
    expect(() => urlFor('nowhere')).toThrow('No function named "nowhere" is registered.');
    expect(() => addRoute({ name: 'routes-test-plain', route: 'other', methods: ['GET'] })).toThrow('already registered');
  });
});
