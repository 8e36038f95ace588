/**
 * The results of one run: the targets judged, the tables printed, and the
 * JSON written to bench/results/ (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { ColdStartResult } from './cold-start/cold-start';
import type { CosmosCost } from './cosmos/tally';
import { SCENARIOS, type BenchOptions } from './lib/options';
import { fixed, ratio, table } from './lib/table';
import type { AuthenticatedLoadRun } from './scenarios/authenticated-load';
import type { ConcurrentRefresh } from './scenarios/concurrent-refresh';
import type { CosmosCostResult } from './scenarios/cosmos-cost';
import type { SignInThroughput } from './scenarios/sign-in-throughput';
import type { TokenCacheGrowthResult } from './scenarios/token-cache-growth';

/** Issue targets for the deployed package, ms: modules loaded after process start, first /api/login answered after spawn, first /api/claims itself. */
export const COLD_START_TARGETS = { modulesLoadedMs: 80, firstLoginAnsweredMs: 150, firstClaimsRequestMs: 60 };
/** GET /claims of ours as deployed against the baselines: req/s above one connection, and app CPU per request. */
export const LOAD_TARGETS = { requestsVsCookie: 1.5, requestsVsStore: 3, cpuVsCookie: 0.7 };
/** `ours`: the deployed bundle in plain node, as deployed; `oursNoCache`: the same with SESSION_CACHE_SECONDS=0. */
export type AppKey = 'ours' | 'oursNoCache' | 'cookie' | 'cosmos';
export const APP_NAMES: Record<AppKey, string> = {
  ours: 'ours (compiled, node)',
  oursNoCache: 'ours, session cache off',
  cookie: '(a) express-openid-connect, cookie session',
  cosmos: '(b) express-openid-connect, Cosmos store',
};
const APP_ORDER: AppKey[] = ['ours', 'oursNoCache', 'cookie', 'cosmos'];

export interface Machine {
  node: string;
  cpus: string;
  /** 1/5/15-minute load averages: this machine is shared, and other work skews the figures. */
  loadAtStart: number[];
  loadAtEnd: number[];
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  machine: Machine;
  options: BenchOptions;
  /** Each part is there when its scenario ran (`BENCH_ONLY`). */
  authenticatedLoad?: AuthenticatedLoadRun[];
  signIn?: SignInThroughput[];
  cosmosCost?: CosmosCostResult;
  coldStart?: ColdStartResult;
  tokenCacheGrowth?: TokenCacheGrowthResult;
  /** 100 concurrent /api/me of one session with an expired access token: on one instance, then on two. */
  concurrentRefresh?: ConcurrentRefresh[];
  targets: Array<{ target: string; met: boolean; detail: string }>;
}

export function describeMachine(loadAtStart: number[]): Machine {
  const cores = cpus();
  return { node: process.version, cpus: `${cores.length} × ${cores[0]?.model ?? 'unknown'}`, loadAtStart, loadAtEnd: loadavg() };
}

function run(results: Pick<BenchResults, 'authenticatedLoad'>, app: AppKey, connections: number): AuthenticatedLoadRun | undefined {
  return results.authenticatedLoad?.find((entry) => entry.target === app && entry.connections === connections);
}

type Target = BenchResults['targets'][number];

export function judgeTargets(results: Omit<BenchResults, 'targets'>): BenchResults['targets'] {
  return [
    ...(results.authenticatedLoad ? loadTargets(results, results.authenticatedLoad) : []),
    ...(results.authenticatedLoad || results.signIn ? [failureTarget(results.authenticatedLoad ?? [], results.signIn ?? [])] : []),
    ...(results.signIn ? [signInTarget(results, results.signIn)] : []),
    ...(results.cosmosCost ? cosmosCostTargets(results.cosmosCost) : []),
    ...(results.coldStart ? coldStartTargets(results.coldStart) : []),
    ...(results.tokenCacheGrowth ? [growthTarget(results.tokenCacheGrowth)] : []),
    ...(results.concurrentRefresh ? [refreshTarget(results.concurrentRefresh)] : []),
  ];
}

