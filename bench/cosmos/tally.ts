/** Arithmetic on the counting proxy's tallies: the difference between two moments, and per-operation totals. */
import { OPERATIONS, type CosmosOperation } from './classify';
import type { CosmosTally } from './counting-proxy';

export interface CosmosCost {
  /** Requests per operation class. */
  pointRead: number;
  write: number;
  delete: number;
  /** Transactional batches (each one request, whatever it holds). */
  batch: number;
  query: number;
  /** The SDK's query-plan requests, one beside each query. */
  queryPlan: number;
  metadata: number;
  /** Sum of x-ms-request-charge reported (RU). */
  requestCharge: number;
  /** `container operation/detail status` -> count, for explaining a surprise. */
  details: Record<string, number>;
}

export function subtractTally(after: CosmosTally, before: CosmosTally): CosmosTally {
  const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(a)
        .map(([key, value]) => [key, value - (b[key] ?? 0)] as const)
        .filter(([, value]) => value !== 0),
    );
  return { counts: minus(after.counts, before.counts), charges: minus(after.charges, before.charges) };
}

/** Totals per operation class; `container` keeps only one container (`db/coll`) or a predicate's choice. */
export function costOf(tally: CosmosTally, keep: (container: string) => boolean = () => true, divideBy = 1): CosmosCost {
  const cost: CosmosCost = { pointRead: 0, write: 0, delete: 0, batch: 0, query: 0, queryPlan: 0, metadata: 0, requestCharge: 0, details: {} };
  for (const [key, count] of Object.entries(tally.counts)) {
    const [container = '-', operation, detail, status] = key.split('|');
    if (!keep(container)) continue;
    if (OPERATIONS.includes(operation as CosmosOperation)) cost[operation as CosmosOperation] += count / divideBy;
    cost.requestCharge += (tally.charges[key] ?? 0) / divideBy;
    cost.details[`${container} ${operation}/${detail} ${status}`] = count / divideBy;
  }
  return cost;
}
