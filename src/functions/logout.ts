import { acceptsFormPost, requestSite } from '../lib/cross-site';
import { readForm } from '../lib/forms';
import { htmlPage, pageSecurityPolicy, renderSignOutConfirmation } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';
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
  async handler(request) {
    const runtime = getRuntime();
    const cookieHeader = request.headers.get('cookie');
    const form = await readForm(request);
    const everywhere = form.get('everywhere') === '1';
    const ref = await runtime.sessions.ref(cookieHeader);
    const site = requestSite(request.headers, runtime.config.appOrigin);
    if (!acceptsFormPost(site, runtime.formTokens.verify(ref?.id, form.get('token')))) {
      const { metadata } = await runtime.identity();
      const confirmation = renderSignOutConfirmation({ appName: runtime.config.appName }, { token: runtime.formTokens.issue(ref?.id), everywhere });
      return htmlPage(confirmation, pageSecurityPolicy(metadata));
    }
    const { location, cookie } = await signOut(runtime, cookieHeader, { everywhere });
    return { status: 302, headers: { Location: location }, cookies: [cookie] };
  },
});
