/**
 * What the app writes to its logs, over a full sign-in cycle and a range of
 * failures: every line each invocation logged (through the InvocationContext,
 * as the Functions host collects it) and everything written to the console
 * while the app ran (console methods are spied on from before the app loads).
 *
 * No line may hold a token (JWT-looking "eyJ…", Entra's opaque access and
 * refresh tokens), a cookie value, an authorization code, state, the client
 * secret, the cookie secret (or a key derived from it), the Cosmos account key,
 * a password, or a user's e-mail address. And every request must produce
 * exactly one structured JSON line carrying its invocation id, without the
 * query string.
 */
import { http, HttpResponse } from 'msw';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { isKnownWarning, KNOWN_WARNINGS } from '../../dev/known-warnings';
import { createKeyRing } from '../../src/lib/keys';
import { COOKIE_SECRET, startApp, type AppUnderTest } from '../helpers/app-under-test';
import { LOCAL_COSMOS_KEY } from '../helpers/cosmos-server';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { startCosmosFaultProxy, type CosmosFaultProxy } from '../helpers/cosmos-fault-proxy';
import { CookieJar, invocations, invoke, SAME_ORIGIN, type InvokeResult } from '../helpers/functions';
import { SESSION_COOKIE, signIn, startSignIn } from '../helpers/sign-in-steps';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const consoleLines: string[] = [];
const spies: MockInstance[] = [];

/** Everything sensitive the test saw go by; none of it may reach a log. */
const sensitive = new Set<string>();
const remember = (value: string | null | undefined) => {
  if (value && value.length >= 8) sensitive.add(value);
};

let app: AppUnderTest;
let proxy: CosmosFaultProxy;

function rememberResult(result: InvokeResult) {
  for (const cookie of result.cookies) remember(cookie.value);
  if (result.location) {
    const url = new URL(result.location);
    for (const name of ['state', 'nonce', 'code_challenge', 'id_token_hint', 'login_hint', 'logout_hint']) remember(url.searchParams.get(name));
  }
  return result;
}

beforeAll(async () => {
  for (const method of CONSOLE_METHODS) {
    spies.push(
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg) ?? String(arg))).join(' '));
      }),
    );
  }
  // The session cache off: with the store down, every request must meet the failure it logs.
  app = await startApp({ COSMOS_ENDPOINT: 'http://127.0.0.1:1', SESSION_CACHE_SECONDS: '0' });
  proxy = await startCosmosFaultProxy(app.cosmos.endpoint);
  process.env.COSMOS_ENDPOINT = proxy.url;
  for (const secret of [app.entra.clientSecret, COOKIE_SECRET, LOCAL_COSMOS_KEY]) sensitive.add(secret);
  for (const purpose of ['session', 'transaction', 'form'] as const) {
    const { key } = createKeyRing([COOKIE_SECRET], purpose).current;
    sensitive.add(Buffer.from(key).toString('base64url'));
    sensitive.add(Buffer.from(key).toString('base64'));
    sensitive.add(Buffer.from(key).toString('hex'));
  }
});

afterAll(async () => {
  for (const spy of spies) spy.mockRestore();
  await proxy.close();
  await app.stop();
});

async function jarSignIn(user = DEFAULT_USERS[0]!, loginPath = '/api/login') {
  const jar = new CookieJar();
  const { login, callback, redirect } = await signIn(app, jar, { user, loginPath });
  rememberResult(login);
  rememberResult(redirect);
  remember(new URL(callback).searchParams.get('code'));
  remember(new URL(callback).searchParams.get('state'));
  return jar;
}

