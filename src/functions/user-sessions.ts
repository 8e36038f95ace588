import { requireAppRole } from '../lib/current-user';
import { AppError } from '../lib/errors';
import { defineFunction } from '../lib/registry';
import { json } from '../lib/responses';
import { userKeyOf } from '../lib/session';
import { revokeTenantSessions } from '../lib/tenant-sessions';

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * DELETE /api/users/{userId}/sessions : an administrator ends every session of a user of our tenant (`userId` is the
 * user's object id), and with REVOKE_TENANT_SESSIONS their sessions at the tenant too. Bearer token with the app role
 * SESSIONS_ADMIN_ROLE (default Sessions.RevokeAll), or 401/403. A cookie does not do: admin tools call with tokens.
 */
export default defineFunction({
  name: 'user-sessions',
  route: 'users/{userId}/sessions',
  methods: ['DELETE'],
  audience: 'api',
  async handler(context) {
    const { runtime, params } = context;
    const { admin } = runtime.config;
    await requireAppRole(runtime, context, admin.role);
    const userId = (params.userId ?? '').toLowerCase();
    if (!OBJECT_ID.test(userId)) throw new AppError('invalid_request', { detail: "userId must be the user's object id (a GUID) in this tenant." });
    const { tenantId } = await runtime.identity();
    const sessionsEnded = await runtime.sessions.endUser(userKeyOf(tenantId, userId));
    if (admin.revokeTenantSessions) await revokeTenantSessions(runtime, userId);
    return json({ userId, sessionsEnded, tenantSessionsRevoked: admin.revokeTenantSessions });
  },
});
