import { stylesheetResponse } from '../lib/pages';
import { defineFunction } from '../lib/registry';

/** GET /api/style?v= : the pages' one stylesheet; it needs no settings, so even the settings-mistake page is styled. */
export default defineFunction({
  name: 'style',
  route: 'style',
  methods: ['GET'],
  audience: 'browser',
  async handler({ query, headers }) {
    return stylesheetResponse(query.get('v'), headers.get('if-none-match'));
  },
});
