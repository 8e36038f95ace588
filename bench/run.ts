/**
 * `npm run bench`: our app against two Express baselines
 * (express-openid-connect with its cookie session, and with a Cosmos DB
 * session store), all on free ports on this machine, then a table on stdout
 * and the full results in bench/results/. Progress goes to stderr. See
 * bench/README.md for what each figure means.
 *
 * Processes: this one runs the two local OpenID providers, autocannon and
 * the scripted browsers; children run the Cosmos DB API with its counting
 * proxy, the stack's functions host (tsx), our deployed bundle in plain
 * node (as deployed; with the session cache off; a second instance for the
 * concurrent refresh), and each Express app. `BENCH_ONLY` picks scenarios,
 * and only what they need is started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_USERS } from '../dev/provider';
import { EXPRESS_PATHS, startExpressBaseline, type RunningApp } from './baseline/baseline';
import { measureColdStart } from './cold-start/cold-start';
import { buildCompiledApp, type CompiledApp } from './compiled/build';
import { FUNCTIONS_PATHS, startCompiledApp } from './compiled/compiled-app';
import { startCountingCosmos } from './cosmos/local-cosmos';
import { costOf, subtractTally } from './cosmos/tally';
import { openSessionsContainer } from './cosmos/token-caches';
import { readOptions, type Scenario } from './lib/options';
import { freePort } from './lib/processes';
import { startOurApp, type OurApp } from './lib/our-app';
import { httpRequest } from '../dev/http-form-driver';
import { startSecondProvider } from './lib/second-provider';
import { signIn, type SignInTarget } from './lib/sign-in';
import { makeBenchUsers } from './lib/users';
import { APP_NAMES, describeMachine, formatReport, judgeTargets, writeResults, type AppKey, type BenchResults } from './report';
import { measureAuthenticatedLoad, type LoadTarget } from './scenarios/authenticated-load';
import { measureConcurrentRefresh } from './scenarios/concurrent-refresh';
import { measureCosmosCost, onlyOurs } from './scenarios/cosmos-cost';
import { measureSignInThroughput } from './scenarios/sign-in-throughput';
import { measureTokenCacheGrowth } from './scenarios/token-cache-growth';

const RESULTS = join(__dirname, 'results');

const step = (text: string) => process.stderr.write(`\n== ${text}\n`);

interface BenchApp {
  key: AppKey;
  target: SignInTarget;
  pid?: number;
}

/** Under load: ours as deployed and with the session cache off, and the two baselines. Signing in does not depend on the cache. */
const LOAD_APPS: AppKey[] = ['ours', 'oursNoCache', 'cookie', 'cosmos'];
const SIGN_IN_APPS: AppKey[] = ['ours', 'cookie', 'cosmos'];

/** autocannon gets 127.0.0.1: the servers listen there, and `localhost` may try ::1 first. */
async function loadTarget(app: BenchApp, user: { email: string; password: string }): Promise<LoadTarget> {
  const { cookie } = await signIn(app.target, user);
  return { key: app.key, name: app.target.name, url: app.target.claimsUrl.replace('//localhost:', '//127.0.0.1:'), cookie, pid: app.pid };
}

/** What an administrators' daemon does: client credentials at the stack's provider, with the app role. */
async function adminToken(stack: OurApp['stack']): Promise<string> {
  const { clientId, clientSecret, scope } = stack.adminClient;
  const response = await httpRequest(`${stack.urls.authority}oauth2/v2.0/token`, {
    ca: stack.provider.caCert,
    form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope },
  });
  if (response.status !== 200) throw new Error(`client credentials answered ${response.status}: ${response.body.slice(0, 300)}`);
  return (JSON.parse(response.body) as { access_token: string }).access_token;
}

/**
 * The stack's instance keeps sessions in memory for the longest time allowed, so that every Cosmos
 * cost sample finds its session cached whatever this machine's pace (a hit costs the same after 1 s
 * or 299 s); the compiled instances run as deployed, and one with the cache off.
 */
const STACK_SESSION_CACHE_SECONDS = '300';

