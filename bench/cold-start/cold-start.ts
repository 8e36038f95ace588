/**
 * Cold start, measured in fresh `node` processes running plain JavaScript:
 *
 * 1. modules loaded: process start -> every function module required, for
 *    the deployed package (tsc output) and for bundled variants, next to an
 *    empty `node` process for scale. Timed inside the process
 *    (`performance.now()` counts from its start) and as CPU time.
 * 2. first login: the same, then the login function run once in-process
 *    (settings read and validated, MSAL loaded, authorize URL built,
 *    transaction cookie sealed). These runs get the tenant's discovery
 *    document as AUTHORITY_METADATA, so they make no network call and need
 *    no extra CA certificate.
 * 3. over HTTP: the compiled development host serving the tsc output, with
 *    the stack's settings (discovery fetched from the local provider, whose
 *    certificate is trusted through NODE_EXTRA_CA_CERTS); wall time from
 *    spawning it to the first `/api/login` answer, then the first
 *    `/api/claims` with a session cookie (which loads the Cosmos SDK).
 *
 * NODE_EXTRA_CA_CERTS is set only for (3): Node then loads its whole root
 * store at start-up, about 30 ms here, which a deployed app does not pay.
 *
 * Runs of the variants are interleaved so that other load on the machine
 * spreads evenly over them; medians are reported. The variants are built by
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

export interface ProbeVariant {
  name: string;
  description: string;
  bytes?: number;
  /** Medians over the runs, ms since the process started. */
  modulesLoadedMs: number;
  modulesLoadedCpuMs: number;
  /** modulesLoadedMs minus when the probe's own code started: the app's share. */
  requireMs: number;
  firstLoginMs?: number;
  firstLoginCpuMs?: number;
  samples: Array<Record<string, number | string>>;
}

export interface HttpColdStart {
  /** Medians, ms of wall time from spawning the process. */
  listeningMs: number;
  firstLoginAnsweredMs: number;
  /** Durations of the requests themselves. */
  firstLoginRequestMs: number;
  secondLoginRequestMs: number;
  firstClaimsRequestMs: number;
  secondClaimsRequestMs: number;
  runs: number;
}

export interface ColdStartResult {
  nodeVersion: string;
  lazyPackages: string[];
  variants: ProbeVariant[];
  http: HttpColdStart;
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

async function runProbe(probe: string, args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, number | string>> {
  const child = spawn(process.execPath, [probe, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`probe ${args.join(' ')} failed (exit ${code}):\n${err}`);
  return JSON.parse(line) as Record<string, number | string>;
}

interface VariantSpec {
  name: string;
  description: string;
  args: string[];
  bytes?: number;
}

function variantSpecs(built: CompiledApp, emptyModule: string): VariantSpec[] {
  return [
    { name: 'node (empty)', description: 'node with an empty module: the floor', args: [emptyModule] },
    { name: 'tsc (deployed)', description: 'dist as npm run build makes it (what is deployed)', args: [built.entries.tsc], bytes: built.bytes.tsc },
    { name: 'tsc, no zod', description: 'same, zod answered by an inert stand-in', args: [built.entries.tsc, '--stub=zod'], bytes: built.bytes.tsc },
    { name: 'esbuild bundle', description: `one minified file; ${built.lazyPackages.join(', ')} left lazy`, args: [built.entries.bundle], bytes: built.bytes.bundle },
    { name: 'bundle, no zod', description: 'same bundle without zod', args: [built.entries.bundleWithoutZod], bytes: built.bytes.bundleWithoutZod },
    { name: 'tsc (deployed) + login', description: 'modules, then the login function once (AUTHORITY_METADATA set)', args: [built.entries.tsc, '--login'] },
    { name: 'esbuild bundle + login', description: 'bundle, then the login function once (AUTHORITY_METADATA set)', args: [built.entries.bundle, '--login'] },
    // What the first request that needs each lazily loaded SDK pays on top (msal-node: login, redirect, me; cosmos: every session; identity: Cosmos on Azure).
    ...built.lazyPackages.map((name) => ({ name: `${name} alone`, description: 'loaded on first use, not at start-up', args: [require.resolve(name)] })),
  ];
}

async function measureProbes(built: CompiledApp, options: ColdStartOptions): Promise<ProbeVariant[]> {
  const emptyModule = join(dirname(built.probe), 'empty.js');
  writeFileSync(emptyModule, 'module.exports = { routeTable: [] };\n');
  const specs = variantSpecs(built, emptyModule);
  const env = probeEnv(options, 'offline');
  const samples = new Map<string, Array<Record<string, number | string>>>(specs.map((spec) => [spec.name, []]));
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
      bytes: spec.bytes,
      modulesLoadedMs: pick('modulesLoadedMs'),
      modulesLoadedCpuMs: pick('modulesLoadedCpuMs'),
      requireMs: median(runs.map((sample) => Number(sample.modulesLoadedMs) - Number(sample.startedMs))),
      ...(login ? { firstLoginMs: pick('firstLoginMs'), firstLoginCpuMs: pick('firstLoginCpuMs') } : {}),
      samples: runs,
    };
  });
}

