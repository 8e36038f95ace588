import type { HttpResponseInit } from '@azure/functions';
import { htmlPage, pageSecurityPolicy, renderSignOutConfirmation } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';
import { isCrossSiteRequest, signOut } from '../lib/sign-out';

/** GET or POST /api/logout : ends the session here and at the tenant; another site only gets a confirmation page. */
export default defineFunction({
  name: 'logout',
  route: 'logout',
  methods: ['GET', 'POST'],
  audience: 'browser',
  async handler(request): Promise<HttpResponseInit> {
    const runtime = getRuntime();
    if (isCrossSiteRequest(request.headers, runtime.config.appOrigin)) {
      const { metadata } = await runtime.identity();
      return htmlPage(renderSignOutConfirmation({ appName: runtime.config.appName }), pageSecurityPolicy(metadata));
    }
    const { location, cookie } = await signOut(runtime, request.headers.get('cookie'));
    return { status: 302, headers: { Location: location }, cookies: [cookie] };
  },
});
