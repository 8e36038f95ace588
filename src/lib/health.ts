/**
 * The health check behind `GET /api/health`: are the settings valid, is the
 * tenant's discovery document at hand, and does Cosmos DB answer?
 *
 * Each check reuses what requests use (the instance's runtime, its memoized
 * tenant metadata and its Cosmos client), so a passing check means the next
 * request finds them ready. Nothing is written: the Cosmos check is a point
 * read, in the sessions container, of a document that never exists, the
 * cheapest read Cosmos offers (a 404 for about 1 RU, no query, no metadata
 * call). The first check on an instance opens the container as the first request
 * would (creating them only where `COSMOS_CREATE_IF_MISSING` is on, which
 * the Azure deployment turns off).
 *
 * Probes come often and from many places (a monitor every minute per
 * instance, a load balancer from each of its edges), so a report is reused
 * for {@link HEALTH_CACHE.passSeconds} when all passed and for
 * {@link HEALTH_CACHE.failSeconds} when something failed, and concurrent
 * probes share one run: at most one Cosmos read per instance in each window,
 * however many probes arrive, and no discovery call once the metadata is
 * cached. A failure is reported by its code only, never by a message that
 * could carry a value.
 *
 * Tested by test/functions/health.test.ts.
 *
 * @example
 * ```ts
 * const health = createHealthCheck(runtimeProbes(getRuntime));
 * const report = await health(); // { status: 'pass', checks: { settings, tenant, cosmos }, checkedAt }
 * ```
 */
import type { Container } from '@azure/cosmos';
import { ConfigError } from './config';
import { cosmosCall, cosmosStatus } from './cosmos';
import { AppError } from './errors';
import type { Runtime } from './runtime';

export type HealthCheckName = 'settings' | 'tenant' | 'cosmos';

export interface CheckOutcome {
  status: 'pass' | 'fail' | 'skipped';
  /** Why it failed: an error code of this app, or `cosmos_<status>` for a status Cosmos answered with. */
  code?: string;
  /** For `settings`: the names of the settings that need fixing, sorted (never their values). */
  settings?: string[];
}

export interface HealthReport {
  status: 'pass' | 'fail';
  checks: Record<HealthCheckName, CheckOutcome>;
  /** When the checks ran (ISO 8601); a report reused from the cache keeps its time. */
  checkedAt: string;
}

/** What each check does; {@link runtimeProbes} wires them to the app's runtime. */
export interface HealthProbes {
  /** Loads and validates the settings; throws a {@link ConfigError}. */
  settings(): void;
  /** Resolves the tenant's discovery document (memoized per instance). */
  tenant(): Promise<unknown>;
  /** One cheap read from Cosmos DB. */
  cosmos(): Promise<unknown>;
}

/** How long a report is reused, in seconds. */
export const HEALTH_CACHE = { passSeconds: 30, failSeconds: 5 } as const;

/** The id read by the Cosmos check; no document ever has it. */
export const PROBE_DOCUMENT_ID = 'health-probe';

/** Cosmos DB's sub-status for a 404 whose database or container is missing (not just the document). */
const OWNER_RESOURCE_NOT_FOUND = 1003;

/** A check that ran and found something wrong, with the code to report. */
class CheckFailed extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'CheckFailed';
  }
}

export function runtimeProbes(runtime: () => Runtime): HealthProbes {
  return {
    settings: () => void runtime(),
    tenant: () => runtime().identity(),
    // The container the app uses, so a missing one is found before a user's request does.
    cosmos: async () => probeContainer(await runtime().container()),
  };
}

async function probeContainer(container: Container): Promise<void> {
  const { substatus } = await cosmosCall('check the session store', () => container.item(PROBE_DOCUMENT_ID, PROBE_DOCUMENT_ID).read());
  // The SDK answers a missing document and a missing container alike (404, no throw); only the sub-status tells them apart.
  if (substatus === OWNER_RESOURCE_NOT_FOUND) throw new CheckFailed('cosmos_container_missing');
}

/** Returns the health check: call it per probe; it runs the checks only when the last report is too old. */
export function createHealthCheck(probes: HealthProbes): () => Promise<HealthReport> {
  let cached: { report: HealthReport; until: number } | undefined;
  let running: Promise<HealthReport> | undefined;
  return () => {
    if (cached && Date.now() < cached.until) return Promise.resolve(cached.report);
    running ??= runChecks(probes)
      .then((report) => {
        const seconds = report.status === 'pass' ? HEALTH_CACHE.passSeconds : HEALTH_CACHE.failSeconds;
        cached = { report, until: Date.now() + seconds * 1000 };
        return report;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}

async function runChecks(probes: HealthProbes): Promise<HealthReport> {
  const checkedAt = new Date(Date.now()).toISOString();
  try {
    probes.settings();
  } catch (error) {
    return {
      status: 'fail',
      checks: { settings: settingsFailure(error), tenant: { status: 'skipped' }, cosmos: { status: 'skipped' } },
      checkedAt,
    };
  }
  const [tenant, cosmos] = await Promise.all([outcome(probes.tenant), outcome(probes.cosmos)]);
  const checks = { settings: { status: 'pass' } as const, tenant, cosmos };
  return { status: tenant.status === 'pass' && cosmos.status === 'pass' ? 'pass' : 'fail', checks, checkedAt };
}

async function outcome(check: () => Promise<unknown>): Promise<CheckOutcome> {
  try {
    await check();
    return { status: 'pass' };
  } catch (error) {
    return { status: 'fail', code: failureCode(error) };
  }
}

function failureCode(error: unknown): string {
  if (error instanceof CheckFailed || error instanceof AppError) return error.code;
  const status = cosmosStatus(error);
  return status === undefined ? 'unexpected' : `cosmos_${status}`;
}

function settingsFailure(error: unknown): CheckOutcome {
  if (!(error instanceof ConfigError)) return { status: 'fail', code: 'unexpected' };
  // Every problem line starts with the setting it is about (see loadConfig).
  const names = error.problems.map((problem) => /^[A-Z][A-Z0-9_]*/.exec(problem)?.[0]).filter((name) => name !== undefined);
  return { status: 'fail', code: 'misconfigured', settings: [...new Set(names)].sort() };
}

/** The checks that failed and their codes, for the log line: `{ cosmos: 'store_unavailable' }`. */
export function failingChecks(report: HealthReport): Partial<Record<HealthCheckName, string>> {
  return Object.fromEntries(
    Object.entries(report.checks).flatMap(([name, check]) => (check.status === 'fail' ? [[name, check.code ?? 'unknown']] : [])),
  );
}