async function timed(url: string, headers: Record<string, string> = {}): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers, redirect: 'manual' });
  await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status };
}

async function measureHttpOnce(built: CompiledApp, options: ColdStartOptions) {
  const spawned = performance.now();
  const child = spawn(process.execPath, [built.serve, built.functionsHost], { env: probeEnv(options, 'provider'), stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  try {
    const [ready] = (await once(child, 'message')) as [{ ready?: boolean; port?: number; error?: string }];
    if (!ready.ready) throw new Error(`the compiled host did not start: ${ready.error}`);
    const listeningMs = performance.now() - spawned;
    const base = `http://127.0.0.1:${ready.port}/api`;
    const firstLogin = await timed(`${base}/login`);
    const firstLoginAnsweredMs = performance.now() - spawned;
    const secondLogin = await timed(`${base}/login`);
    const firstClaims = await timed(`${base}/claims`, { cookie: options.sessionCookie });
    const secondClaims = await timed(`${base}/claims`, { cookie: options.sessionCookie });
    if (firstLogin.status !== 302 || firstClaims.status !== 200) {
      throw new Error(`compiled host: /api/login answered ${firstLogin.status}, /api/claims ${firstClaims.status}`);
    }
    return {
      listeningMs,
      firstLoginAnsweredMs,
      firstLoginRequestMs: firstLogin.ms,
      secondLoginRequestMs: secondLogin.ms,
      firstClaimsRequestMs: firstClaims.ms,
      secondClaimsRequestMs: secondClaims.ms,
    };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

async function measureHttp(built: CompiledApp, options: ColdStartOptions): Promise<HttpColdStart> {
  const runs: Array<Omit<HttpColdStart, 'runs'>> = [];
  for (let run = 0; run < options.runs; run += 1) runs.push(await measureHttpOnce(built, options));
  const pick = (key: keyof Omit<HttpColdStart, 'runs'>) => median(runs.map((sample) => sample[key]));
  return {
    listeningMs: pick('listeningMs'),
    firstLoginAnsweredMs: pick('firstLoginAnsweredMs'),
    firstLoginRequestMs: pick('firstLoginRequestMs'),
    secondLoginRequestMs: pick('secondLoginRequestMs'),
    firstClaimsRequestMs: pick('firstClaimsRequestMs'),
    secondClaimsRequestMs: pick('secondClaimsRequestMs'),
    runs: runs.length,
  };
}

export async function measureColdStart(built: CompiledApp, options: ColdStartOptions): Promise<ColdStartResult> {
  return {
    nodeVersion: process.version,
    lazyPackages: built.lazyPackages,
    variants: await measureProbes(built, options),
    http: await measureHttp(built, options),
  };
}
