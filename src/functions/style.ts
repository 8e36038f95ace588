import { stylesheetResponse } from '../lib/pages';
import { defineFunction } from '../lib/registry';

/** GET /api/style?v= : the pages' one stylesheet; needs no settings, so even the settings-mistake page is styled. */
export default defineFunction({
  name: 'style',
  route: 'style',
  methods: ['GET'],
  audience: 'browser',
  async handler(request) {
    return stylesheetResponse(request.query.get('v'), request.headers.get('if-none-match'));
  },
});
