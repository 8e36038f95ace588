/**
 * Cosmos DB requests per endpoint of our app, counted at the proxy, in steady
 * state: after one warm-up pass (the first requests of an instance also read
 * the account and containers, and create them if missing), each sample is
 * the difference of the proxy's tally around exactly one request.
 *
 * Every sample's session was signed in or read by the same instance moments
 * before, so it is in the instance's session cache: what a request costs on
 * a warm instance. `/api/claims` is also sampled on an instance with the
 * cache off (SESSION_CACHE_SECONDS=0), where every request reads Cosmos DB:
 * what any request with a session adds when it misses the cache.
 *
 * `/api/me` is measured twice: while the access token from sign-in is still
 * valid, and after MSAL considers it expired. The stack's provider issues
 * access tokens for `accessTokenTtlSeconds`; MSAL renews a token 300 s
 * before it expires, so a lifetime of 300 + w seconds gives a window of w
 * seconds in which the token counts as valid, after which the next call
 * refreshes it (and writes the cache back).
 *
 * Then the ways of seeing and ending sessions, each user on several
 * "devices" (sign-ins of their own): the list, ending one, ending the others,
 * signing out everywhere, front-channel logout by Entra's `sid`, and an
 * administrator's revoke with an app token.
 */
import type { Container } from '@azure/cosmos';
import type { CountingCosmos } from '../cosmos/local-cosmos';
import type { CosmosTally } from '../cosmos/counting-proxy';
import { costOf, subtractTally, type CosmosCost } from '../cosmos/tally';
import { cachesOf, readTokenCaches, sidOfSession } from '../cosmos/token-caches';
import { signIn, type SignInTarget, type SignedIn } from '../lib/sign-in';
import type { BenchUser } from '../lib/users';

/** MSAL's default `tokenRenewalOffsetSeconds`. */
export const MSAL_RENEWAL_OFFSET_SECONDS = 300;

export interface EndpointCost {
  endpoint: string;
  condition: string;
  samples: number;
  /** Mean per request. */
  perRequest: CosmosCost;
  /** Every sample cost the same. */
  uniform: boolean;
  target: string;
  met: boolean;
  note?: string;
}

export interface CosmosCostResult {
  /** The very first sign-in on a fresh instance: metadata reads and container creation on top of the two writes. */
  firstSignIn: CosmosCost;
  /** Everything the warm-up pass did. */
  warmUp: CosmosCost;
  endpoints: EndpointCost[];
  /** Session idle-touch writes (`sessions` patch: the idle clock and the token cache's ttl) over the whole scenario: must be 0. */
  touchWrites: number;
}

interface Check {
  target: string;
  ok(cost: CosmosCost): boolean;
}

/** Exactly these requests and nothing else (no metadata either; the SDK's query plan goes with each query). */
const exactly = (expected: Partial<Record<'pointRead' | 'write' | 'delete' | 'batch' | 'query', number>>) => (c: CosmosCost) =>
  c.metadata === 0 &&
  c.queryPlan <= c.query &&
  (['pointRead', 'write', 'delete', 'batch', 'query'] as const).every((kind) => c[kind] === (expected[kind] ?? 0));
const CHECKS: Record<string, Check> = {
  login: { target: '0 Cosmos requests', ok: exactly({}) },
  redirect: { target: '1 transactional batch, nothing else', ok: exactly({ batch: 1 }) },
  claims: { target: '0 Cosmos requests', ok: exactly({}) },
  claimsUncached: { target: 'exactly 1 point read, 0 writes', ok: exactly({ pointRead: 1 }) },
  meValid: { target: '1 point read (the token cache), 0 writes', ok: exactly({ pointRead: 1 }) },
  meRefreshed: { target: '1 point read, ≤ 1 write (the refreshed cache)', ok: (c) => c.pointRead === 1 && c.write <= 1 && c.batch + c.delete + c.query + c.metadata === 0 },
  logout: { target: '1 batch (2 deletes)', ok: exactly({ batch: 1 }) },
  list: { target: '1 single-partition query', ok: (c) => exactly({ query: 1 })(c) && onePartitionQueries(c) === 1 },
  endOne: { target: '1 batch', ok: exactly({ batch: 1 }) },
  endOthers: { target: '1 single-partition query + 1 batch (≤ 100 deletes)', ok: (c) => exactly({ query: 1, batch: 1 })(c) && onePartitionQueries(c) === 1 },
  everywhere: { target: '1 query + 1 batch', ok: (c) => exactly({ query: 1, batch: 1 })(c) && onePartitionQueries(c) === 1 },
  frontChannel: { target: '1 cross-partition query on the sid hash + 1 batch', ok: (c) => exactly({ query: 1, batch: 1 })(c) && onePartitionQueries(c) === 0 },
  admin: { target: '1 single-partition query + 1 batch', ok: (c) => exactly({ query: 1, batch: 1 })(c) && onePartitionQueries(c) === 1 },
};

