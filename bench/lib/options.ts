/**
 * The bench's knobs, all from the environment so that `npm run bench` stays
 * one command. `BENCH_QUICK=1` shrinks every duration and count for a smoke
 * run (its figures are not worth comparing); `BENCH_ONLY=cold-start` (or any
 * list of {@link SCENARIOS}) runs just those parts.
 */
import { resolve } from 'node:path';

export const SCENARIOS = ['load', 'sign-in', 'cosmos-cost', 'cold-start', 'growth', 'concurrent-refresh'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  /** The scenarios to run, in the bench's own order. */
  only: Scenario[];
  /** Seconds of load per app and concurrency (split over `rounds`). */
  durationSeconds: number;
  /** Turns the apps take at each concurrency, so that drift in the machine's other load hits all alike. */
  rounds: number;
  /** Seconds of unmeasured load per app before its first run. */
  warmUpSeconds: number;
  connections: number[];
  /** Seconds of sign-ins per app and concurrency (split over `rounds`). */
  signInSeconds: number;
  signInConcurrency: number[];
  /** Requests sampled per endpoint for the Cosmos counts. */
  costSamples: number;
  /** Users who sign in after the first one in the token cache growth check. */
  growthUsers: number;
  /** Fresh processes per cold-start variant. */
  coldRuns: number;
  /** Access token lifetime at both providers: 300 (MSAL's renewal offset) + the seconds a token counts as valid. */
  accessTokenTtlSeconds: number;
  quick: boolean;
  /** `BENCH_CPU_PROFILE`: a folder where our compiled app writes a V8 CPU profile of its whole run. */
  cpuProfileDir?: string;
}

function number(name: string, fallback: number, minimum = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < minimum) throw new Error(`${name} must be a number ≥ ${minimum}, not "${raw}"`);
  return value;
}

function list(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const values = raw.split(',').map((item) => Number(item.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 1)) throw new Error(`${name} must list whole numbers ≥ 1, e.g. 1,16,64`);
  return values;
}

function scenarios(): Scenario[] {
  const raw = process.env.BENCH_ONLY;
  if (!raw) return [...SCENARIOS];
  const named = raw.split(',').map((item) => item.trim());
  const unknown = named.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0 || named.length === 0) throw new Error(`BENCH_ONLY must list scenarios from ${SCENARIOS.join(', ')}, not "${raw}"`);
  return SCENARIOS.filter((scenario) => named.includes(scenario));
}

export function readOptions(): BenchOptions {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    only: scenarios(),
    durationSeconds: number('BENCH_DURATION', quick ? 2 : 10, 1),
    rounds: number('BENCH_ROUNDS', quick ? 1 : 2, 1),
    warmUpSeconds: number('BENCH_WARMUP', quick ? 1 : 3),
    connections: list('BENCH_CONNECTIONS', [1, 16, 64]),
    signInSeconds: number('BENCH_SIGNIN_SECONDS', quick ? 2 : 8, 1),
    signInConcurrency: list('BENCH_SIGNIN_CONCURRENCY', [1, 4]),
    costSamples: number('BENCH_COST_SAMPLES', quick ? 3 : 10, 1),
    growthUsers: number('BENCH_GROWTH_USERS', quick ? 10 : 50, 1),
    coldRuns: number('BENCH_COLD_RUNS', quick ? 2 : 7, 1),
    accessTokenTtlSeconds: number('BENCH_ACCESS_TOKEN_TTL', 312, 302),
    quick,
    ...(process.env.BENCH_CPU_PROFILE ? { cpuProfileDir: resolve(process.env.BENCH_CPU_PROFILE) } : {}),
  };
}
