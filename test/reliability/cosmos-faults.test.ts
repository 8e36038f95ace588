/**
 * Cosmos DB faults at the HTTP level, through the real handlers: the store
 * down, throttled (429 + x-ms-retry-after-ms), unavailable (503), slow (below
 * and beyond the SDK's 5 s request timeout), connections reset before and
 * after the server committed a write, and 412 ETag races (100 requests of one
 * session at once, on one instance and on two: test/functions/two-instances.test.ts).
 *
 * Every endpoint must answer 503 with Retry-After (or 401 where documented),
 * never 500; only reads and never-executed writes may be retried; and nothing
 * committed may be lost: once the fault clears, the same cookie works and
 * /api/me still gets a token from the cache in Cosmos.
 *
 * Access tokens live 60 s (inside MSAL's 5-minute renewal window), so every
 * /api/me refreshes and writes the token cache back with If-Match.
 */
import { decodeJwt } from 'jose';
import { CosmosClient, type Container } from '@azure/cosmos';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import {
  cosmosError,
  preconditionFailed,
  startCosmosFaultProxy,
  throttle,
  unavailable,
  type CosmosFaultProxy,
  type CosmosRequest,
  type LogEntry,
} from '../helpers/cosmos-fault-proxy';
import { sessionIdOf, tokenCacheIdOf } from '../../src/lib/session/ids';
import { CookieJar, SAME_ORIGIN, type InvokeResult } from '../helpers/functions';
import { SESSION_COOKIE, signIn, startSignIn } from '../helpers/sign-in-steps';

let app: AppUnderTest;
let proxy: CosmosFaultProxy;
let direct: Container;