function loadTargets(results: Omit<BenchResults, 'targets'>, load: AuthenticatedLoadRun[]): Target[] {
  const at = (c: number) => ({ c, ours: run({ authenticatedLoad: load }, 'ours', c)!, a: run({ authenticatedLoad: load }, 'cookie', c)!, b: run({ authenticatedLoad: load }, 'cosmos', c)! });
  const all = results.options.connections.map(at);
  const single = all.filter(({ c }) => c === 1);
  const several = all.filter(({ c }) => c > 1);
  const { requestsVsCookie, requestsVsStore, cpuVsCookie } = LOAD_TARGETS;
  return [
    ...(single.length > 0
      ? [
          {
            target: 'GET /claims p50 of ours (compiled) at 1 connection ≤ baseline (a)',
            met: single.every(({ ours, a }) => ours.latencyMs.p50 <= a.latencyMs.p50),
            detail: single.map(({ ours, a }) => `${fixed(ours.latencyMs.p50, 2)} vs ${fixed(a.latencyMs.p50, 2)} ms (${ratio(ours.latencyMs.p50, a.latencyMs.p50)})`).join(''),
          },
        ]
      : []),
    ...(several.length > 0
      ? [
          {
            target: `GET /claims req/s of ours (compiled) ≥ ${requestsVsCookie}× (a) and ≥ ${requestsVsStore}× (b) above 1 connection`,
            met: several.every(({ ours, a, b }) => ours.requestsPerSecond >= requestsVsCookie * a.requestsPerSecond && ours.requestsPerSecond >= requestsVsStore * b.requestsPerSecond),
            detail: several.map(({ c, ours, a, b }) => `c=${c}: ${ratio(ours.requestsPerSecond, a.requestsPerSecond)} (a), ${ratio(ours.requestsPerSecond, b.requestsPerSecond)} (b)`).join(', '),
          },
        ]
      : []),
    {
      target: `App CPU per GET /claims of ours (compiled) ≤ ${cpuVsCookie}× (a) at every concurrency`,
      met: all.every(({ ours, a }) => ours.appCpuMsPerRequest !== undefined && a.appCpuMsPerRequest !== undefined && ours.appCpuMsPerRequest <= cpuVsCookie * a.appCpuMsPerRequest),
      detail: all.map(({ c, ours, a }) => `c=${c}: ${fixed(ours.appCpuMsPerRequest, 3)} vs ${fixed(a.appCpuMsPerRequest, 3)} ms (${ratio(ours.appCpuMsPerRequest ?? NaN, a.appCpuMsPerRequest ?? NaN)})`).join(', '),
    },
  ];
}

function failureTarget(load: AuthenticatedLoadRun[], signIn: SignInThroughput[]): Target {
  return {
    target: 'No failed requests under load, no failed sign-ins',
    met: load.every((entry) => entry.non2xx === 0 && entry.errors === 0) && signIn.every((entry) => entry.failed === 0),
    detail:
      [
        ...load.filter((entry) => entry.non2xx > 0 || entry.errors > 0).map((entry) => `${entry.target} c=${entry.connections}: ${entry.non2xx} non-2xx, ${entry.errors} errors`),
        ...signIn.filter((entry) => entry.failed > 0).map((entry) => `${entry.app} ${entry.concurrency} at a time: ${entry.failed} failed sign-ins (${entry.firstFailure?.split('\n')[0]})`),
      ].join('; ') || 'none',
  };
}

function signInTarget(results: Omit<BenchResults, 'targets'>, signIn: SignInThroughput[]): Target {
  const pairs = results.options.signInConcurrency.map((c) => ({
    ours: signIn.find((entry) => entry.app === 'ours' && entry.concurrency === c)!,
    b: signIn.find((entry) => entry.app === 'cosmos' && entry.concurrency === c)!,
  }));
  return {
    target: 'Sign-ins/s of ours (compiled) ≥ baseline (b) at every concurrency',
    met: pairs.every(({ ours, b }) => ours.perSecond >= b.perSecond),
    detail: pairs.map(({ ours, b }) => `${ours.concurrency} at a time: ${ratio(ours.perSecond, b.perSecond)}`).join(', '),
  };
}

