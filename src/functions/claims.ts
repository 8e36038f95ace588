import { describeCaller, requireCaller } from '../lib/current-user';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';

/** GET /api/claims : the caller's claims (session cookie or bearer token) and when that ends, or 401 problem+json. */
export default defineFunction({
  name: 'claims',
  route: 'claims',
  methods: ['GET'],
  audience: 'api',
  async handler(request) {
    const runtime = getRuntime();
    const caller = await requireCaller(runtime, request);
    return { status: 200, jsonBody: describeCaller(caller, runtime.config.session.idleTimeoutSeconds) };
  },
});
