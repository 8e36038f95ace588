import { defineFunction } from '../lib/registry';
import { redirect } from '../lib/responses';
import { completeSignIn } from '../lib/sign-in';

/** GET /api/redirect?code=&state= : the redirect URI registered in Entra; completes sign-in. */
export default defineFunction({
  name: 'redirect',
  route: 'redirect',
  methods: ['GET'],
  audience: 'browser',
  async handler({ runtime, query, cookies, onFailure }) {
    const state = query.get('state');
    // Whatever goes wrong from here, this sign-in is over: its transaction cookie must not linger.
    if (state && cookies.get(runtime.transactions.cookieName(state))) onFailure(() => [runtime.transactions.clear(state)]);
    const completed = await completeSignIn(runtime, query, cookies);
    return redirect(completed.location, { cookies: completed.cookies });
  },
});
