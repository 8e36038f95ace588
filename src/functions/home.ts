import { findSession } from '../lib/current-user';
import { PAGE_SECURITY_POLICY, renderHomePage } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';

/** GET /api/home : the start page, with who is signed in and links to sign in, sign up, claims, the API and sign-out. */
export default defineFunction({
  name: 'home',
  route: 'home',
  methods: ['GET'],
  audience: 'browser',
  async handler(request) {
    const session = await findSession(getRuntime(), request.headers.get('cookie'));
    return {
      status: 200,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': PAGE_SECURITY_POLICY,
      },
      body: renderHomePage(session),
    };
  },
});
