import { requireCaller } from '../lib/current-user';
import { callDownstreamApi } from '../lib/downstream';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';

/** GET /api/me : calls the downstream API (Microsoft Graph /me by default) as the caller. */
export default defineFunction({
  name: 'me',
  route: 'me',
  methods: ['GET'],
  audience: 'api',
  async handler(request) {
    const runtime = getRuntime();
    const caller = await requireCaller(runtime, request);
    return { status: 200, jsonBody: await callDownstreamApi(runtime, caller) };
  },
});
