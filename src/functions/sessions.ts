import { notSignedIn, refuseBearer } from '../lib/current-user';
import { refuseCrossSite } from '../lib/cross-site';
import { AuthError } from '../lib/errors';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';

/**
 * GET /api/sessions : the caller's sessions, newest first, `current: true` on the caller's own.
 * DELETE /api/sessions[?include=current] : ends all the caller's other sessions (and, with `include=current`, this one).
 * Cookie callers only: a bearer caller has no session here (400).
 */
export default defineFunction({
  name: 'sessions',
  route: 'sessions',
  methods: ['GET', 'DELETE'],
  audience: 'api',
  async handler(request) {
    const runtime = getRuntime();
    await refuseBearer(runtime, request);
    const cookieHeader = request.headers.get('cookie');
    if (request.method === 'GET') {
      const sessions = await runtime.sessions.list(cookieHeader);
      if (!sessions) throw notSignedIn(runtime);
      return { status: 200, jsonBody: { sessions } };
    }
    refuseCrossSite(request.headers, runtime.config.appOrigin);
    const includeCurrent = parseInclude(request.query.get('include'));
    const ended = await runtime.sessions.endOthers(cookieHeader, { includeCurrent });
    if (ended === undefined) throw notSignedIn(runtime);
    return { status: 200, jsonBody: { ended }, cookies: includeCurrent ? [runtime.sessions.clearCookie()] : [] };
  },
});

function parseInclude(value: string | null): boolean {
  if (value === null || value === '') return false;
  if (value === 'current') return true;
  throw new AuthError('invalid_request', 400, 'include may only be "current" (to end this session too).');
}
