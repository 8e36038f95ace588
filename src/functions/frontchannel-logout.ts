import { AppError } from '../lib/errors';
import { frameablePolicy, renderFrontChannelPage } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { page } from '../lib/responses';

/**
 * GET /api/logout/frontchannel?sid=&iss= : the app registration's Front-channel logout URL. Entra loads it in a hidden
 * frame when the user signs out of the tenant elsewhere; no cookie arrives there (SameSite=Lax), so the sessions are
 * found by Entra's `sid`. Answers an empty page that only the tenant's sign-out page may frame.
 */
export default defineFunction({
  name: 'frontchannel-logout',
  route: 'logout/frontchannel',
  methods: ['GET'],
  audience: 'browser',
  frameable: true,
  async handler({ runtime, query }) {
    const identity = await runtime.identity();
    const sid = query.get('sid') ?? '';
    // Entra's sid is a GUID; anything printable up to 256 characters is accepted from other providers.
    if (!/^[\x21-\x7e]{1,256}$/.test(sid)) throw new AppError('invalid_request', { detail: 'Front-channel logout needs the sid of the session to end.' });
    const iss = query.get('iss');
    if (iss !== null && iss !== identity.metadata.issuer) throw new AppError('invalid_request', { detail: 'This sign-out comes from another tenant.' });
    await runtime.sessions.endBySid(sid);
    return page(renderFrontChannelPage(), { securityPolicy: frameablePolicy(identity.metadata) });
  },
});