function cosmosCostTargets(cost: CosmosCostResult): Target[] {
  const wrongCounts = cost.endpoints.filter((endpoint) => !endpoint.met);
  const claims = cost.endpoints.filter((endpoint) => endpoint.endpoint === 'GET /api/claims');
  return [
    {
      target: 'Cosmos per GET /api/claims: 0 requests on a cache hit, exactly 1 point read with the cache off',
      met: claims.length === 2 && claims.every((endpoint) => endpoint.met),
      detail: claims.map((endpoint) => `${endpoint.condition}: ${fixed(endpoint.perRequest.pointRead, 2)} point reads, ${fixed(endpoint.perRequest.write, 2)} writes`).join('; '),
    },
    {
      target: 'Cosmos requests per endpoint exactly as documented',
      met: wrongCounts.length === 0 && cost.touchWrites === 0,
      detail: wrongCounts.length === 0 ? `all ${cost.endpoints.length} checks; idle-touch writes: ${cost.touchWrites}` : wrongCounts.map((e) => `${e.endpoint} (${e.condition})`).join('; '),
    },
  ];
}

function refreshTarget(bursts: ConcurrentRefresh[]): Target {
  const one = bursts.find((burst) => burst.instances === 1);
  const two = bursts.find((burst) => burst.instances === 2);
  return {
    target: '100 concurrent /api/me with an expired token: all 200 and 1 refresh at the tenant on one instance; all 200 and ≤ 2 refreshes on two',
    met: !!one && !!two && one.ok === one.requests && one.idpRefreshes === 1 && two.ok === two.requests && two.idpRefreshes <= 2,
    detail: bursts.map((burst) => `${burst.instances} instance${burst.instances === 1 ? '' : 's'}: ${burst.ok}/${burst.requests} × 200, ${burst.idpRefreshes} refresh${burst.idpRefreshes === 1 ? '' : 'es'}`).join('; '),
  };
}

/** Judged on the deployed package, as served with AUTHORITY_METADATA set (the discovery variant shows what a tenant round trip adds). */
function coldStartTargets(cold: ColdStartResult): Target[] {
  const modules = cold.variants.find((variant) => variant.deployed && variant.firstLoginMs === undefined)!;
  const http = cold.http.find((variant) => variant.name === 'deployed bundle')!;
  const { modulesLoadedMs, firstLoginAnsweredMs, firstClaimsRequestMs } = COLD_START_TARGETS;
  return [
    {
      target: `Cold start: the deployed package's modules loaded ≤ ${modulesLoadedMs} ms after process start`,
      met: modules.modulesLoadedMs <= modulesLoadedMs,
      detail: `${fixed(modules.modulesLoadedMs)} ms (requiring the bundle ${fixed(modules.requireMs)} ms; node alone ${fixed(cold.variants[0]!.modulesLoadedMs)} ms)`,
    },
    {
      target: `Cold start: first /api/login answered ≤ ${firstLoginAnsweredMs} ms after spawn (deployed package over HTTP)`,
      met: http.firstLoginAnsweredMs <= firstLoginAnsweredMs,
      detail: `${fixed(http.firstLoginAnsweredMs)} ms (listening at ${fixed(http.listeningMs)} ms, the request ${fixed(http.firstLoginRequestMs)} ms; ${fixed(http.firstLoginAnsweredCpuMs)} ms of CPU by then)`,
    },
    {
      target: `Cold start: first /api/claims ≤ ${firstClaimsRequestMs} ms (deployed package over HTTP)`,
      met: http.firstClaimsRequestMs <= firstClaimsRequestMs,
      detail: `${fixed(http.firstClaimsRequestMs)} ms (the next ${fixed(http.secondClaimsRequestMs)} ms; ${fixed(http.firstClaimsCpuMs)} ms of CPU)`,
    },
  ];
}

