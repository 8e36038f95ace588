import { callDownstreamApi } from '../lib/downstream';
import { defineFunction } from '../lib/registry';
import { json } from '../lib/responses';

/** GET /api/me : calls the downstream API (Microsoft Graph /me by default) as the caller. */
export default defineFunction({
  name: 'me',
  route: 'me',
  methods: ['GET'],
  audience: 'api',
  auth: 'signed-in',
  async handler({ runtime, caller }) {
    return json(await callDownstreamApi(runtime, caller));
  },
});
