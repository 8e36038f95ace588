import { acceptsFormPost, requestSite } from '../lib/cross-site';
import { AppError } from '../lib/errors';
import { pageSecurityPolicy, renderHomePage } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { page, redirect } from '../lib/responses';
import { urlFor } from '../lib/routes';
import { ID_PATTERN } from '../lib/session';

/**
 * GET /api/home : the start page: Sign in and Sign up; signed in, who you are, the API call, sign-out, your ID token's
 * claims and where you are signed in.
 * POST /api/home (its own forms, `end=others` or `end=<session id>`) : ends the user's other sessions or one of them,
 * then shows the page again.
 */
export default defineFunction({
  name: 'home',
  route: 'home',
  methods: ['GET', 'POST'],
  audience: 'browser',
  async handler({ runtime, method, headers, cookies, form }) {
    const { sessions } = runtime;
    if (method === 'POST') {
      const posted = await form();
      const ref = sessions.ref(cookies);
      if (!acceptsFormPost(requestSite(headers, runtime.config.appOrigin), runtime.formTokens.verify(ref?.id, posted.get('token')))) {
        throw new AppError('cross_site_request', { detail: 'This form was not sent from our own page. Open the start page and try again.' });
      }
      const end = posted.get('end') ?? '';
      if (end !== 'others' && !ID_PATTERN.test(end)) throw new AppError('invalid_request', { detail: 'The form does not name a session to end.' });
      const home = urlFor('home', { origin: runtime.config.appOrigin });
      // endOthers finds the caller's own session in the partition it reads anyway: no separate resume.
      if (end === 'others') {
        if (ref) await sessions.endOthers(cookies, { includeCurrent: false });
        return redirect(home, { status: 303 });
      }
      const current = ref && (await sessions.resume(cookies));
      if (current) await sessions.end({ userKey: current.userKey, id: end });
      return redirect(home, { status: 303, cookies: current?.id === end ? [sessions.clearCookie()] : [] });
    }
    const { appName, downstream } = runtime.config;
    const session = await sessions.resume(cookies);
    if (!session) return page(renderHomePage({ appName }));
    const [listing = [], { metadata }] = await Promise.all([sessions.list(cookies), runtime.identity()]);
    const token = runtime.formTokens.issue(session.id);
    const signedIn = { session, sessions: listing, token, apiUrl: downstream.url };
    return page(renderHomePage({ appName }, signedIn), { securityPolicy: pageSecurityPolicy(metadata) });
  },
});
