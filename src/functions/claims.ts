import { describeSession, requireSession } from '../lib/current-user';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';

/** GET /api/claims : the signed-in user's ID token claims and session times, or 401 problem+json. */
export default defineFunction({
  name: 'claims',
  route: 'claims',
  methods: ['GET'],
  audience: 'api',
  async handler(request) {
    const runtime = getRuntime();
    const session = await requireSession(runtime, request.headers.get('cookie'));
    return { status: 200, jsonBody: describeSession(session, runtime.config.session.idleTimeoutSeconds) };
  },
});
