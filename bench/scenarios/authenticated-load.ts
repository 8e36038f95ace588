/**
 * `GET /claims` with a valid session cookie under fixed-duration load, at each
 * concurrency, for each app.
 *
 * This machine is shared, and its other load drifts over minutes. So each
 * app's time at a concurrency is split into rounds, and the apps take turns
 * round by round, starting with a different app each round: drift then lands
 * on every app alike instead of on whichever ran last. Figures are over all
 * rounds together.
 *
 * The Cosmos tally around each run gives Cosmos requests per HTTP request
 * (ours: exactly one point read). autocannon stops at the deadline with
 * requests still in flight, which the app serves anyway: the tally is read
 * once Cosmos traffic has settled and divided by the requests autocannon
 * sent, or one run's stragglers would be billed to the next app.
 */
import type { CosmosTally } from '../cosmos/counting-proxy';
import type { CountingCosmos } from '../cosmos/local-cosmos';
import { costOf, subtractTally, type CosmosCost } from '../cosmos/tally';
import { runLoad } from '../lib/load';
import { cpuMs } from '../lib/process-cpu';
import { summarize, type Summary } from '../lib/stats';
import { rotate } from '../lib/turns';

export interface LoadTarget {
  key: string;
  name: string;
  url: string;
  cookie: string;
  /** The app's process, for its CPU time. */
  pid?: number;
}

export interface AuthenticatedLoadRun {
  target: string;
  connections: number;
  rounds: number;
  durationSeconds: number;
  /** 2xx answers per second over all rounds. */
  requestsPerSecond: number;
  /** Of 2xx answers. */
  latencyMs: Summary;
  sent: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Cosmos requests per HTTP request sent. */
  cosmosPerRequest: CosmosCost;
  /** The app process's CPU time per HTTP request sent. */
  appCpuMsPerRequest?: number;
}

/** Waits until the tally stops moving (no request in flight anywhere), then returns it. */
async function settledTally(cosmos: CountingCosmos): Promise<CosmosTally> {
  let previous = await cosmos.tally();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const current = await cosmos.tally();
    if (JSON.stringify(current.counts) === JSON.stringify(previous.counts)) return current;
    previous = current;
  }
  return previous;
}

function addTally(total: CosmosTally, more: CosmosTally): void {
  for (const [key, value] of Object.entries(more.counts)) total.counts[key] = (total.counts[key] ?? 0) + value;
  for (const [key, value] of Object.entries(more.charges)) total.charges[key] = (total.charges[key] ?? 0) + value;
}

interface Accumulator {
  latencies: number[];
  seconds: number;
  sent: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  tally: CosmosTally;
  cpuMs?: number;
}

export async function measureAuthenticatedLoad(
  targets: LoadTarget[],
  cosmos: CountingCosmos,
  options: { connections: number[]; durationSeconds: number; warmUpSeconds: number; rounds: number },
): Promise<AuthenticatedLoadRun[]> {
  for (const target of targets) {
    if (options.warmUpSeconds > 0) await runLoad({ url: target.url, headers: { cookie: target.cookie }, connections: 16, durationSeconds: options.warmUpSeconds });
  }
  const roundSeconds = Math.max(1, Math.round(options.durationSeconds / options.rounds));
  const runs: AuthenticatedLoadRun[] = [];
  for (const connections of options.connections) {
    const totals = new Map<string, Accumulator>(
      targets.map((target) => [target.key, { latencies: [], seconds: 0, sent: 0, non2xx: 0, errors: 0, timeouts: 0, tally: { counts: {}, charges: {} }, cpuMs: 0 }]),
    );
    for (let round = 0; round < options.rounds; round += 1) {
      for (const target of rotate(targets, round + connections)) {
        const total = totals.get(target.key)!;
        const before = await settledTally(cosmos);
        const cpuBefore = target.pid ? cpuMs(target.pid) : undefined;
        const run = await runLoad({ url: target.url, headers: { cookie: target.cookie }, connections, durationSeconds: roundSeconds });
        addTally(total.tally, subtractTally(await settledTally(cosmos), before));
        const cpuAfter = target.pid ? cpuMs(target.pid) : undefined;
        total.cpuMs = cpuBefore !== undefined && cpuAfter !== undefined && total.cpuMs !== undefined ? total.cpuMs + cpuAfter - cpuBefore : undefined;
        for (const latency of run.latencies) total.latencies.push(latency);
        total.seconds += run.durationSeconds;
        total.sent += run.sent;
        total.non2xx += run.non2xx;
        total.errors += run.errors;
        total.timeouts += run.timeouts;
        if (run.non2xx > 0 || run.errors > 0) process.stderr.write(`  ! ${target.name} at ${connections} connections: ${run.non2xx} non-2xx, ${run.errors} errors\n`);
      }
    }
    for (const target of targets) {
      const total = totals.get(target.key)!;
      const sent = Math.max(1, total.sent);
      runs.push({
        target: target.key,
        connections,
        rounds: options.rounds,
        durationSeconds: total.seconds,
        requestsPerSecond: total.latencies.length / total.seconds,
        latencyMs: summarize(total.latencies),
        sent: total.sent,
        non2xx: total.non2xx,
        errors: total.errors,
        timeouts: total.timeouts,
        cosmosPerRequest: costOf(total.tally, () => true, sent),
        ...(total.cpuMs !== undefined ? { appCpuMsPerRequest: total.cpuMs / sent } : {}),
      });
    }
  }
  return runs;
}
