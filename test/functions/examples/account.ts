import { callerClaims } from '../../../src/lib/access';
import { escapeHtml } from '../../../src/lib/html';
import { defineFunction } from '../../../src/lib/registry';
import { page } from '../../../src/lib/responses';

/** GET /api/account : a page for signed-in users; anyone else is sent to sign in, then back here. */
export default defineFunction({
  name: 'account',
  route: 'account',
  methods: ['GET'],
  audience: 'browser',
  auth: 'signed-in',
  async handler({ caller }) {
    const { name } = callerClaims(caller);
    return page(`<!doctype html><html lang="en"><title>Your account</title><h1>Hello, ${escapeHtml(String(name))}</h1></html>`);
  },
});