function onePartitionQueries(cost: CosmosCost): number {
  return Object.entries(cost.details)
    .filter(([key]) => key.includes('query/query (one partition)'))
    .reduce((total, [, count]) => total + count, 0);
}

/** Our app's database, and the account itself (`-`); not the baseline's. */
export const onlyOurs = (container: string) => container === '-' || container.split('/')[0] === 'auth';

class Sampler {
  constructor(private readonly cosmos: CountingCosmos) {}

  /** The tally difference around `action`: one sample. */
  async around(action: () => Promise<unknown>): Promise<CosmosTally> {
    const before = await this.cosmos.tally();
    await action();
    return subtractTally(await this.cosmos.tally(), before);
  }
}

function endpointCost(endpoint: string, condition: string, check: Check, samples: CosmosTally[], note?: string, alsoRequired = true): EndpointCost {
  const costs = samples.map((sample) => costOf(sample, onlyOurs));
  const merged: CosmosTally = { counts: {}, charges: {} };
  for (const sample of samples) {
    for (const [key, value] of Object.entries(sample.counts)) merged.counts[key] = (merged.counts[key] ?? 0) + value;
    for (const [key, value] of Object.entries(sample.charges)) merged.charges[key] = (merged.charges[key] ?? 0) + value;
  }
  const signature = (cost: CosmosCost) => JSON.stringify(cost.details);
  return {
    endpoint,
    condition,
    samples: samples.length,
    perRequest: costOf(merged, onlyOurs, samples.length),
    uniform: costs.every((cost) => signature(cost) === signature(costs[0]!)),
    target: check.target,
    met: alsoRequired && samples.length > 0 && costs.every((cost) => check.ok(cost)),
    ...(note ? { note } : {}),
  };
}

