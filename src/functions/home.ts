import { findSession } from '../lib/current-user';
import { htmlPage, pageSecurityPolicy, renderHomePage } from '../lib/pages';
import { defineFunction } from '../lib/registry';
import { getRuntime } from '../lib/runtime';

/** GET /api/home : the start page: sign in or sign up; signed in, who you are, your ID token's claims, the API and sign-out. */
export default defineFunction({
  name: 'home',
  route: 'home',
  methods: ['GET'],
  audience: 'browser',
  async handler(request) {
    const runtime = getRuntime();
    const { config } = runtime;
    const session = await findSession(runtime, request.headers.get('cookie'));
    const signedIn = session && { claims: session.claims, apiUrl: config.downstream.url };
    return htmlPage(renderHomePage({ appName: config.appName }, signedIn), pageSecurityPolicy());
  },
});
