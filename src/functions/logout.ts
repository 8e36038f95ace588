import type { HttpResponseInit } from '@azure/functions';
import { PAGE_SECURITY_POLICY, renderSignOutConfirmation } from '../lib/pages';
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
      return {
        status: 200,
        headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': PAGE_SECURITY_POLICY },
        body: renderSignOutConfirmation(),
      };
    }
    const { location, cookie } = await signOut(runtime, request.headers.get('cookie'));
    return { status: 302, headers: { Location: location }, cookies: [cookie] };
  },
});
