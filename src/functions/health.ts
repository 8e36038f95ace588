import { createHealthCheck, failingChecks, HEALTH_CACHE, runtimeProbes } from '../lib/health';
import { defineFunction } from '../lib/registry';
import { json } from '../lib/responses';
import { getRuntime } from '../lib/runtime';

const health = createHealthCheck(runtimeProbes(getRuntime));

/** GET or HEAD /api/health : 200 when settings, tenant metadata and Cosmos DB are fine, else 503 naming what is not; for probes. */
export default defineFunction({
  name: 'health',
  route: 'health',
  methods: ['GET', 'HEAD'],
  audience: 'api',
  async handler({ invocation }) {
    const report = await health();
    if (report.status === 'pass') return json(report);
    invocation.warn(JSON.stringify({ event: 'health', failing: failingChecks(report), checkedAt: report.checkedAt }));
    return json(report, { status: 503, headers: { 'Retry-After': String(HEALTH_CACHE.failSeconds) } });
  },
});