beforeAll(async () => {
  // The session cache off, so that every request reads Cosmos DB and meets the fault (test/functions/store-faults.test.ts has it on).
  app = await startApp({ COSMOS_ENDPOINT: 'http://127.0.0.1:1', SESSION_CACHE_SECONDS: '0' });
  proxy = await startCosmosFaultProxy(app.cosmos.endpoint);
  // The runtime reads the setting on first use: from now on the app reaches Cosmos only through the proxy.
  process.env.COSMOS_ENDPOINT = proxy.url;
  app.entra.accessTokenLifetime = 60;
  await signIn(app); // creates the database and containers
  const client = new CosmosClient({ endpoint: app.cosmos.endpoint, key: app.cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
  const database = client.database(app.env.COSMOS_DATABASE!);
  direct = database.container('sessions');
});

afterEach(async () => {
  proxy.clear();
  await proxy.up(); // no-op unless a test left it down
});

afterAll(async () => {
  await proxy.close();
  await app.stop();
});

// ---------------------------------------------------------------------------

/** The session a browser's cookie names: its user's partition, its document id, and its token cache's id. */
function sessionOf(jar: CookieJar) {
  const { u, s } = decodeJwt<{ u: string; s: string }>(jar.cookies.get(SESSION_COOKIE)!);
  const sid = sessionIdOf(s);
  return { userKey: u, sid, tokens: tokenCacheIdOf(sid) };
}

/** Requests of one kind to the sessions container, for one document when `id` is given (batches: any operation on it). */
const on = (operation: CosmosRequest['operation'], container: string, id?: string) => (request: CosmosRequest) =>
  request.operation === operation &&
  request.container === container &&
  (id === undefined || request.docId === id || (request.batch?.some((item) => item.id === id) ?? false));

const entriesFor = (operation: CosmosRequest['operation'], container: string, id?: string, since = 0) =>
  proxy.log.slice(since).filter((entry: LogEntry) => on(operation, container, id)(entry));

async function tokenCacheDoc(session: { userKey: string; tokens: string }) {
  const { resource } = await direct.item(session.tokens, session.userKey).read<{ cache: string; _etag: string }>();
  return resource;
}

function refreshTokenIn(cache: string): string | undefined {
  const parsed = JSON.parse(cache) as { RefreshToken?: Record<string, { secret: string }> };
  return Object.values(parsed.RefreshToken ?? {})[0]?.secret;
}

function expectUnavailable(result: InvokeResult) {
  expect(result.status, `${result.body.slice(0, 300)} ${result.logs.join(' ')}`).toBe(503);
  expect(result.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(result.headers['cache-control']).toBe('no-store');
  expect(result.body).toContain('store_unavailable');
  expect(result.body).not.toMatch(/\bat .+:\d+:\d+/);
}

async function signedIn() {
  const jar = new CookieJar();
  await signIn(app, jar);
  const session = sessionOf(jar);
  return { jar, session, sid: session.sid, tokens: session.tokens };
}

const signOut = (jar: CookieJar) => jar.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: SAME_ORIGIN });

/** After the fault: the same cookie still works, and /api/me still gets a token from the cache in Cosmos. */
async function expectRecovered(jar: CookieJar) {
  expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  const me = await jar.invoke(app.fn.me, '/api/me');
  expect(me.status, me.body).toBe(200);
  expect(me.json()).toMatchObject({ mail: 'alice@example.com' });
}

// ---------------------------------------------------------------------------

describe('the store is down', () => {
  it('every endpoint that needs it answers 503 (page or problem+json), sign-in start still works, and the session survives', async () => {
    const { jar } = await signedIn();
    const pending = new CookieJar();
    const { callback } = await startSignIn(app, pending);
    await proxy.down();

    for (const fn of [app.fn.claims, app.fn.me]) {
      const result = await jar.invoke(fn, `/api/${fn.name}`);
      expectUnavailable(result);
      expect(result.headers['content-type']).toBe('application/problem+json');
    }
    const home = await jar.invoke(app.fn.home, '/api/home');
    expectUnavailable(home);
    expect(home.headers['content-type']).toContain('text/html');

    const logout = await signOut(jar);
    expectUnavailable(logout);
    expect(jar.cookies.has(SESSION_COOKIE)).toBe(true);

    // /api/login needs no store.
    expect((await new CookieJar().invoke(app.fn.login, '/api/login')).status).toBe(302);
    // The callback cannot save the session: 503, and no session cookie.
    const callbackResult = await pending.invoke(app.fn.redirect, callback);
    expectUnavailable(callbackResult);
    expect(pending.cookies.has(SESSION_COOKIE)).toBe(false);

    await proxy.up();
    await expectRecovered(jar);
    // The interrupted sign-in's code is spent; starting again works.
    expect((await signIn(app, pending)).redirect.status).toBe(302);
  }, 30_000);
});

describe('429 throttling with x-ms-retry-after-ms', () => {
  it('is retried by the SDK when brief: the request succeeds', async () => {
    const { jar, sid } = await signedIn();
    const mark = proxy.log.length;
    proxy.inject((request) => (on('read', 'sessions', sid)(request) ? throttle(50) : undefined), { times: 2 });
    expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
    expect(entriesFor('read', 'sessions', sid, mark).map((entry) => entry.action)).toEqual(['respond', 'respond', 'pass']);
  });

  it('answers 503 with the service\'s hint as Retry-After once the SDK gives up, within seconds', async () => {
    const { jar, sid } = await signedIn();
    const mark = proxy.log.length;
    proxy.inject((request) => (on('read', 'sessions', sid)(request) ? throttle(1200) : undefined));
    const started = Date.now();
    const result = await jar.invoke(app.fn.claims, '/api/claims');
    const elapsed = Date.now() - started;
    expectUnavailable(result);
    expect(result.headers['retry-after']).toBe('2'); // ceil(1200 ms)
    expect(entriesFor('read', 'sessions', sid, mark)).toHaveLength(4); // 1 + maxRetryAttemptCount 3
    expect(elapsed).toBeLessThan(20_000);
    proxy.clear();
    await expectRecovered(jar);
  }, 40_000);

  it('retries the throttled sign-in batch (the server never executed it) and stores one session with its token cache', async () => {
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    const mark = proxy.log.length;
    proxy.inject((request) => (on('batch', 'sessions')(request) ? throttle(20) : undefined), { times: 1 });
    expect((await jar.invoke(app.fn.redirect, callback)).status).toBe(302);
    const { sid, userKey, tokens } = sessionOf(jar);
    expect(entriesFor('batch', 'sessions', sid, mark).map((entry) => entry.upstreamStatus)).toEqual([undefined, 200]);
    const { resources } = await direct.items
      .query({ query: 'SELECT c.id FROM c WHERE c.userKey = @userKey AND (c.id = @id OR c.id = @tokens)', parameters: [{ name: '@userKey', value: userKey }, { name: '@id', value: sid }, { name: '@tokens', value: tokens }] })
      .fetchAll();
    expect(resources).toHaveLength(2);
    await expectRecovered(jar);
  });

  it('retries a throttled token-cache write during a refresh, and the write lands once', async () => {
    const { jar, tokens } = await signedIn();
    const mark = proxy.log.length;
    proxy.inject((request) => (on('replace', 'sessions', tokens)(request) ? throttle(20) : undefined), { times: 2 });
    const me = await jar.invoke(app.fn.me, '/api/me');
    expect(me.status).toBe(200);
    expect(entriesFor('replace', 'sessions', tokens, mark).map((entry) => entry.upstreamStatus)).toEqual([undefined, undefined, 200]);
    await expectRecovered(jar);
  });
});

describe('503 ServiceUnavailable from Cosmos', () => {
  it('on the session read: 503 with Retry-After for the API and for the start page', async () => {
    const { jar, sid } = await signedIn();
    proxy.inject((request) => (on('read', 'sessions', sid)(request) ? unavailable() : undefined));
    expectUnavailable(await jar.invoke(app.fn.claims, '/api/claims'));
    const home = await jar.invoke(app.fn.home, '/api/home');
    expectUnavailable(home);
    expect(home.headers['content-type']).toContain('text/html');
    proxy.clear();
    await expectRecovered(jar);
  });

  it('on the token-cache write after a refresh: 503, and the next call refreshes again with a token that works', async () => {
    const { jar, tokens } = await signedIn();
    proxy.inject((request) => (on('replace', 'sessions', tokens)(request) ? unavailable() : undefined));
    expectUnavailable(await jar.invoke(app.fn.me, '/api/me'));
    proxy.clear();
    await expectRecovered(jar);
  });

  it('on sign-out: 503 and the cookie is kept; signing out again finishes the job', async () => {
    const { jar, sid, session } = await signedIn();
    const stolen = jar.header();
    proxy.inject((request) => (on('batch', 'sessions', sid)(request) ? unavailable() : undefined));
    expectUnavailable(await signOut(jar));
    expect(jar.cookies.has(SESSION_COOKIE)).toBe(true);
    proxy.clear();
    expect((await signOut(jar)).status).toBe(302);
    expect((await new CookieJar().invoke(app.fn.claims, '/api/claims', { headers: { cookie: stolen } })).status).toBe(401);
    expect(await tokenCacheDoc(session)).toBeUndefined();
  });
});

describe('slow responses', () => {
  it('a slow store (800 ms) is waited for', async () => {
    const { jar, sid } = await signedIn();
    proxy.inject((request) => (on('read', 'sessions', sid)(request) ? { kind: 'delay', ms: 800 } : undefined), { times: 1 });
    const started = Date.now();
    expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(750);
  });

  it('a read beyond the SDK\'s 5 s request timeout answers 503 instead of hanging', async () => {
    const { jar, sid } = await signedIn();
    proxy.inject((request) => (on('read', 'sessions', sid)(request) ? { kind: 'delay', ms: 5_600 } : undefined), { times: 1 });
    const started = Date.now();
    const result = await jar.invoke(app.fn.claims, '/api/claims');
    const elapsed = Date.now() - started;
    await expectRecovered(jar);
    expect(elapsed).toBeLessThan(20_000);
    expectUnavailable(result);
  }, 40_000);

  it('a token-cache write that times out but commits later is not lost', async () => {
    const { jar, tokens } = await signedIn();
    const mark = proxy.log.length;
    proxy.inject((request) => (on('replace', 'sessions', tokens)(request) ? { kind: 'delay', ms: 5_600 } : undefined), { times: 1 });
    const result = await jar.invoke(app.fn.me, '/api/me');
    // Wait until the delayed write has reached the server.
    const [write] = entriesFor('replace', 'sessions', tokens, mark);
    await expect.poll(() => write?.upstreamStatus, { timeout: 5_000, interval: 50 }).toBe(200);
    await expectRecovered(jar);
    expectUnavailable(result);
  }, 20_000);
});

/**
 * Production talks to Cosmos over https. Here the local Cosmos DB API runs over https
 * too, and every response is slower than the SDK's 5 s request timeout: a read must
 * still end (503) within seconds, as the timeout's comment in cosmos.ts intends (this
 * is why src/lib/cosmos.ts turns endpoint discovery off).
 */
describe('slow responses over https, as in production', () => {
  it('a read slower than the request timeout ends within seconds, not minutes', async () => {
    const { createHttpsServer } = await import('@vercel/cosmosdb-server');
    const { openSessionsContainer, cosmosCall } = await import('../../src/lib/cosmos');
    const server = createHttpsServer();
    const handlers = server.listeners('request') as Array<(...args: unknown[]) => void>;
    server.removeAllListeners('request');
    let delayMs = 0;
    let requests = 0;
    server.on('request', (...args: unknown[]) => {
      requests += 1;
      setTimeout(() => handlers.forEach((handler) => handler(...args)), delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the local server's self-signed certificate
    // Node warns once that this setting is insecure: true, meant, and noise in the test output. Other warnings still print.
    const printWarning = process.listeners('warning');
    process.removeAllListeners('warning');
    process.on('warning', (warning) => {
      if (!warning.message.startsWith('Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable')) for (const print of printWarning) print(warning);
    });
    try {
      const { port } = server.address() as { port: number };
      const container = await openSessionsContainer({
        endpoint: `https://127.0.0.1:${port}/`,
        key: app.cosmos.key,
        database: 'https-timeouts',
        sessionsContainer: 'sessions',
        createIfMissing: true,
      });
      await container.items.create({ id: 'slow', userKey: 'slow' });
      delayMs = 6_000;
      requests = 0;
      const started = Date.now();
      const outcome = await Promise.race([
        cosmosCall('read your session', () => container.item('slow', 'slow').read()).then(
          () => 'answered',
          (error: unknown) => `failed: ${(error as { code?: string }).code ?? (error as Error).name}`,
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 20_000)),
      ]);
      console.info(`https, every response 6 s late: after ${Date.now() - started} ms "${outcome}", ${requests} attempts so far`);
      expect(outcome, 'with endpoint discovery on, the SDK would retry a timed-out request (RestError REQUEST_SEND_ERROR) through EndpointDiscoveryRetryPolicy: 120 tries, 1 s apart').toBe('failed: store_unavailable');
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      process.removeAllListeners('warning');
      for (const print of printWarning) process.on('warning', print);
      server.closeAllConnections();
      server.close();
    }
  }, 40_000);
});

describe('connection resets', () => {
  it('a reset read is retried by the SDK (reads are safe to repeat)', async () => {
    const { jar, sid } = await signedIn();
    const mark = proxy.log.length;
    proxy.inject((request) => (on('read', 'sessions', sid)(request) ? { kind: 'reset-before' } : undefined), { times: 1 });
    expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
    expect(entriesFor('read', 'sessions', sid, mark).map((entry) => entry.action)).toEqual(['reset-before', 'pass']);
  });

  it('a reset write is not repeated blindly: 503, one attempt, and the next call works', async () => {
    const { jar, tokens } = await signedIn();
    const mark = proxy.log.length;
    proxy.inject((request) => (on('replace', 'sessions', tokens)(request) ? { kind: 'reset-before' } : undefined), { times: 1 });
    expectUnavailable(await jar.invoke(app.fn.me, '/api/me'));
    expect(entriesFor('replace', 'sessions', tokens, mark)).toHaveLength(1);
    await expectRecovered(jar);
  });

  it('a write that committed before the connection was reset is kept, and the next call builds on it', async () => {
    const { jar, session, tokens } = await signedIn();
    const before = await tokenCacheDoc(session);
    proxy.inject((request) => (on('replace', 'sessions', tokens)(request) ? { kind: 'reset-after' } : undefined), { times: 1 });
    expectUnavailable(await jar.invoke(app.fn.me, '/api/me'));
    const committed = await tokenCacheDoc(session);
    expect(committed!._etag).not.toBe(before!._etag);
    expect(refreshTokenIn(committed!.cache)).not.toBe(refreshTokenIn(before!.cache));
    await expectRecovered(jar);
    // The refresh after recovery used (and replaced) the committed refresh token.
    expect(refreshTokenIn((await tokenCacheDoc(session))!.cache)).not.toBe(refreshTokenIn(committed!.cache));
  });

  it('a sign-in batch that committed before the reset: 503, no cookie, both documents taken back; signing in again works', async () => {
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    const mark = proxy.log.length;
    proxy.inject((request) => (on('batch', 'sessions')(request) ? { kind: 'reset-after' } : undefined), { times: 1 });
    expectUnavailable(await jar.invoke(app.fn.redirect, callback));
    expect(jar.cookies.has(SESSION_COOKIE)).toBe(false);
    const [batch] = entriesFor('batch', 'sessions', undefined, mark);
    expect(batch!.upstreamStatus).toBe(200); // committed
    expect(entriesFor('batch', 'sessions', undefined, mark)).toHaveLength(1); // not retried
    const [sessionId, tokensId] = batch!.batch!.map((operation) => operation.id!);
    // The outcome was unknown to the app: it deleted both again, so no session lingers that no cookie holds.
    expect(entriesFor('delete', 'sessions', undefined, mark).map((entry) => entry.docId).sort()).toEqual([sessionId, tokensId].sort());
    const { resources } = await direct.items
      .query({ query: 'SELECT c.id FROM c WHERE c.id = @id OR c.id = @tokens', parameters: [{ name: '@id', value: sessionId! }, { name: '@tokens', value: tokensId! }] })
      .fetchAll();
    expect(resources).toEqual([]);
    await signIn(app, jar);
    await expectRecovered(jar);
  });

  it('a sign-out whose batch committed before the reset: 503, then signing out again is idempotent', async () => {
    const { jar, sid, session } = await signedIn();
    const stolen = jar.header();
    proxy.inject((request) => (on('batch', 'sessions', sid)(request) ? { kind: 'reset-after' } : undefined), { times: 1 });
    expectUnavailable(await signOut(jar));
    expect((await signOut(jar)).status).toBe(302);
    expect((await new CookieJar().invoke(app.fn.claims, '/api/claims', { headers: { cookie: stolen } })).status).toBe(401);
    expect(await tokenCacheDoc(session)).toBeUndefined();
  });

  it('reads that keep being reset end in 503 (after the SDK\'s read retries)', async () => {
    const { jar, sid } = await signedIn();
    const mark = proxy.log.length;
    proxy.inject((request) => (on('read', 'sessions', sid)(request) ? { kind: 'reset-before' } : undefined));
    const started = Date.now();
    expectUnavailable(await jar.invoke(app.fn.claims, '/api/claims'));
    const elapsed = Date.now() - started;
    const attempts = entriesFor('read', 'sessions', sid, mark).length;
    console.info(`persistent connection resets on a session read: ${attempts} attempts, 503 after ${elapsed} ms`);
    expect(elapsed).toBeLessThan(15_000);
    proxy.clear();
    await expectRecovered(jar);
  }, 30_000);
});

describe('412 ETag races on the token cache', () => {
  it('one lost race is merged and retried: the refresh is kept', async () => {
    const { jar, tokens } = await signedIn();
    const mark = proxy.log.length;
    proxy.inject((request) => (on('replace', 'sessions', tokens)(request) ? preconditionFailed() : undefined), { times: 1 });
    expect((await jar.invoke(app.fn.me, '/api/me')).status).toBe(200);
    expect(entriesFor('replace', 'sessions', tokens, mark).map((entry) => entry.clientStatus)).toEqual([412, 200]);
    expect(entriesFor('read', 'sessions', tokens, mark)).toHaveLength(2); // the request's own read, then the merge's
    await expectRecovered(jar);
  });

  it('endless races give up after 8 attempts with 503 Retry-After, and the cache still works afterwards', async () => {
    const { jar, tokens } = await signedIn();
    const mark = proxy.log.length;
    proxy.inject((request) => (on('replace', 'sessions', tokens)(request) ? preconditionFailed() : undefined));
    expectUnavailable(await jar.invoke(app.fn.me, '/api/me'));
    expect(entriesFor('replace', 'sessions', tokens, mark)).toHaveLength(8);
    proxy.clear();
    await expectRecovered(jar);
  });

  it('a lost race on the session\'s idle-clock write is ignored', async () => {
    const { jar, sid } = await signedIn();
    const realNow = Date.now;
    Date.now = () => realNow() + 6 * 60 * 1000; // past the 5-minute touch interval
    try {
      const mark = proxy.log.length;
      proxy.inject((request) => (on('patch', 'sessions', sid)(request) ? preconditionFailed() : undefined), { times: 1 });
      expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
      expect(entriesFor('patch', 'sessions', sid, mark).map((entry) => entry.clientStatus)).toEqual([412]);
    } finally {
      Date.now = realNow;
    }
  });
});

describe('malformed error answers (a gateway in front of Cosmos, or an outage page)', () => {
  const malformed: Array<[string, ReturnType<typeof cosmosError>]> = [
    ['503 with an empty body', { kind: 'respond', status: 503, headers: { 'content-length': '0' }, body: '' }],
    ['502 with an HTML body', { kind: 'respond', status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>Bad Gateway</body></html>' }],
    ['429 with an empty body', { kind: 'respond', status: 429, headers: { 'x-ms-retry-after-ms': '10' }, body: '' }],
  ];
  it.each(malformed)('%s on the session read → 503, not 500', async (_label, action) => {
    const { jar, sid } = await signedIn();
    proxy.inject((request) => (on('read', 'sessions', sid)(request) ? action : undefined));
    const result = await jar.invoke(app.fn.claims, '/api/claims');
    proxy.clear();
    await expectRecovered(jar);
    expect(result.status, result.body).not.toBe(500);
    expectUnavailable(result);
  });
});