function growthTarget(growth: TokenCacheGrowthResult): Target {
  return {
    target: `Token cache of one user flat after ${growth.otherUsers} other sign-ins`,
    met: growth.flat,
    detail: `${growth.firstUser.afterSignIn.bytes} -> ${growth.firstUser.afterOthers.bytes} bytes`,
  };
}

function costCells(cost: CosmosCost): string[] {
  return [cost.pointRead, cost.write, cost.delete, cost.batch, cost.query, cost.queryPlan, cost.metadata, cost.requestCharge].map((value) => fixed(value, 2));
}

export function formatReport(results: BenchResults): string {
  const { options, machine } = results;
  const out: string[] = [];
  out.push(
    `Benchmark of ${results.startedAt} (${Math.round(results.seconds)} s) on ${machine.cpus}, Node ${machine.node}`,
    `Load average at start ${machine.loadAtStart.map((v) => v.toFixed(2)).join('/')}, at end ${machine.loadAtEnd.map((v) => v.toFixed(2)).join('/')}${options.quick ? '  [BENCH_QUICK: smoke run, figures not comparable]' : ''}${options.only.length < SCENARIOS.length ? `  [BENCH_ONLY=${options.only.join(',')}]` : ''}`,
    '',
  );
  if (results.authenticatedLoad) out.push(...loadSection(results, options));
  if (results.signIn) out.push(...signInSection(results.signIn, options));
  if (results.cosmosCost) out.push(...cosmosCostSection(results.cosmosCost, options));
  if (results.coldStart) out.push(...coldStartSection(results.coldStart, options));
  if (results.tokenCacheGrowth) out.push(...growthSection(results.tokenCacheGrowth));
  if (results.concurrentRefresh) out.push(...refreshSection(results.concurrentRefresh));

  out.push('Targets');
  for (const target of results.targets) out.push(`  [${target.met ? 'x' : ' '}] ${target.target}: ${target.detail}`);
  return out.join('\n');
}

function loadSection(results: BenchResults, options: BenchOptions): string[] {
  const out: string[] = [];
  out.push(`1. Authenticated GET /claims with a valid session cookie (autocannon; ${options.durationSeconds} s per app and concurrency, in ${options.rounds} rounds taken in turns; latency of 2xx answers)`);
  const loadRows: Array<Array<string | number>> = [];
  for (const c of options.connections) {
    const a = run(results, 'cookie', c)!;
    const b = run(results, 'cosmos', c)!;
    for (const app of APP_ORDER) {
      const entry = run(results, app, c);
      if (!entry) continue;
      const cosmos = entry.cosmosPerRequest;
      loadRows.push([
        c,
        APP_NAMES[app],
        fixed(entry.requestsPerSecond, 0),
        fixed(entry.latencyMs.p50, 2),
        fixed(entry.latencyMs.p99, 2),
        fixed(entry.appCpuMsPerRequest, 3),
        `${fixed(cosmos.pointRead, 2)} r / ${fixed(cosmos.write, 2)} w`,
        ratio(entry.requestsPerSecond, b.requestsPerSecond),
        ratio(entry.latencyMs.p99, b.latencyMs.p99),
        ratio(entry.requestsPerSecond, a.requestsPerSecond),
        ratio(entry.latencyMs.p99, a.latencyMs.p99),
      ]);
    }
  }
  out.push(
    table(['conns', 'app', 'req/s', 'p50 ms', 'p99 ms', 'app CPU ms/req', 'Cosmos/req', 'req/s vs (b)', 'p99 vs (b)', 'req/s vs (a)', 'p99 vs (a)'], loadRows, 'rlrrrrrrrrr'),
    'app CPU = user+system time of the app\'s process per request (from /proc), which other load on the machine disturbs far less than req/s.',
    '',
  );
  return out;
}

