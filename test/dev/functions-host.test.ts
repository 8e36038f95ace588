import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../dev/functions-host';

describe('matchRoute (the built-in host\'s routing, as the Functions host routes)', () => {
  it('matches literal routes case-insensitively, with or without a trailing slash', () => {
    expect(matchRoute('sessions', '/api/sessions')).toEqual({});
    expect(matchRoute('sessions', '/API/Sessions/')).toEqual({});
    expect(matchRoute('logout/frontchannel', '/api/logout/frontchannel')).toEqual({});
    expect(matchRoute('logout', '/api/logout/frontchannel')).toBeUndefined();
    expect(matchRoute('sessions', '/api/sessionsx')).toBeUndefined();
  });

  it('takes one decoded segment per parameter', () => {
    expect(matchRoute('sessions/{id}', '/api/sessions/abc-DEF_1')).toEqual({ id: 'abc-DEF_1' });
    expect(matchRoute('sessions/{id}', '/api/sessions/a%20b')).toEqual({ id: 'a b' });
    expect(matchRoute('users/{userId}/sessions', '/api/users/1111/sessions')).toEqual({ userId: '1111' });
    expect(matchRoute('sessions/{id}', '/api/sessions')).toBeUndefined();
    expect(matchRoute('sessions/{id}', '/api/sessions/a/b')).toBeUndefined();
    expect(matchRoute('sessions/{id}', '/api/sessions/%E0%A4%A')).toBeUndefined();
  });
});