async function main() {
  const options = readOptions();
  const loadAtStart = loadavg();
  const startedAt = new Date();
  const machine = describeMachine(loadAtStart);
  if (loadAtStart[0]! > 1) process.stderr.write(`Note: the 1-minute load average is ${loadAtStart[0]!.toFixed(2)} on ${machine.cpus}: other work will skew wall-clock figures.\n`);

  const dataDir = mkdtempSync(join(tmpdir(), 'fnauth-bench-'));
  const users = makeBenchUsers(Math.max(options.growthUsers + 1, options.costSamples) + 10);
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Ctrl-C stops the servers too (the stack's functions host would otherwise outlive us).
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
  const runs = (scenario: Scenario) => options.only.includes(scenario);
  const runsAny = (...scenarios: Scenario[]) => scenarios.some(runs);
  try {
    let compiled: CompiledApp | undefined;
    if (runsAny('load', 'sign-in', 'cold-start', 'cosmos-cost', 'concurrent-refresh')) {
      step('Building our functions as plain JavaScript (the deployed bundle as npm run build makes it, and the tsc output for comparison)');
      compiled = await buildCompiledApp(join(RESULTS, 'compiled'));
    }

    step('Starting the local Cosmos DB API behind the counting proxy and the local stack');
    const cosmos = await startCountingCosmos();
    cleanups.push(cosmos.stop);
    const ours = await startOurApp({
      cosmos,
      dataDir,
      users,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      settings: { SESSION_CACHE_SECONDS: STACK_SESSION_CACHE_SECONDS },
    });
    cleanups.push(ours.stack.stop);
    // What the other processes get: the stack's settings (cookie secret, Cosmos DB), each cache time its own.
    const appSettings = Object.fromEntries(Object.entries(ours.stack.settings).filter(([name]) => name !== 'SESSION_CACHE_SECONDS'));
    const tokenCaches = openSessionsContainer(cosmos.directUrl, cosmos.key);
    const functionsUrl = ours.stack.urls.functions;

    // The stack's functions have served nothing yet: what does their first sign-in cost in Cosmos?
    const beforeFirstSignIn = await cosmos.tally();
    const firstSession = await signIn(ours.target, DEMO_USERS[1]!);
    const firstSignIn = costOf(subtractTally(await cosmos.tally(), beforeFirstSignIn), onlyOurs);
    const measured: Omit<BenchResults, 'targets' | 'startedAt' | 'finishedAt' | 'seconds' | 'machine' | 'options'> = {};

    // Next, while everything else is idle.
    if (runs('cold-start')) {
      step(`Cold start (${options.coldRuns} fresh processes per variant)`);
      measured.coldStart = await measureColdStart(compiled!, {
        runs: options.coldRuns,
        settings: appSettings,
        caCertPath: ours.stack.provider.caCertPath,
        authorityMetadata: ours.stack.provider.metadata,
        sessionCookie: firstSession.cookie,
      });
    }

    const apps: Partial<Record<AppKey, BenchApp>> = {};
    let tokenRequests = () => 0;
    let secondInstance: SignInTarget | undefined;
    if (runsAny('load', 'sign-in', 'cosmos-cost', 'concurrent-refresh')) {
      step('Starting a second provider and our deployed bundle (as deployed, and with the session cache off)');
      const registrations = { ours: FUNCTIONS_PATHS, oursNoCache: FUNCTIONS_PATHS, cookie: EXPRESS_PATHS, cosmos: EXPRESS_PATHS };
      const idp = await startSecondProvider(dataDir, [...DEMO_USERS, ...users], registrations, { accessTokenTtlSeconds: options.accessTokenTtlSeconds });
      cleanups.push(idp.close);
      tokenRequests = idp.tokenRequests;
      const started = (key: AppKey, app: RunningApp) => {
        cleanups.push(app.stop);
        apps[key] = { key, target: app.target, pid: app.pid };
      };
      started('ours', await startCompiledApp(compiled!, APP_NAMES.ours, idp, appSettings, { registration: 'ours', cpuProfileDir: options.cpuProfileDir }));
      started('oursNoCache', await startCompiledApp(compiled!, APP_NAMES.oursNoCache, idp, appSettings, { registration: 'oursNoCache', sessionCacheSeconds: 0 }));
      if (runs('concurrent-refresh')) {
        const second = await startCompiledApp(compiled!, 'ours, second instance', idp, appSettings, { registration: 'ours', port: await freePort() });
        cleanups.push(second.stop);
        secondInstance = second.target;
      }
      if (runsAny('load', 'sign-in')) {
        const cosmosEndpoint = { endpoint: cosmos.proxyUrl, key: cosmos.key };
        started('cookie', await startExpressBaseline('cookie', APP_NAMES.cookie, idp, cosmosEndpoint));
        started('cosmos', await startExpressBaseline('cosmos', APP_NAMES.cosmos, idp, cosmosEndpoint));
      }
    }

    if (runs('cosmos-cost')) {
      step('Cosmos DB requests per endpoint (the local stack; /api/claims also with the session cache off)');
      measured.cosmosCost = await measureCosmosCost({
        target: ours.target,
        functionsUrl,
        uncached: apps.oursNoCache!.target,
        cosmos,
        tokenCaches,
        users,
        samples: options.costSamples,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        firstSignIn,
        adminToken: () => adminToken(ours.stack),
      });
    }

    if (runs('growth')) {
      step(`Token cache growth (${options.growthUsers} other users)`);
      measured.tokenCacheGrowth = await measureTokenCacheGrowth({
        target: ours.target,
        functionsUrl,
        tokenCaches,
        first: users[0]!,
        others: users.slice(1, 1 + options.growthUsers),
      });
    }

    if (runs('concurrent-refresh')) {
      step('100 concurrent /api/me of one session with an expired access token, on one instance and on two');
      measured.concurrentRefresh = await measureConcurrentRefresh({
        instances: [apps.ours!.target, secondInstance!],
        users: users.slice(-2),
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        tokenRequests,
      });
    }

    if (runs('load')) {
      step(`Authenticated GET /claims at ${options.connections.join(', ')} connections, ${options.durationSeconds} s per app in ${options.rounds} rounds`);
      const loadTargets: LoadTarget[] = [];
      for (const key of LOAD_APPS) loadTargets.push(await loadTarget(apps[key]!, DEMO_USERS[0]!));
      measured.authenticatedLoad = await measureAuthenticatedLoad(loadTargets, cosmos, options);
    }

    if (runs('sign-in')) {
      step(`Sign-in throughput (${options.signInConcurrency.join(', ')} at a time, ${options.signInSeconds} s per app in ${options.rounds} rounds)`);
      measured.signIn = await measureSignInThroughput(
        SIGN_IN_APPS.map((key) => apps[key]!),
        users,
        { concurrency: options.signInConcurrency, seconds: options.signInSeconds, rounds: options.rounds },
      );
    }

    const finishedAt = new Date();
    const all = {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      machine: { ...machine, loadAtEnd: loadavg() },
      options,
      ...measured,
    };
    const results: BenchResults = { ...all, targets: judgeTargets(all) };
    process.stdout.write(`\n${formatReport(results)}\n`);
    process.stdout.write(`\nFull results: ${writeResults(results, RESULTS)}\n`);
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
