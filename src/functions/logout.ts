import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';
import { signOut } from '../lib/sign-out';

/** GET or POST /api/logout : ends the session here and at the tenant. */
export default defineFunction({
  name: 'logout',
  route: 'logout',
  methods: ['GET', 'POST'],
  audience: 'browser',
  async handler(request) {
    const { location, cookie } = await signOut(getRuntime(), request.headers.get('cookie'));
    return { status: 302, headers: { Location: location }, cookies: [cookie] };
  },
});