function signInSection(signIn: SignInThroughput[], options: BenchOptions): string[] {
  const out: string[] = [];
  out.push(`2. Full sign-in, scripted browser over HTTP (${options.signInSeconds} s per app and concurrency, in ${options.rounds} rounds): login -> provider form -> callback -> session cookie`);
  out.push(
    table(
      ['at a time', 'app', 'sign-ins/s', 'failed', 'total p50 ms', 'total p99 ms', 'login p50 ms', 'callback p50 ms', 'callback p99 ms', 'app CPU ms/sign-in', 'vs (b)', 'vs (a)'],
      signIn.map((entry) => {
        const peer = (app: AppKey) => signIn.find((other) => other.app === app && other.concurrency === entry.concurrency)!;
        return [
          entry.concurrency,
          APP_NAMES[entry.app as AppKey],
          fixed(entry.perSecond, 1),
          entry.failed,
          fixed(entry.totalMs.p50),
          fixed(entry.totalMs.p99),
          fixed(entry.loginMs.p50, 2),
          fixed(entry.callbackMs.p50, 2),
          fixed(entry.callbackMs.p99, 2),
          fixed(entry.appCpuMsPerSignIn, 2),
          ratio(entry.perSecond, peer('cosmos').perSecond),
          ratio(entry.perSecond, peer('cookie').perSecond),
        ];
      }),
      'rlrrrrrrrrrr',
    ),
    'login and callback are the app\'s own requests (the callback includes its token request to the provider). The providers and the',
    'scripted browsers share the bench process; at several sign-ins at a time they, more than the apps, set the pace.',
    '',
  );
  return out;
}

function cosmosCostSection(cost: CosmosCostResult, options: BenchOptions): string[] {
  const out: string[] = [];
  out.push(`3. Cosmos DB requests per request of our app, counted at the proxy, steady state (${options.costSamples} samples each)`);
  out.push(
    table(
      ['endpoint', 'condition', 'point reads', 'writes', 'deletes', 'batches', 'queries', 'query plans', 'metadata', 'RU*', 'same every time', 'target', 'met'],
      cost.endpoints.map((e) => [e.endpoint, e.condition, ...costCells(e.perRequest), e.uniform ? 'yes' : 'no', e.target, e.met ? 'yes' : 'NO']),
      'llrrrrrrrrrlr',
    ),
  );
  for (const e of cost.endpoints) if (e.note) out.push(`  ${e.endpoint} (${e.condition}): ${e.note}`);
  const queries = cost.endpoints.flatMap((e) =>
    Object.entries(e.perRequest.details)
      .filter(([key]) => key.includes(' query/'))
      .map(([key, count]) => `${e.endpoint}: ${count} × ${/\(([^)]+)\)/.exec(key)?.[1] ?? key}`),
  );
  if (queries.length > 0) out.push(`Queries by scope: ${queries.join('; ')}. Each query also sends the SDK's query-plan request to the gateway, in parallel; it reads no documents.`);
  const counts = (c: CosmosCost) => `${c.metadata} metadata, ${c.pointRead} point reads, ${c.write} writes, ${c.delete} deletes, ${c.batch} batches, ${c.query} queries (+ ${c.queryPlan} query plans)`;
  out.push(
    `First sign-in on the fresh instance (its first request): ${counts(cost.firstSignIn)}. Warm-up pass before the samples (sign-in, claims, me, sessions, logout, front-channel): ${counts(cost.warmUp)}.`,
    `Session idle-touch writes over the whole scenario: ${cost.touchWrites} (they happen at most every 5 minutes per session).`,
    'RU* = x-ms-request-charge as the local Cosmos DB API reports it: 1 for every request. The counts are exact; the RUs are not real.',
    '',
  );
  return out;
}

