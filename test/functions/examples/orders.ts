import { callerClaims } from '../../../src/lib/access';
import { defineFunction } from '../../../src/lib/registry';
import { json } from '../../../src/lib/responses';

/** GET /api/orders : the caller's orders, for users assigned the app role Orders.Read (or apps granted it). */
export default defineFunction({
  name: 'orders',
  route: 'orders',
  methods: ['GET'],
  audience: 'api',
  auth: { roles: ['Orders.Read'] },
  async handler({ caller }) {
    const { oid } = callerClaims(caller);
    return json({ owner: oid, orders: [] });
  },
});
