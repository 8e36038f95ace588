/**
 * Cold start, measured in fresh `node` processes running plain JavaScript:
 *
 * 1. modules loaded: process start -> `main` required, for the deployed
 *    package (the bundle in dist/app) and for the tsc output it replaced,
 *    next to an empty `node` process. Timed
 *    inside the process (`performance.now()` counts from its start) and as
 *    CPU time, with a stand-in for the Functions worker so that
 *    `@azure/functions` registers every function as it does on Azure. The
 *    same processes then load each SDK the app loads on first use, in the
 *    order requests meet them (MSAL, Cosmos DB, Azure Identity): from the
 *    package's own bundles, or from node_modules for the tsc output.
 * 2. first login: modules, then the login function once through the worker
 *    (settings read and validated, MSAL loaded, authorize URL built,
 *    transaction cookie sealed).
 * 3. over HTTP: a package served through the worker stand-in
 *    (`worker-host.ts`: start hooks before listening, requests through the
 *    programming model and the invocation hooks), from spawning it to the
 *    first `/api/login` answer, then a second login, then the first
 *    `/api/claims` with a session cookie (the Cosmos SDK, unless the warm-up
 *    after the first response loaded it already, and the containers opened).
 *
 * Runs with the tenant's discovery document as AUTHORITY_METADATA: no
 * network call to the tenant and no extra CA certificate. One HTTP variant
 * fetches discovery from the local provider instead, which needs its
 * certificate through NODE_EXTRA_CA_CERTS: Node then loads its whole root
 * store at start-up (about 30 ms here), which a deployed app does not pay.
 *
 * Runs of the variants are interleaved so that other load on the machine
 * spreads evenly over them; medians are reported. The packages are built by
 * `compiled/build.ts`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { median } from '../lib/stats';
import type { CompiledApp } from '../compiled/build';

export interface ColdStartOptions {
  runs: number;
  /** The app's settings (from the local stack), the provider's certificate and discovery document. */
  settings: Record<string, string>;
  caCertPath: string;
  authorityMetadata: string;
  /** A valid session cookie for the first /api/claims over HTTP. */
  sessionCookie: string;
}

type Sample = Record<string, number | string>;

export interface ProbeVariant {
  name: string;
  description: string;
  /** The package `npm run build` makes and azd deploys. */
  deployed?: true;
  bytes?: number;
  /** Medians over the runs, ms since the process started. */
  modulesLoadedMs: number;
  modulesLoadedCpuMs: number;
  /** modulesLoadedMs minus when the probe's own code started: the app's share. */
  requireMs: number;
  /** Package name -> ms to load it after the app (median): what the first request needing it pays. */
  sdkLoadMs?: Record<string, number>;
  firstLoginMs?: number;
  firstLoginCpuMs?: number;
  samples: Sample[];
}

export interface HttpColdStart {
  name: string;
  description: string;
  deployed?: true;
  /** Medians, ms of wall time from spawning the process. */
  listeningMs: number;
  firstLoginAnsweredMs: number;
  /** Durations of the requests themselves. */
  firstLoginRequestMs: number;
  secondLoginRequestMs: number;
  firstClaimsRequestMs: number;
  secondClaimsRequestMs: number;
  /** The host process's CPU ms when listening and when the first login was answered, and between one answer and the next. */
  listeningCpuMs: number;
  firstLoginAnsweredCpuMs: number;
  secondLoginCpuMs: number;
  firstClaimsCpuMs: number;
  secondClaimsCpuMs: number;
  runs: number;
}

export interface ColdStartResult {
  nodeVersion: string;
  /** What the deployed package loads on first use, and the size of each bundle. */
  sdks: Array<{ name: string; bytes: number }>;
  variants: ProbeVariant[];
  http: HttpColdStart[];
}

/** The app's settings; no NODE_OPTIONS; the provider's certificate only where the process must reach it. */
function probeEnv(options: ColdStartOptions, network: 'offline' | 'provider'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.settings };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  if (network === 'provider') env.NODE_EXTRA_CA_CERTS = options.caCertPath;
  else env.AUTHORITY_METADATA = options.authorityMetadata;
  return env;
}

