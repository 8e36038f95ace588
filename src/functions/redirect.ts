import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';
import { completeSignIn } from '../lib/sign-in';

/** GET /api/redirect?code=&state= : the redirect URI registered in Entra; completes sign-in and begins the session. */
export default defineFunction({
  name: 'redirect',
  route: 'redirect',
  methods: ['GET'],
  audience: 'browser',
  async handler(request) {
    const { location, cookies } = await completeSignIn(getRuntime(), {
      query: new URLSearchParams(request.query),
      cookieHeader: request.headers.get('cookie'),
      userAgent: request.headers.get('user-agent'),
    });
    return { status: 302, headers: { Location: location }, cookies };
  },
});
