/**
 * The results of one run: the targets judged, the tables printed, and the
 * JSON written to bench/results/ (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { ColdStartResult } from './cold-start/cold-start';
import type { CosmosCost } from './cosmos/tally';
import type { BenchOptions } from './lib/options';
import { fixed, ratio, table } from './lib/table';
import type { AuthenticatedLoadRun } from './scenarios/authenticated-load';
import type { CosmosCostResult } from './scenarios/cosmos-cost';
import type { SignInThroughput } from './scenarios/sign-in-throughput';
import type { TokenCacheGrowthResult } from './scenarios/token-cache-growth';

export const COLD_START_TARGET_MS = 150;
/** `ours`: the tsc output in plain node (as deployed); `oursDev`: the stack's development host under tsx. */
export type AppKey = 'ours' | 'oursDev' | 'cookie' | 'cosmos';
export const APP_NAMES: Record<AppKey, string> = {
  ours: 'ours (compiled, node)',
  oursDev: 'ours (npm run dev host, tsx)',
  cookie: '(a) express-openid-connect, cookie session',
  cosmos: '(b) express-openid-connect, Cosmos store',
};
const APP_ORDER: AppKey[] = ['ours', 'oursDev', 'cookie', 'cosmos'];

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
  authenticatedLoad: AuthenticatedLoadRun[];
  signIn: SignInThroughput[];
  cosmosCost: CosmosCostResult;
  coldStart: ColdStartResult;
  tokenCacheGrowth: TokenCacheGrowthResult;
  targets: Array<{ target: string; met: boolean; detail: string }>;
}

export function describeMachine(loadAtStart: number[]): Machine {
  const cores = cpus();
  return { node: process.version, cpus: `${cores.length} × ${cores[0]?.model ?? 'unknown'}`, loadAtStart, loadAtEnd: loadavg() };
}

function run(results: Pick<BenchResults, 'authenticatedLoad'>, app: AppKey, connections: number): AuthenticatedLoadRun | undefined {
  return results.authenticatedLoad.find((entry) => entry.target === app && entry.connections === connections);
}

export function judgeTargets(results: Omit<BenchResults, 'targets'>): BenchResults['targets'] {
  const connections = results.options.connections;
  const pairs = connections.map((c) => ({ c, ours: run(results, 'ours', c)!, b: run(results, 'cosmos', c)! }));
  const deployed = results.coldStart.variants.find((variant) => variant.name === 'tsc (deployed)')!;
  const wrongCounts = results.cosmosCost.endpoints.filter((endpoint) => !endpoint.met);
  const growth = results.tokenCacheGrowth;
  const signInPairs = results.options.signInConcurrency.map((c) => ({
    ours: results.signIn.find((entry) => entry.app === 'ours' && entry.concurrency === c)!,
    b: results.signIn.find((entry) => entry.app === 'cosmos' && entry.concurrency === c)!,
  }));
  return [
    {
      target: 'GET /claims req/s of ours (compiled) ≥ baseline (b) at every concurrency',
      met: pairs.every(({ ours, b }) => ours.requestsPerSecond >= b.requestsPerSecond),
      detail: pairs.map(({ c, ours, b }) => `c=${c}: ${ratio(ours.requestsPerSecond, b.requestsPerSecond)}`).join(', '),
    },
    {
      target: 'GET /claims p99 of ours (compiled) ≤ baseline (b) at every concurrency',
      met: pairs.every(({ ours, b }) => ours.latencyMs.p99 <= b.latencyMs.p99),
      detail: pairs.map(({ c, ours, b }) => `c=${c}: ${fixed(ours.latencyMs.p99, 2)} vs ${fixed(b.latencyMs.p99, 2)} ms`).join(', '),
    },
    {
      target: 'No failed requests under load, no failed sign-ins',
      met: results.authenticatedLoad.every((entry) => entry.non2xx === 0 && entry.errors === 0) && results.signIn.every((entry) => entry.failed === 0),
      detail:
        [
          ...results.authenticatedLoad
            .filter((entry) => entry.non2xx > 0 || entry.errors > 0)
            .map((entry) => `${entry.target} c=${entry.connections}: ${entry.non2xx} non-2xx, ${entry.errors} errors`),
          ...results.signIn.filter((entry) => entry.failed > 0).map((entry) => `${entry.app} ${entry.concurrency} at a time: ${entry.failed} failed sign-ins (${entry.firstFailure?.split('\n')[0]})`),
        ].join('; ') || 'none',
    },
    {
      target: 'Sign-ins/s of ours (compiled) ≥ baseline (b) at every concurrency',
      met: signInPairs.every(({ ours, b }) => ours.perSecond >= b.perSecond),
      detail: signInPairs.map(({ ours, b }) => `${ours.concurrency} at a time: ${ratio(ours.perSecond, b.perSecond)}`).join(', '),
    },
    {
      target: 'Cosmos requests per endpoint exactly as documented',
      met: wrongCounts.length === 0 && results.cosmosCost.touchWrites === 0,
      detail: wrongCounts.length === 0 ? `all ${results.cosmosCost.endpoints.length} checks; idle-touch writes: ${results.cosmosCost.touchWrites}` : wrongCounts.map((e) => `${e.endpoint} (${e.condition})`).join('; '),
    },
    {
      target: `Cold start: function modules loaded < ${COLD_START_TARGET_MS} ms after process start (deployed package)`,
      met: deployed.modulesLoadedMs < COLD_START_TARGET_MS,
      detail: `${fixed(deployed.modulesLoadedMs)} ms (of which requiring the modules ${fixed(deployed.requireMs)} ms)`,
    },
    {
      target: `Token cache of one user flat after ${growth.otherUsers} other sign-ins`,
      met: growth.flat,
      detail: `${growth.firstUser.afterSignIn.bytes} -> ${growth.firstUser.afterOthers.bytes} bytes`,
    },
  ];
}

