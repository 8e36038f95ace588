import { requireAppRole } from '../lib/current-user';
import { AuthError } from '../lib/errors';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';
import { userKeyOf } from '../lib/session';
import { revokeTenantSessions } from '../lib/tenant-sessions';

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * DELETE /api/users/{userId}/sessions : an administrator ends every session of a user of our tenant (`userId` is the
 * user's object id), and with REVOKE_TENANT_SESSIONS their sessions at the tenant too. Bearer token with the app role
 * SESSIONS_ADMIN_ROLE (default Sessions.RevokeAll), or 401/403.
 */
export default defineFunction({
  name: 'user-sessions',
  route: 'users/{userId}/sessions',
  methods: ['DELETE'],
  audience: 'api',
  async handler(request) {
    const runtime = getRuntime();
    await requireAppRole(runtime, request, runtime.config.admin.role);
    const userId = request.params.userId ?? '';
    if (!OBJECT_ID.test(userId)) throw new AuthError('invalid_request', 400, "userId must be the user's object id (a GUID) in this tenant.");
    const { tenantId } = await runtime.identity();
    const sessionsEnded = await runtime.sessions.endUser(userKeyOf(tenantId, userId));
    if (runtime.config.admin.revokeTenantSessions) await revokeTenantSessions(runtime, userId.toLowerCase());
    return { status: 200, jsonBody: { userId: userId.toLowerCase(), sessionsEnded, tenantSessionsRevoked: runtime.config.admin.revokeTenantSessions } };
  },
});