async function runProbe(probe: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const child = spawn(process.execPath, [probe, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`probe ${args.join(' ')} failed (exit ${code}):\n${err}`);
  return JSON.parse(line) as Sample;
}

interface VariantSpec {
  name: string;
  description: string;
  deployed?: true;
  args: string[];
  bytes?: number;
  /** Package name -> the module the probe loads after the app (`--then`). */
  sdks?: Record<string, string>;
}

/** The order a sign-in meets the SDKs (as src/lib/warm-up.ts loads them); any other after these. */
const FIRST_USE = ['@azure/msal-node', '@azure/cosmos', '@azure/identity'];
const firstUseRank = (name: string) => (FIRST_USE.includes(name) ? FIRST_USE.indexOf(name) : FIRST_USE.length);

function variantSpecs(built: CompiledApp, emptyModule: string): VariantSpec[] {
  const inOrder = [...built.sdks].sort((a, b) => firstUseRank(a.name) - firstUseRank(b.name));
  const sdks = (from: 'deployed' | 'installed') => Object.fromEntries(inOrder.map((sdk) => [sdk.name, sdk[from]]));
  const withSdks = (entry: string, from: 'deployed' | 'installed') => [entry, ...Object.values(sdks(from)).map((module) => `--then=${module}`)];
  const { entries, bytes } = built;
  return [
    { name: 'node (empty)', description: 'node with an empty module: the floor', args: [emptyModule] },
    {
      name: 'deployed bundle',
      deployed: true,
      description: 'dist/app as npm run build makes it; then each SDK from its bundle',
      args: withSdks(entries.deployed, 'deployed'),
      bytes: bytes.deployed,
      sdks: sdks('deployed'),
    },
    {
      name: 'tsc output',
      description: 'src/ compiled by tsc, packages from node_modules (deployed before bundling); then each SDK from node_modules',
      args: withSdks(entries.tsc, 'installed'),
      bytes: bytes.tsc,
      sdks: sdks('installed'),
    },
    { name: 'deployed bundle + login', deployed: true, description: 'modules, then the start hooks and the login function once through the worker', args: [entries.deployed, '--login'] },
    { name: 'tsc output + login', description: 'modules, then the start hooks and the login function once through the worker', args: [entries.tsc, '--login'] },
  ];
}

async function measureProbes(built: CompiledApp, options: ColdStartOptions): Promise<ProbeVariant[]> {
  const emptyModule = join(dirname(built.probe), 'empty.js');
  writeFileSync(emptyModule, '');
  const specs = variantSpecs(built, emptyModule);
  const env = probeEnv(options, 'offline');
  const samples = new Map<string, Sample[]>(specs.map((spec) => [spec.name, []]));
  for (let run = 0; run < options.runs; run += 1) {
    for (const spec of specs) samples.get(spec.name)!.push(await runProbe(built.probe, spec.args, env));
  }
  return specs.map((spec) => {
    const runs = samples.get(spec.name)!;
    const pick = (key: string) => median(runs.map((sample) => Number(sample[key])));
    const login = runs.every((sample) => sample.firstLoginMs !== undefined);
    if (login && runs.some((sample) => sample.loginStatus !== 302)) throw new Error(`${spec.name}: login did not answer 302: ${JSON.stringify(runs)}`);
    return {
      name: spec.name,
      description: spec.description,
      ...(spec.deployed ? { deployed: spec.deployed } : {}),
      bytes: spec.bytes,
      modulesLoadedMs: pick('modulesLoadedMs'),
      modulesLoadedCpuMs: pick('modulesLoadedCpuMs'),
      requireMs: median(runs.map((sample) => Number(sample.modulesLoadedMs) - Number(sample.startedMs))),
      ...(spec.sdks ? { sdkLoadMs: Object.fromEntries(Object.entries(spec.sdks).map(([name, module]) => [name, pick(`then:${module}`)])) } : {}),
      ...(login ? { firstLoginMs: pick('firstLoginMs'), firstLoginCpuMs: pick('firstLoginCpuMs') } : {}),
      samples: runs,
    };
  });
}

async function timed(url: string, headers: Record<string, string> = {}): Promise<{ ms: number; status: number; cpuMs: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers, redirect: 'manual' });
  await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status, cpuMs: Number(response.headers.get('x-process-cpu-ms')) };
}

interface HttpSpec {
  name: string;
  description: string;
  deployed?: true;
  main: string;
  network: 'offline' | 'provider';
}

type HttpSample = Omit<HttpColdStart, 'name' | 'description' | 'deployed' | 'runs'>;