describe('a full cycle and the failure cases', () => {
  it('a full browser cycle with a token refresh', async () => {
    app.entra.accessTokenLifetime = 60;
    try {
      const jar = await jarSignIn(DEFAULT_USERS[0], '/api/login?returnTo=%2Fapi%2Fme&prompt=login&login_hint=alice%40example.com');
      for (const fn of [app.fn.claims, app.fn.me, app.fn.me, app.fn.home]) {
        expect(rememberResult(await jar.invoke(fn, `/api/${fn.name}?debug=1&token=eyJhbGciOiJIUzI1NiJ9.e30.sig`)).status).toBe(200);
      }
      expect(rememberResult(await jar.invoke(app.fn.logout, '/api/logout', { headers: SAME_ORIGIN })).status).toBe(302);
    } finally {
      app.entra.accessTokenLifetime = 3600;
    }
  });

  it('sessions: list, end one, end the others, front-channel logout and an administrator\'s revoke', async () => {
    const sid = 'entra-sid-0d6f5a1e-41c8-4b7e-9d1a-7c3f2b8e6a55';
    remember(sid);
    const first = await jarSignIn();
    const second = await jarSignIn();
    const listing = rememberResult(await first.invoke(app.fn.sessions, '/api/sessions'));
    expect(listing.status).toBe(200);
    const other = listing.json<{ sessions: Array<{ id: string; current: boolean }> }>().sessions.find((entry) => !entry.current)!;
    expect((await first.invoke(app.fn.session, `/api/sessions/${other.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await first.invoke(app.fn.session, `/api/sessions/${other.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await first.invoke(app.fn.sessions, '/api/sessions?include=current', { method: 'DELETE', headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await first.invoke(app.fn.sessions, '/api/sessions', { method: 'DELETE' })).status).toBe(200);
    void second;
    const framed = new CookieJar();
    const { login } = await startSignIn(app, framed);
    rememberResult(login);
    const callback = app.entra.authorize(login.location!, DEFAULT_USERS[0], { sid });
    rememberResult(await framed.invoke(app.fn.redirect, callback));
    expect((await invoke(app.fn['frontchannel-logout'], `/api/logout/frontchannel?sid=${sid}&iss=${encodeURIComponent(app.entra.issuer)}`)).status).toBe(200);
    const adminToken = await app.entra.appToken(['Sessions.RevokeAll']);
    remember(adminToken);
    const revoke = await invoke(app.fn['user-sessions'], `/api/users/${DEFAULT_USERS[0]!.oid}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(revoke.status).toBe(200);
    const noRole = await app.entra.appToken([]);
    remember(noRole);
    expect((await invoke(app.fn['user-sessions'], `/api/users/${DEFAULT_USERS[0]!.oid}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${noRole}` } })).status).toBe(403);
  });

  it('forged and replayed cookies, bad callbacks, replayed codes', async () => {
    const { kid, key } = createKeyRing(['an-attacker-chosen-secret-0123456789abcdef'], 'session').current;
    const forged = await new SignJWT({ sid: 'x' }).setProtectedHeader({ alg: 'HS256', kid }).setExpirationTime('1h').sign(key);
    remember(forged);
    expect((await invoke(app.fn.claims, '/api/claims', { headers: { cookie: `${SESSION_COOKIE}=${forged}` } })).status).toBe(401);

    const jar = new CookieJar();
    const { login, callback } = await startSignIn(app, jar);
    rememberResult(login);
    remember(new URL(callback).searchParams.get('code'));
    const copied = jar.header();
    for (const [name, value] of jar.cookies) if (name !== SESSION_COOKIE) remember(value);
    expect((await new CookieJar().invoke(app.fn.redirect, callback)).status).toBe(400); // no transaction cookie
    expect(rememberResult(await jar.invoke(app.fn.redirect, callback)).status).toBe(302);
    expect((await invoke(app.fn.redirect, callback, { headers: { cookie: copied } })).status).toBe(400); // replayed code
    const stolen = jar.header();
    await jar.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: SAME_ORIGIN });
    expect((await invoke(app.fn.me, '/api/me', { headers: { cookie: stolen } })).status).toBe(401);
    const secretish = `client_secret=${app.entra.clientSecret} password=hunter2-password`;
    remember(secretish);
    const providerError = await invoke(app.fn.redirect, `/api/redirect?error=server_error&error_description=${encodeURIComponent(secretish)}&state=x`);
    expect(providerError.status).toBe(503); // RFC 6749: server_error is the redirect's 500
    const refused = await invoke(app.fn.redirect, `/api/redirect?error=invalid_client&error_description=${encodeURIComponent(secretish)}&state=x`);
    expect(refused.status).toBe(500);
  });

  it('a tampered ID token, Entra refusing or unreachable, the downstream API failing, revoked refresh tokens', async () => {
    const tampered = new CookieJar();
    const started = await startSignIn(app, tampered);
    remember(new URL(started.callback).searchParams.get('code'));
    app.entra.tamper = { foreignKey: true };
    try {
      expect((await tampered.invoke(app.fn.redirect, started.callback)).status).toBe(400);
    } finally {
      app.entra.tamper = undefined;
    }

    const leaky = new CookieJar();
    const leakyStart = await startSignIn(app, leaky);
    remember(new URL(leakyStart.callback).searchParams.get('code'));
    app.msw.use(
      http.post(app.entra.metadata.token_endpoint, () =>
        HttpResponse.json({ error: 'invalid_client', error_description: `AADSTS7000215: secret ${app.entra.clientSecret} is wrong` }, { status: 401 }),
        { once: true },
      ),
    );
    // A refused client secret is the app's misconfiguration: 500 by design (identity-errors.ts), with the tenant's code as the logged reason.
    const leakyResult = await leaky.invoke(app.fn.redirect, leakyStart.callback);
    expect(leakyResult.status).toBe(500);
    expect(leakyResult.logs.join('\n')).toContain('msal:invalid_client');

    const offline = new CookieJar();
    const offlineStart = await startSignIn(app, offline);
    remember(new URL(offlineStart.callback).searchParams.get('code'));
    app.msw.use(http.post(app.entra.metadata.token_endpoint, () => HttpResponse.error(), { once: true }));
    expect((await offline.invoke(app.fn.redirect, offlineStart.callback)).status).toBe(503);

    const jar = await jarSignIn(DEFAULT_USERS[1]);
    app.msw.use(http.get(app.entra.graphMe, () => HttpResponse.json({ error: { message: 'boom' } }, { status: 500 }), { once: true }));
    expect((await jar.invoke(app.fn.me, '/api/me')).status).toBe(502);

    app.entra.accessTokenLifetime = 60;
    try {
      const expiring = await jarSignIn(DEFAULT_USERS[1]);
      app.entra.revokeRefreshTokens();
      expect((await expiring.invoke(app.fn.me, '/api/me')).status).toBe(401);
    } finally {
      app.entra.accessTokenLifetime = 3600;
    }
  });

  it('bearer tokens: good, forged, without the scope, and on-behalf-of', async () => {
    const good = await app.entra.accessToken(DEFAULT_USERS[0]!);
    const noScope = await app.entra.accessToken(DEFAULT_USERS[0]!, { scopes: [`api://${app.entra.clientId}/other`] });
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.AAAA`;
    for (const token of [good, noScope, forged]) remember(token);
    expect((await invoke(app.fn.claims, '/api/claims', { headers: { authorization: `Bearer ${good}` } })).status).toBe(200);
    expect((await invoke(app.fn.me, '/api/me', { headers: { authorization: `Bearer ${good}` } })).status).toBe(200);
    expect((await invoke(app.fn.claims, '/api/claims', { headers: { authorization: `Bearer ${noScope}` } })).status).toBe(403);
    expect((await invoke(app.fn.claims, '/api/claims', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    expect((await invoke(app.fn.claims, '/api/claims', { headers: { authorization: `Basic ${Buffer.from('user:hunter2-password').toString('base64')}` } })).status).toBe(401);
  });

  it('the session store down, and a validly signed cookie with an odd session id', async () => {
    const jar = await jarSignIn();
    await proxy.down();
    try {
      for (const fn of [app.fn.claims, app.fn.me, app.fn.home, app.fn.logout, app.fn.sessions]) {
        expect((await jar.invoke(fn, `/api/${fn.route}`, { headers: SAME_ORIGIN })).status).toBe(503);
      }
    } finally {
      await proxy.up();
    }
    // A validly signed cookie naming a user key and a secret the Cosmos SDK would refuse as ids (this answered 500 before 3fdafd4).
    const { kid, key } = createKeyRing([COOKIE_SECRET], 'session').current;
    const odd = await new SignJWT({ u: 'odd/session#id', s: 'odd/session#id' }).setProtectedHeader({ alg: 'HS256', kid }).setExpirationTime('1h').sign(key);
    remember(odd);
    const result = await invoke(app.fn.claims, '/api/claims', { headers: { cookie: `${SESSION_COOKIE}=${odd}` } });
    expect(result.status).toBeGreaterThanOrEqual(400);
    remember('odd/session#id');
  });
});

describe('the logs', () => {
  const allLines = () => [...invocations.flatMap((invocation) => invocation.logs), ...consoleLines];

  it('were collected (sanity)', () => {
    expect(invocations.length).toBeGreaterThan(35);
    expect(sensitive.size).toBeGreaterThan(30);
  });

  it('hold no token, cookie value, code, state, secret, key, password or e-mail address', () => {
    const problems: string[] = [];
    const patterns: Array<[string, RegExp]> = [
      ['a JWT', /eyJ[A-Za-z0-9_-]{4,}/],
      ['an Entra access or refresh token', /\b(?:at|rt)-[0-9a-f]{8}-[0-9a-f]{4}-/],
      ['an authorization code', /\bcode-[0-9a-f]{8}-/],
      ['a password', /password|hunter2/i],
      // The parameter or JSON field, not the setting's name (a setup mistake names CLIENT_SECRET, never its value).
      ['a client secret parameter', /client_secret"?\s*[=:]/i],
      ['an e-mail address', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/],
      ['a query string', /\?[^"\s]*=/],
    ];
    for (const line of allLines()) {
      for (const [what, pattern] of patterns) if (pattern.test(line)) problems.push(`${what}: ${line.slice(0, 300)}`);
      for (const value of sensitive) if (line.includes(value)) problems.push(`a value seen on the wire (${value.slice(0, 12)}…): ${line.slice(0, 300)}`);
    }
    expect(problems).toEqual([]);
  });

  it('have exactly one structured JSON line per request, carrying its invocation id', () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const invocation of invocations) {
      const structured = invocation.logs.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          return typeof parsed === 'object' && parsed !== null ? [parsed] : [];
        } catch {
          return [];
        }
      });
      const requests = structured.filter((entry) => entry.event === 'request');
      if (requests.length !== 1) problems.push(`${invocation.functionName} ${invocation.invocationId}: ${requests.length} request lines`);
      if (structured.length !== invocation.logs.length) problems.push(`${invocation.functionName}: ${invocation.logs.length - structured.length} unstructured lines`);
      const [entry] = requests;
      if (!entry) continue;
      if (entry.invocationId !== invocation.invocationId) problems.push(`${invocation.functionName}: invocationId ${String(entry.invocationId)}`);
      if (entry.function !== invocation.functionName) problems.push(`${invocation.invocationId}: function ${String(entry.function)}`);
      if (entry.status !== invocation.status) problems.push(`${invocation.invocationId}: status ${String(entry.status)} vs ${invocation.status}`);
      if (typeof entry.path !== 'string' || entry.path.includes('?') || entry.path !== new URL(invocation.url).pathname) problems.push(`${invocation.invocationId}: path ${String(entry.path)}`);
      if (typeof entry.durationMs !== 'number') problems.push(`${invocation.invocationId}: no durationMs`);
      if (invocation.status >= 400 && typeof entry.error !== 'string') problems.push(`${invocation.invocationId}: ${invocation.status} without an error code`);
      ids.add(invocation.invocationId);
    }
    expect(problems).toEqual([]);
    expect(ids.size).toBe(invocations.length);
    const statuses = new Set(invocations.map((invocation) => invocation.status));
    for (const status of [200, 302, 400, 401, 403, 500, 502, 503]) expect(statuses).toContain(status);
  });

  it('keep the console quiet: nothing from src/ but the known library warnings (dev/known-warnings.ts)', () => {
    const unexpected = consoleLines.filter((line) => !isKnownWarning(line, KNOWN_WARNINGS.outsideFunctionsHost));
    expect(unexpected).toEqual([]);
  });
});