/** A browser navigating within the app, or its page's script: `Sec-Fetch-Site: same-origin`, as Chromium sends it. */
async function send(url: string, cookie: string, init: { method?: string; headers?: Record<string, string>; form?: Record<string, string> } = {}): Promise<number> {
  const response = await fetch(url, {
    method: init.method ?? (init.form ? 'POST' : 'GET'),
    headers: { cookie, 'sec-fetch-site': 'same-origin', ...init.headers },
    ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response.status;
}

const get = (url: string, cookie: string) => send(url, cookie);

async function json<T>(url: string, cookie: string): Promise<T> {
  const response = await fetch(url, { headers: { cookie } });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

async function expectStatus(what: string, status: Promise<number>, expected: number): Promise<void> {
  const actual = await status;
  if (actual !== expected) throw new Error(`${what} answered ${actual}, expected ${expected}`);
}

export async function measureCosmosCost(options: {
  target: SignInTarget;
  functionsUrl: string;
  /** An instance of our app with the session cache off (same Cosmos DB), for `/api/claims` on a cache miss. */
  uncached: SignInTarget;
  cosmos: CountingCosmos;
  tokenCaches: Container;
  users: BenchUser[];
  samples: number;
  accessTokenTtlSeconds: number;
  /** Measured by the caller, around the first request the instance ever served. */
  firstSignIn: CosmosCost;
  /** An administrator's app token for the app's API (client credentials with the app role). */
  adminToken: () => Promise<string>;
}): Promise<CosmosCostResult> {
  const { target, functionsUrl, cosmos, samples } = options;
  const sampler = new Sampler(cosmos);
  const start = await cosmos.tally();
  const users = options.users.slice(0, samples);
  if (users.length < samples) throw new Error(`need ${samples} bench users, have ${users.length}`);

  // Warm-up: the endpoints once, so that any first-use work is out of the way.
  const warm = await sampler.around(async () => {
    const { cookie } = await signIn(target, users[0]!);
    await expectStatus('warm-up claims', get(`${functionsUrl}/claims`, cookie), 200);
    await expectStatus('warm-up me', get(`${functionsUrl}/me`, cookie), 200);
    await expectStatus('warm-up sessions', get(`${functionsUrl}/sessions`, cookie), 200);
    await expectStatus('warm-up logout', get(`${functionsUrl}/logout`, cookie), 302);
    // The first cross-partition query of an instance also reads the container's partition key ranges.
    await expectStatus('warm-up front-channel', get(`${functionsUrl}/logout/frontchannel?sid=${crypto.randomUUID()}`, ''), 200);
  });

  const login: CosmosTally[] = [];
  for (let i = 0; i < samples; i += 1) login.push(await sampler.around(() => expectStatus('login', get(target.loginUrl, ''), 302)));

  // Sign-ins, each sampled around its callback only (the provider's pages touch no Cosmos anyway).
  const redirect: CosmosTally[] = [];
  const sessions: SignedIn[] = [];
  let firstSignIn = 0;
  let lastSignIn = 0;
  for (const user of users) {
    let before: CosmosTally | undefined;
    const session = await signIn(target, user, {
      beforeCallback: async () => void (before = await cosmos.tally()),
      afterCallback: async () => void redirect.push(subtractTally(await cosmos.tally(), before!)),
    });
    lastSignIn = Date.now();
    firstSignIn ||= lastSignIn;
    sessions.push(session);
  }

  const claims: CosmosTally[] = [];
  const meValid: CosmosTally[] = [];
  for (const { cookie } of sessions) {
    claims.push(await sampler.around(() => expectStatus('claims', get(`${functionsUrl}/claims`, cookie), 200)));
    meValid.push(await sampler.around(() => expectStatus('me', get(`${functionsUrl}/me`, cookie), 200)));
  }
  const { cookie: uncachedCookie } = await signIn(options.uncached, users[0]!);
  await expectStatus('warm-up claims, cache off', get(options.uncached.claimsUrl, uncachedCookie), 200);
  const claimsUncached: CosmosTally[] = [];
  for (let i = 0; i < samples; i += 1) {
    claimsUncached.push(await sampler.around(() => expectStatus('claims, cache off', get(options.uncached.claimsUrl, uncachedCookie), 200)));
  }
  const validWindowMs = (options.accessTokenTtlSeconds - MSAL_RENEWAL_OFFSET_SECONDS) * 1000;
  const stillValid = Date.now() - firstSignIn < validWindowMs;

  // Past the window, MSAL must refresh: one call per session. The stored access tokens' expiries tell whether it did.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastSignIn + validWindowMs + 1000 - Date.now())));
  const cachesBefore = await readTokenCaches(options.tokenCaches);
  const meRefreshed: CosmosTally[] = [];
  for (const { cookie } of sessions) meRefreshed.push(await sampler.around(() => expectStatus('me', get(`${functionsUrl}/me`, cookie), 200)));
  const cachesAfter = await readTokenCaches(options.tokenCaches);
  const refreshed = users.filter((user) => {
    const [after] = cachesOf(cachesAfter, user.oid);
    const previous = after && cachesBefore.get(after.id);
    return after && previous && after.accessTokenExpiries.join() !== previous.accessTokenExpiries.join();
  }).length;

  const logout: CosmosTally[] = [];
  for (const { cookie } of sessions) logout.push(await sampler.around(() => expectStatus('logout', get(`${functionsUrl}/logout`, cookie), 302)));

  // Seeing and ending sessions: each user signs in on several devices (outside the samples) for each way.
  const list: CosmosTally[] = [];
  const endOne: CosmosTally[] = [];
  const endOthers: CosmosTally[] = [];
  const everywhere: CosmosTally[] = [];
  const frontChannel: CosmosTally[] = [];
  const admin: CosmosTally[] = [];
  const adminToken = await options.adminToken();
  for (const user of users) {
    const devices = async (count: number) => Promise.all(Array.from({ length: count }, () => signIn(target, user).then((signedIn) => signedIn.cookie)));
    const [laptop, phone] = await devices(2);
    list.push(await sampler.around(() => expectStatus('GET /sessions', get(`${functionsUrl}/sessions`, laptop!), 200)));
    const { sessions: phoneView } = await json<{ sessions: Array<{ id: string; current: boolean }> }>(`${functionsUrl}/sessions`, phone!);
    const phoneId = phoneView.find((entry) => entry.current)!.id;
    endOne.push(await sampler.around(() => expectStatus('DELETE /sessions/{id}', send(`${functionsUrl}/sessions/${phoneId}`, laptop!, { method: 'DELETE' }), 204)));
    await devices(2);
    endOthers.push(await sampler.around(() => expectStatus('DELETE /sessions', send(`${functionsUrl}/sessions`, laptop!, { method: 'DELETE' }), 200)));
    await devices(1);
    everywhere.push(await sampler.around(() => expectStatus('logout everywhere', send(`${functionsUrl}/logout`, laptop!, { form: { everywhere: '1' } }), 302)));
    const [framed] = await devices(1);
    const { sessions: framedView } = await json<{ sessions: Array<{ id: string; current: boolean }> }>(`${functionsUrl}/sessions`, framed!);
    const sid = await sidOfSession(options.tokenCaches, framedView.find((entry) => entry.current)!.id);
    if (!sid) throw new Error('the provider issued no sid');
    frontChannel.push(await sampler.around(() => expectStatus('front-channel logout', get(`${functionsUrl}/logout/frontchannel?sid=${sid}`, ''), 200)));
    await devices(2);
    admin.push(
      await sampler.around(() =>
        expectStatus('admin revoke', send(`${functionsUrl}/users/${user.oid}/sessions`, '', { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } }), 200),
      ),
    );
  }

  const whole = costOf(subtractTally(await cosmos.tally(), start), onlyOurs);
  const touchWrites = Object.entries(whole.details)
    .filter(([key]) => key.startsWith('auth/sessions write/patch'))
    .reduce((total, [, count]) => total + count, 0);

  return {
    firstSignIn: options.firstSignIn,
    warmUp: costOf(warm, onlyOurs),
    touchWrites,
    endpoints: [
      endpointCost('GET /api/login', 'start sign-in', CHECKS.login!, login),
      endpointCost('GET /api/redirect', 'complete sign-in', CHECKS.redirect!, redirect),
      endpointCost('GET /api/claims', 'valid session cookie', CHECKS.claims!, claims),
      endpointCost('GET /api/claims', 'the same, session cache off', CHECKS.claimsUncached!, claimsUncached),
      endpointCost('GET /api/me', 'access token valid', CHECKS.meValid!, meValid, stillValid ? undefined : 'the validity window had passed: samples may include refreshes'),
      endpointCost('GET /api/me', 'access token expired (MSAL refreshes)', CHECKS.meRefreshed!, meRefreshed, `${refreshed}/${users.length} caches hold a new access token`, refreshed === users.length),
      endpointCost('GET /api/logout', 'this device', CHECKS.logout!, logout),
      endpointCost('GET /api/sessions', 'the caller\'s sessions (2)', CHECKS.list!, list),
      endpointCost('DELETE /api/sessions/{id}', 'one other session', CHECKS.endOne!, endOne),
      endpointCost('DELETE /api/sessions', 'all other sessions (3)', CHECKS.endOthers!, endOthers),
      endpointCost('POST /api/logout', 'everywhere=1 (2 sessions)', CHECKS.everywhere!, everywhere),
      endpointCost('GET /api/logout/frontchannel', 'Entra\'s sid, no cookie', CHECKS.frontChannel!, frontChannel),
      endpointCost('DELETE /api/users/{id}/sessions', 'admin app token (2 sessions)', CHECKS.admin!, admin),
    ],
  };
}