async function measureHttpOnce(built: CompiledApp, spec: HttpSpec, options: ColdStartOptions): Promise<HttpSample> {
  const spawned = performance.now();
  const child = spawn(process.execPath, [built.workerHost, spec.main], { env: probeEnv(options, spec.network), stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  try {
    const [ready] = (await once(child, 'message')) as [{ ready?: boolean; port?: number; cpuMs?: number; error?: string }];
    if (!ready.ready) throw new Error(`${spec.name}: the worker host did not start: ${ready.error}`);
    const listeningMs = performance.now() - spawned;
    const base = `http://127.0.0.1:${ready.port}/api`;
    const firstLogin = await timed(`${base}/login`);
    const firstLoginAnsweredMs = performance.now() - spawned;
    const secondLogin = await timed(`${base}/login`);
    const firstClaims = await timed(`${base}/claims`, { cookie: options.sessionCookie });
    const secondClaims = await timed(`${base}/claims`, { cookie: options.sessionCookie });
    if (firstLogin.status !== 302 || firstClaims.status !== 200) {
      throw new Error(`${spec.name}: /api/login answered ${firstLogin.status}, /api/claims ${firstClaims.status}`);
    }
    return {
      listeningMs,
      firstLoginAnsweredMs,
      firstLoginRequestMs: firstLogin.ms,
      secondLoginRequestMs: secondLogin.ms,
      firstClaimsRequestMs: firstClaims.ms,
      secondClaimsRequestMs: secondClaims.ms,
      listeningCpuMs: ready.cpuMs!,
      firstLoginAnsweredCpuMs: firstLogin.cpuMs,
      secondLoginCpuMs: secondLogin.cpuMs - firstLogin.cpuMs,
      firstClaimsCpuMs: firstClaims.cpuMs - secondLogin.cpuMs,
      secondClaimsCpuMs: secondClaims.cpuMs - firstClaims.cpuMs,
    };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

async function measureHttp(built: CompiledApp, options: ColdStartOptions): Promise<HttpColdStart[]> {
  const specs: HttpSpec[] = [
    { name: 'deployed bundle', deployed: true, description: 'dist/app, AUTHORITY_METADATA set', main: built.entries.deployed, network: 'offline' },
    {
      name: 'deployed bundle, discovery',
      deployed: true,
      description: 'dist/app, discovery fetched from the local provider (NODE_EXTRA_CA_CERTS)',
      main: built.entries.deployed,
      network: 'provider',
    },
    { name: 'tsc output', description: 'the tsc output, AUTHORITY_METADATA set', main: built.entries.tsc, network: 'offline' },
  ];
  const samples = new Map<string, HttpSample[]>(specs.map((spec) => [spec.name, []]));
  for (let run = 0; run < options.runs; run += 1) {
    for (const spec of specs) samples.get(spec.name)!.push(await measureHttpOnce(built, spec, options));
  }
  return specs.map(({ name, description, deployed }) => {
    const runs = samples.get(name)!;
    const pick = (key: keyof HttpSample) => median(runs.map((sample) => sample[key]));
    return {
      name,
      description,
      ...(deployed ? { deployed } : {}),
      listeningMs: pick('listeningMs'),
      firstLoginAnsweredMs: pick('firstLoginAnsweredMs'),
      firstLoginRequestMs: pick('firstLoginRequestMs'),
      secondLoginRequestMs: pick('secondLoginRequestMs'),
      firstClaimsRequestMs: pick('firstClaimsRequestMs'),
      secondClaimsRequestMs: pick('secondClaimsRequestMs'),
      listeningCpuMs: pick('listeningCpuMs'),
      firstLoginAnsweredCpuMs: pick('firstLoginAnsweredCpuMs'),
      secondLoginCpuMs: pick('secondLoginCpuMs'),
      firstClaimsCpuMs: pick('firstClaimsCpuMs'),
      secondClaimsCpuMs: pick('secondClaimsCpuMs'),
      runs: runs.length,
    };
  });
}

export async function measureColdStart(built: CompiledApp, options: ColdStartOptions): Promise<ColdStartResult> {
  return {
    nodeVersion: process.version,
    sdks: [...built.sdks].sort((a, b) => firstUseRank(a.name) - firstUseRank(b.name)).map((sdk) => ({ name: sdk.name, bytes: sdk.deployedBytes })),
    variants: await measureProbes(built, options),
    http: await measureHttp(built, options),
  };
}
