/**
 * A bounded load run: 200 simulated users against the real handlers
 * in-process (msw's fake Entra, the local Cosmos DB API over http), each
 * signing in, calling /api/claims and /api/me a few times and signing out.
 *
 * Prints requests, errors (must be zero), latency percentiles per endpoint and
 * overall, and checks that every session created was deleted: at the end the
 * Cosmos container, queried directly, must hold no session and no token cache.
 *
 * Deterministic in what it does (seeded think times, fixed users and rounds);
 * the latencies are this machine's.
 */
import { CosmosClient } from '@azure/cosmos';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import type { FakeUser } from '../helpers/fake-entra';
import { CookieJar, percentile, SAME_ORIGIN, type InvokeResult } from '../helpers/functions';
import { SESSION_COOKIE } from '../helpers/sign-in-steps';

const USERS = 200;
const ROUNDS = 3; // claims + me per round
const RAMP_MS = 15_000; // users arrive over this long (about 60 % of what this single-threaded stack can serve)
// Bounded by count, not by the clock: every user runs every round, and the test's own timeout is the
// hard stop. Latency is printed, not asserted (a shared 2-core machine makes any time bound flaky).
const TEST_TIMEOUT_MS = 120_000;

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

/** Mulberry32: a tiny seeded PRNG for reproducible think times. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sample {
  endpoint: string;
  ms: number;
  ok: boolean;
}

/** One user at a time: the cost of each request without queueing, to read the loaded figures against. */
async function baseline(cycles: number): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>();
  const time = async (endpoint: string, run: () => Promise<InvokeResult>) => {
    const t0 = performance.now();
    const result = await run();
    times.set(endpoint, [...(times.get(endpoint) ?? []), performance.now() - t0]);
    return result;
  };
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    const jar = new CookieJar();
    const login = await time('login', () => jar.invoke(app.fn.login, '/api/login'));
    await time('redirect', () => jar.invoke(app.fn.redirect, app.entra.authorize(login.location!)));
    await time('claims', () => jar.invoke(app.fn.claims, '/api/claims'));
    await time('me', () => jar.invoke(app.fn.me, '/api/me'));
    await time('logout', () => jar.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: SAME_ORIGIN }));
  }
  return times;
}

describe(`load: ${USERS} users, each signing in, ${ROUNDS} × (claims + me), signing out`, () => {
  it('has no errors, prints its latency, and leaves no session or token cache behind', async () => {
    const sequential = await baseline(20);
    const samples: Sample[] = [];
    const failures: string[] = [];
    let sessionsCreated = 0;
    let sessionsEnded = 0;
    const started = performance.now();

    const timed = async (endpoint: string, expected: number, run: () => Promise<InvokeResult>) => {
      const t0 = performance.now();
      const result = await run();
      const ms = performance.now() - t0;
      const ok = result.status === expected;
      samples.push({ endpoint, ms, ok });
      if (!ok && failures.length < 10) failures.push(`${endpoint} → ${result.status} ${result.body.slice(0, 200)}`);
      return result;
    };

    const user = async (index: number) => {
      const random = prng(1000 + index);
      const person: FakeUser = { oid: randomUUID(), name: `Load User ${index}`, email: `user${index}@example.com` };
      const jar = new CookieJar();
      await sleep((index / USERS) * RAMP_MS);
      const login = await timed('login', 302, () => jar.invoke(app.fn.login, '/api/login'));
      if (login.status !== 302) return;
      const callback = app.entra.authorize(login.location!, person);
      const redirect = await timed('redirect', 302, () => jar.invoke(app.fn.redirect, callback));
      if (!jar.cookies.has(SESSION_COOKIE)) return;
      sessionsCreated += 1;
      for (let round = 0; round < ROUNDS; round += 1) {
        await sleep(random() * 1_000);
        const claims = await timed('claims', 200, () => jar.invoke(app.fn.claims, '/api/claims'));
        if (claims.status === 200 && claims.json<{ claims: { email: string } }>().claims.email !== person.email) {
          failures.push(`user ${index} saw someone else's claims`);
        }
        await sleep(random() * 1_000);
        const me = await timed('me', 200, () => jar.invoke(app.fn.me, '/api/me'));
        if (me.status === 200 && me.json<{ mail: string }>().mail !== person.email) failures.push(`user ${index} got someone else's /me`);
      }
      const logout = await timed('logout', 302, () => jar.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: SAME_ORIGIN }));
      if (logout.status === 302 && !jar.cookies.has(SESSION_COOKIE)) sessionsEnded += 1;
      void redirect;
    };

    await Promise.all(Array.from({ length: USERS }, (_, index) => user(index)));
    const elapsedMs = performance.now() - started;

    // Straight to Cosmos, not through the app: no session and no token cache may be left.
    const client = new CosmosClient({ endpoint: app.cosmos.endpoint, key: app.cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
    const container = client.database(app.env.COSMOS_DATABASE!).container('sessions');
    const count = async (type: string) =>
      (await container.items.query<{ id: string }>({ query: 'SELECT c.id FROM c WHERE c.type = @type', parameters: [{ name: '@type', value: type }] }).fetchAll())
        .resources.length;
    const [sessionsLeft, tokenCachesLeft] = [await count('session'), await count('tokens')];
    const everything = (await container.items.query<{ id: string }>('SELECT c.id FROM c').fetchAll()).resources.length;

    const errors = samples.filter((sample) => !sample.ok).length;
    const all = samples.map((sample) => sample.ms);
    const row = (name: string, values: number[]) =>
      `${name.padEnd(9)} n=${String(values.length).padStart(5)}  p50=${percentile(values, 50).toFixed(1).padStart(6)} ms  p95=${percentile(values, 95).toFixed(1).padStart(6)} ms  p99=${percentile(values, 99).toFixed(1).padStart(6)} ms  max=${Math.max(...values).toFixed(1).padStart(6)} ms`;
    const lines = [
      `one user at a time (20 cycles, warm): ${[...sequential].map(([endpoint, values]) => `${endpoint} p50 ${percentile(values, 50).toFixed(1)} ms`).join(', ')}`,
      `load run: ${USERS} users, ${ROUNDS} rounds, ${(elapsedMs / 1000).toFixed(1)} s, ${samples.length} requests (${(samples.length / (elapsedMs / 1000)).toFixed(0)} req/s), ${errors} errors`,
      row('all', all),
      ...['login', 'redirect', 'claims', 'me', 'logout'].map((endpoint) => row(endpoint, samples.filter((sample) => sample.endpoint === endpoint).map((sample) => sample.ms))),
      `sessions created ${sessionsCreated}, ended ${sessionsEnded}; left in Cosmos: sessions ${sessionsLeft}, token caches ${tokenCachesLeft}`,
    ];
    console.info(lines.join('\n'));

    expect(failures).toEqual([]);
    expect(errors).toBe(0);
    expect(samples.length).toBe(USERS * (3 + 2 * ROUNDS));
    expect(sessionsCreated).toBe(USERS);
    expect(sessionsEnded).toBe(sessionsCreated);
    expect(sessionsLeft).toBe(0);
    expect(tokenCachesLeft).toBe(0);
    expect(everything).toBe(0);
  }, TEST_TIMEOUT_MS);
});
