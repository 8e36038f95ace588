import { acceptsFormPost, requestSite } from '../lib/cross-site';
import { pageSecurityPolicy, renderSignOutConfirmation } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { page, redirect } from '../lib/responses';
import { signOut } from '../lib/sign-out';

/**
 * GET or POST /api/logout (form field `everywhere=1`: every session of the user) : ends the session here and at
 * the tenant. Unless the browser shows that our own page asked (or the form carries our token), it only gets a
 * confirmation page.
 */
export default defineFunction({
  name: 'logout',
  route: 'logout',
  methods: ['GET', 'POST'],
  audience: 'browser',
  async handler({ runtime, headers, cookies, form }) {
    const posted = await form();
    const everywhere = posted.get('everywhere') === '1';
    const ref = runtime.sessions.ref(cookies);
    const site = requestSite(headers, runtime.config.appOrigin);
    if (!acceptsFormPost(site, runtime.formTokens.verify(ref?.id, posted.get('token')))) {
      const { metadata } = await runtime.identity();
      const token = runtime.formTokens.issue(ref?.id);
      return page(renderSignOutConfirmation({ appName: runtime.config.appName }, { token, everywhere }), { securityPolicy: pageSecurityPolicy(metadata) });
    }
    const { location, cookie } = await signOut(runtime, cookies, { everywhere });
    return redirect(location, { cookies: [cookie] });
  },
});
