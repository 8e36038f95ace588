/**
 * The built-in development host over real HTTP: what it answers besides the
 * functions themselves (bad Host headers, `/` and `/api`, CORS), and that a
 * settings problem stops it before it listens.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/lib/config';
import { matchRoute, startFunctionsHost, type FunctionsHost } from '../../dev/functions-host';
import { LocalSettingsError } from '../../dev/local-settings';
import { freePort } from '../helpers/network-faults';

const SETTINGS = {
  TENANT_SUBDOMAIN: 'contoso',
  CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  CLIENT_SECRET: 'client-secret-for-the-dev-host-test',
  COOKIE_SECRETS: 'cookie-secret-for-the-dev-host-test-0123456789',
  COSMOS_ENDPOINT: 'http://127.0.0.1:9/',
};

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with exactly these headers (fetch would fix up the Host header itself). */
function send(port: number, path: string, headers: Record<string, string>, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method, headers, setHost: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the built-in development host', () => {
  let host: FunctionsHost;

  beforeAll(async () => {
    Object.assign(process.env, SETTINGS);
    host = await startFunctionsHost({ cors: { origins: ['http://localhost:3000'], credentials: true }, log: () => undefined });
  });

  afterAll(async () => {
    await host.close();
    for (const name of Object.keys(SETTINGS)) delete process.env[name];
  });

  it('serves the functions on the Host it is asked for', async () => {
    const response = await send(host.port, '/api/home', { host: `localhost:${host.port}` });
    expect(response.status).toBe(200);
    expect(response.body).toContain('You are not signed in');
  });

  it.each([
    ['a space', 'bad host'],
    ['user info', 'user@localhost'],
    ['a path', 'localhost/evil'],
    ['an unclosed IPv6 bracket', '[::1'],
    ['a port out of range', 'localhost:99999'],
    ['an empty value', ''],
  ])('answers a Host header with %s with 400, not 500', async (_what, hostHeader) => {
    const response = await send(host.port, '/api/home', { host: hostHeader });
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/^Bad request: the Host header must be a host name/);
  });

  it('keeps a request target that starts with // on this host', async () => {
    const response = await send(host.port, '//evil.example/api/home', { host: `localhost:${host.port}` });
    expect(response.status).toBe(404);
  });

  it.each(['/', '/api', '/api/'])('sends %s to the home page', async (path) => {
    const response = await send(host.port, path, { host: `localhost:${host.port}` });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/api/home');
  });

  it('answers a CORS preflight from an allowed origin, with credentials as configured', async () => {
    const response = await send(
      host.port,
      '/api/claims',
      {
        host: `localhost:${host.port}`,
        origin: 'http://localhost:3000',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
      'OPTIONS',
    );
    expect(response.status).toBe(204);
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:3000',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'authorization',
      vary: 'Origin',
    });
  });

  it('adds CORS headers to answers for allowed origins only', async () => {
    const allowed = await send(host.port, '/api/claims', { host: `localhost:${host.port}`, origin: 'http://localhost:3000' });
    expect(allowed.status).toBe(401);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const other = await send(host.port, '/api/claims', { host: `localhost:${host.port}`, origin: 'https://evil.example' });
    expect(other.status).toBe(401);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS for any origin', () => {
  beforeAll(() => {
    Object.assign(process.env, SETTINGS);
  });
  afterAll(() => {
    for (const name of Object.keys(SETTINGS)) delete process.env[name];
  });

  it('answers "*" and never echoes the caller\'s Origin', async () => {
    const host = await startFunctionsHost({ cors: { origins: ['*'], credentials: false }, log: () => undefined });
    try {
      const response = await send(host.port, '/api/claims', { host: `localhost:${host.port}`, origin: 'https://evil.example' });
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await host.close();
    }
  });

  it('is refused with credentials, as func refuses it, before anything listens', async () => {
    const error = await startFunctionsHost({ cors: { origins: ['*'], credentials: true }, log: () => undefined }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LocalSettingsError);
    expect((error as Error).message).toMatch(/"\*" \(any origin\) in the CORS origins cannot go with CORS credentials/);
  });
});

describe('a settings problem', () => {
  it('stops the built-in host before it listens, naming every setting', async () => {
    const port = await freePort();

    const error = await startFunctionsHost({ port, log: () => undefined }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.split(' ')[0])).toEqual(
      expect.arrayContaining(['TENANT_SUBDOMAIN', 'CLIENT_ID', 'CLIENT_SECRET', 'COOKIE_SECRETS', 'COSMOS_ENDPOINT']),
    );
    await expect(send(port, '/api/home', { host: `localhost:${port}` })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

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
