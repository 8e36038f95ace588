import { findSession } from '../lib/current-user';
import { renderHomePage } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { page } from '../lib/responses';

/** GET /api/home : the start page, with who is signed in and links to sign in, sign up, claims, the API and sign-out. */
export default defineFunction({
  name: 'home',
  route: 'home',
  methods: ['GET'],
  audience: 'browser',
  async handler({ runtime, cookies }) {
    const session = await findSession(runtime, cookies);
    return page(renderHomePage(session));
  },
});
