import { notSignedIn, refuseBearer } from '../lib/current-user';
import { refuseCrossSite } from '../lib/cross-site';
import { AppError } from '../lib/errors';
import { defineFunction } from '../lib/registry';
import { noContent } from '../lib/responses';
import { ID_PATTERN } from '../lib/session';

/** DELETE /api/sessions/{id} : ends one of the caller's sessions (this one too). Any other id is 404, another user's included. */
export default defineFunction({
  name: 'session',
  route: 'sessions/{id}',
  methods: ['DELETE'],
  audience: 'api',
  async handler(context) {
    const { runtime, headers, cookies, params } = context;
    await refuseBearer(runtime, context);
    refuseCrossSite(headers, runtime.config.appOrigin);
    const current = await runtime.sessions.resume(cookies);
    if (!current) throw notSignedIn(runtime);
    const id = params.id ?? '';
    // Only the caller's own partition is searched, so another user's id finds nothing, exactly like one that never existed.
    if (!ID_PATTERN.test(id) || !(await runtime.sessions.end({ userKey: current.userKey, id }))) {
      throw new AppError('session_not_found');
    }
    return noContent({ cookies: id === current.id ? [runtime.sessions.clearCookie()] : [] });
  },
});