function coldStartSection(cold: ColdStartResult, options: BenchOptions): string[] {
  const { modulesLoadedMs, firstLoginAnsweredMs, firstClaimsRequestMs } = COLD_START_TARGETS;
  const sdkNames = cold.sdks.map((sdk) => sdk.name);
  return [
    `4. Cold start, fresh node processes (median of ${options.coldRuns}), ms since the process started; targets for the deployed package: modules loaded ≤ ${modulesLoadedMs} ms, first /api/login answered ≤ ${firstLoginAnsweredMs} ms after spawn, first /api/claims ≤ ${firstClaimsRequestMs} ms`,
    table(
      ['variant', 'JS bytes', 'modules loaded', 'CPU ms', 'requiring app', ...sdkNames.map((name) => `then ${name.replace('@azure/', '')}`), 'first login done', 'login CPU ms', 'what it is'],
      cold.variants.map((v) => [
        `${v.name}${v.deployed ? ' *' : ''}`,
        v.bytes === undefined ? '' : String(v.bytes),
        fixed(v.modulesLoadedMs),
        fixed(v.modulesLoadedCpuMs),
        fixed(v.requireMs),
        ...sdkNames.map((name) => fixed(v.sdkLoadMs?.[name])),
        fixed(v.firstLoginMs),
        fixed(v.firstLoginCpuMs),
        v.description,
      ]),
      `lrrrr${'r'.repeat(sdkNames.length)}rrl`,
    ),
    `* deployed: true. "then …": ms to load that SDK after the app, in this order, as the first request needing it does. SDK bundle bytes: ${cold.sdks.map((sdk) => `${sdk.name} ${sdk.bytes}`).join(', ')}.`,
    '',
    `Over HTTP: a package served through the Functions worker stand-in (median of ${cold.http[0]?.runs ?? 0} runs each); ms from spawning it, and ms of the requests themselves`,
    table(
      ['variant', 'listening', 'first /api/login answered', 'that request', 'next login', 'first /api/claims', 'next claims', 'what it is'],
      cold.http.map((h) => [
        `${h.name}${h.deployed ? ' *' : ''}`,
        `${fixed(h.listeningMs)} (${fixed(h.listeningCpuMs)})`,
        `${fixed(h.firstLoginAnsweredMs)} (${fixed(h.firstLoginAnsweredCpuMs)})`,
        fixed(h.firstLoginRequestMs),
        `${fixed(h.secondLoginRequestMs)} (${fixed(h.secondLoginCpuMs)})`,
        `${fixed(h.firstClaimsRequestMs)} (${fixed(h.firstClaimsCpuMs)})`,
        `${fixed(h.secondClaimsRequestMs)} (${fixed(h.secondClaimsCpuMs)})`,
        h.description,
      ]),
      'lrrrrrrl',
    ),
    '(In brackets: CPU ms of the host process: used by then for listening and the first login, else used since the previous answer, warm-up included.)',
    "The warm-up after an instance's first response loads the Cosmos SDK while the next requests may wait; an instance's first /api/claims opens the containers. The next claims is a warm request.",
    '',
  ];
}

function growthSection(growth: TokenCacheGrowthResult): string[] {
  const size = (s: { bytes: number; cacheBytes: number; accounts: number }) => `${s.bytes} B (cache ${s.cacheBytes} B, ${s.accounts} account)`;
  return [
    `5. Token cache growth: one user's document, then ${growth.otherUsers} other users sign in`,
    `  after its sign-in ${size(growth.firstUser.afterSignIn)}; after the others ${size(growth.firstUser.afterOthers)}; after its own /api/me ${size(growth.firstUser.afterOwnApiCall)}`,
    `  the others' ${growth.others.documents} documents: ${growth.others.minBytes}–${growth.others.maxBytes} B, at most ${growth.others.maxAccounts} account each. Flat: ${growth.flat ? 'yes' : 'NO'}`,
    '',
  ];
}

function refreshSection(bursts: ConcurrentRefresh[]): string[] {
  return [
    '6. Concurrent refresh: one session, its access token due for renewal, concurrent GET /api/me spread over the instances',
    table(
      ['instances', 'requests', '200', 'other statuses', 'refreshes at the provider', 'ms'],
      bursts.map((burst) => [
        burst.instances,
        burst.requests,
        burst.ok,
        Object.entries(burst.statuses)
          .filter(([status]) => status !== '200')
          .map(([status, count]) => `${count} × ${status}`)
          .join(', ') || '–',
        burst.idpRefreshes,
        fixed(burst.ms),
      ]),
      'rrrlrr',
    ),
    '',
  ];
}

export function writeResults(results: BenchResults, directory: string): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `bench-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(directory, 'latest.json'), text);
  return file;
}
