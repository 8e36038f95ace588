import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';
import { completeSignIn } from '../lib/sign-in';

/** GET /api/redirect?code=&state= : the redirect URI registered in Entra; completes sign-in. */
export default defineFunction({
  name: 'redirect',
  route: 'redirect',
  methods: ['GET'],
  audience: 'browser',
  async handler(request) {
    const query = new URLSearchParams(request.query);
    const { location, cookies } = await completeSignIn(getRuntime(), query, request.headers.get('cookie'));
    return { status: 302, headers: { Location: location }, cookies };
  },
});
