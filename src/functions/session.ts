import { notSignedIn, refuseBearer } from '../lib/current-user';
import { refuseCrossSite } from '../lib/cross-site';
import { AuthError } from '../lib/errors';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';
import { ID_PATTERN } from '../lib/session';

/** DELETE /api/sessions/{id} : ends one of the caller's sessions (this one too). Any other id is 404, another user's included. */
export default defineFunction({
  name: 'session',
  route: 'sessions/{id}',
  methods: ['DELETE'],
  audience: 'api',
  async handler(request) {
    const runtime = getRuntime();
    await refuseBearer(runtime, request);
    refuseCrossSite(request.headers, runtime.config.appOrigin);
    const current = await runtime.sessions.resume(request.headers.get('cookie'));
    if (!current) throw notSignedIn(runtime);
    const id = request.params.id ?? '';
    // Only the caller's own partition is searched, so another user's id finds nothing, exactly like one that never existed.
    if (!ID_PATTERN.test(id) || !(await runtime.sessions.end({ userKey: current.userKey, id }))) {
      throw new AuthError('session_not_found', 404, 'You have no session with this id. It may have ended already.');
    }
    return { status: 204, cookies: id === current.id ? [runtime.sessions.clearCookie()] : [] };
  },
});
