import { describeCaller } from '../lib/current-user';
import { defineFunction } from '../lib/registry';
import { json } from '../lib/responses';

/** GET /api/claims : the caller's claims (session cookie or bearer token) and when that ends, or 401 problem+json. */
export default defineFunction({
  name: 'claims',
  route: 'claims',
  methods: ['GET'],
  audience: 'api',
  auth: 'signed-in',
  async handler({ runtime, caller }) {
    return json(describeCaller(caller, runtime.config.session));
  },
});
