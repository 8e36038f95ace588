import { defineFunction } from '../lib/registry';
import { redirect } from '../lib/responses';
import { parseCallback, redeemCode, verifySignInIdToken } from '../lib/sign-in';

/** GET /api/redirect?code=&state= : the redirect URI registered in Entra; completes sign-in and begins the session. */
export default defineFunction({
  name: 'redirect',
  route: 'redirect',
  methods: ['GET'],
  audience: 'browser',
  async handler({ runtime, query, headers, cookies, onFailure }) {
    // Whatever goes wrong from here, this sign-in is over: its transaction cookie must not linger.
    onFailure(() => runtime.transactions.clearIfPresent(cookies, query.get('state')));

    const { code, state } = parseCallback(query, runtime.loginUrl);
    const transaction = await runtime.transactions.open(cookies, state);
    const redemption = await redeemCode(runtime, code, transaction);
    const claims = await verifySignInIdToken(runtime, redemption.idToken, transaction);
    const { cookie } = await runtime.sessions.begin({
      secret: transaction.sessionSecret,
      claims,
      ...redemption,
      userAgent: headers.get('user-agent'),
      cookies,
    });
    return redirect(transaction.returnTo, { cookies: [cookie, runtime.transactions.clear(state)] });
  },
});