function costCells(cost: CosmosCost): string[] {
  return [cost.pointRead, cost.write, cost.delete, cost.batch, cost.query, cost.queryPlan, cost.metadata, cost.requestCharge].map((value) => fixed(value, 2));
}

export function formatReport(results: BenchResults): string {
  const { options, machine } = results;
  const out: string[] = [];
  out.push(
    `Benchmark of ${results.startedAt} (${Math.round(results.seconds)} s) on ${machine.cpus}, Node ${machine.node}`,
    `Load average at start ${machine.loadAtStart.map((v) => v.toFixed(2)).join('/')}, at end ${machine.loadAtEnd.map((v) => v.toFixed(2)).join('/')}${options.quick ? '  [BENCH_QUICK: smoke run, figures not comparable]' : ''}`,
    '',
  );

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

  out.push(`2. Full sign-in, scripted browser over HTTP (${options.signInSeconds} s per app and concurrency, in ${options.rounds} rounds): login -> provider form -> callback -> session cookie`);
  out.push(
    table(
      ['at a time', 'app', 'sign-ins/s', 'failed', 'total p50 ms', 'total p99 ms', 'login p50 ms', 'callback p50 ms', 'callback p99 ms', 'app CPU ms/sign-in', 'vs (b)', 'vs (a)'],
      results.signIn.map((entry) => {
        const peer = (app: AppKey) => results.signIn.find((other) => other.app === app && other.concurrency === entry.concurrency)!;
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

  const cost = results.cosmosCost;
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

  const cold = results.coldStart;
  out.push(`4. Cold start, fresh node processes (median of ${options.coldRuns}), ms since the process started; target: modules loaded < ${COLD_START_TARGET_MS} ms`);
  out.push(
    table(
      ['variant', 'JS bytes', 'modules loaded', 'CPU ms', 'requiring app', 'first login done', 'login CPU ms', 'what it is'],
      cold.variants.map((v) => [
        v.name,
        v.bytes === undefined ? '' : String(v.bytes),
        fixed(v.modulesLoadedMs),
        fixed(v.modulesLoadedCpuMs),
        fixed(v.requireMs),
        fixed(v.firstLoginMs),
        fixed(v.firstLoginCpuMs),
        v.description,
      ]),
      'lrrrrrrl',
    ),
  );
  const http = cold.http;
  out.push(
    `Over HTTP (development host compiled to JS, serving the tsc output; ${http.runs} runs): listening ${fixed(http.listeningMs)} ms after spawn, first /api/login answered ${fixed(http.firstLoginAnsweredMs)} ms after spawn`,
    `  (that request ${fixed(http.firstLoginRequestMs)} ms, the next ${fixed(http.secondLoginRequestMs)} ms); first /api/claims ${fixed(http.firstClaimsRequestMs)} ms (loads the Cosmos SDK), the next ${fixed(http.secondClaimsRequestMs)} ms.`,
    '',
  );

  const growth = results.tokenCacheGrowth;
  const size = (s: { bytes: number; cacheBytes: number; accounts: number }) => `${s.bytes} B (cache ${s.cacheBytes} B, ${s.accounts} account)`;
  out.push(
    `5. Token cache growth: one user's document, then ${growth.otherUsers} other users sign in`,
    `  after its sign-in ${size(growth.firstUser.afterSignIn)}; after the others ${size(growth.firstUser.afterOthers)}; after its own /api/me ${size(growth.firstUser.afterOwnApiCall)}`,
    `  the others' ${growth.others.documents} documents: ${growth.others.minBytes}–${growth.others.maxBytes} B, at most ${growth.others.maxAccounts} account each. Flat: ${growth.flat ? 'yes' : 'NO'}`,
    '',
  );

  out.push('Targets');
  for (const target of results.targets) out.push(`  [${target.met ? 'x' : ' '}] ${target.target}: ${target.detail}`);
  return out.join('\n');
}

export function writeResults(results: BenchResults, directory: string): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `bench-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(directory, 'latest.json'), text);
  return file;
}
