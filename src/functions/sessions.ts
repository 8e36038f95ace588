import { notSignedIn, refuseBearer } from '../lib/current-user';
import { refuseCrossSite } from '../lib/cross-site';
import { AppError } from '../lib/errors';
import { defineFunction } from '../lib/registry';
import { json } from '../lib/responses';

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
  async handler(context) {
    const { runtime, method, headers, query, cookies } = context;
    await refuseBearer(runtime, context);
    if (method === 'GET') {
      const sessions = await runtime.sessions.list(cookies);
      if (!sessions) throw notSignedIn(runtime);
      return json({ sessions });
    }
    refuseCrossSite(headers, runtime.config.appOrigin);
    const includeCurrent = parseInclude(query.get('include'));
    const ended = await runtime.sessions.endOthers(cookies, { includeCurrent });
    if (ended === undefined) throw notSignedIn(runtime);
    return json({ ended }, { cookies: includeCurrent ? [runtime.sessions.clearCookie()] : [] });
  },
});

function parseInclude(value: string | null): boolean {
  if (value === null || value === '') return false;
  if (value === 'current') return true;
  throw new AppError('invalid_request', { detail: 'include may only be "current" (to end this session too).' });
}
