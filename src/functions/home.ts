import { ID_PATTERN } from '../lib/session';
import { acceptsFormPost, requestSite } from '../lib/cross-site';
import { AuthError } from '../lib/errors';
import { readForm } from '../lib/forms';
import { htmlPage, pageSecurityPolicy, renderHomePage } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';

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
  async handler(request) {
    const runtime = getRuntime();
    const { sessions } = runtime;
    const cookieHeader = request.headers.get('cookie');
    if (request.method === 'POST') {
      const form = await readForm(request);
      const ref = await sessions.ref(cookieHeader);
      if (!acceptsFormPost(requestSite(request.headers, runtime.config.appOrigin), runtime.formTokens.verify(ref?.id, form.get('token')))) {
        throw new AuthError('cross_site_request', 403, 'This form was not sent from our own page. Open the start page and try again.');
      }
      const end = form.get('end') ?? '';
      if (end !== 'others' && !ID_PATTERN.test(end)) throw new AuthError('invalid_request', 400, 'The form does not name a session to end.');
      const current = ref && (await sessions.resume(cookieHeader));
      if (current && end === 'others') await sessions.endOthers(cookieHeader, { includeCurrent: false });
      else if (current) await sessions.end({ userKey: current.userKey, id: end });
      const home = new URL('/api/home', runtime.config.appOrigin).href;
      return { status: 303, headers: { Location: home }, cookies: current?.id === end ? [sessions.clearCookie()] : [] };
    }
    const { appName, downstream } = runtime.config;
    const session = await sessions.resume(cookieHeader);
    if (!session) return htmlPage(renderHomePage({ appName }), pageSecurityPolicy({}));
    const [listing = [], { metadata }] = await Promise.all([sessions.list(cookieHeader), runtime.identity()]);
    const token = runtime.formTokens.issue(session.id);
    return htmlPage(renderHomePage({ appName }, { session, sessions: listing, token, apiUrl: downstream.url }), pageSecurityPolicy(metadata));
  },
});
