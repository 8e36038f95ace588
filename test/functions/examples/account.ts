import { callerClaims } from '../../../src/lib/access';
import { displayName, html, renderPage } from '../../../src/lib/pages';
import { defineFunction } from '../../../src/lib/registry';
import { page } from '../../../src/lib/responses';

/** GET /api/account : a page for signed-in users, in the app's layout; anyone else is sent to sign in, then back here. */
export default defineFunction({
  name: 'account',
  route: 'account',
  methods: ['GET'],
  audience: 'browser',
  auth: 'signed-in',
  async handler({ runtime, caller }) {
    const name = displayName(callerClaims(caller));
    return page(renderPage({ appName: runtime.config.appName, user: name }, { page: 'account', title: 'Your account', main: html`<h1>Hello, ${name}</h1>` }));
  },
});
