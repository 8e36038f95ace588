import { renderSignOutConfirmation } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { page, redirect } from '../lib/responses';
import { isCrossSiteRequest, signOut } from '../lib/sign-out';

/** GET or POST /api/logout : ends the session here and at the tenant; another site only gets a confirmation page. */
export default defineFunction({
  name: 'logout',
  route: 'logout',
  methods: ['GET', 'POST'],
  audience: 'browser',
  async handler({ runtime, headers, cookies }) {
    if (isCrossSiteRequest(headers, runtime.config.appOrigin)) return page(renderSignOutConfirmation());
    const { location, cookie } = await signOut(runtime, cookies);
    return redirect(location, { cookies: [cookie] });
  },
});
