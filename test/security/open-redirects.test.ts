/**
 * Open redirects: `returnTo` on /api/login, and the post-logout target.
 *
 * The attack corpus follows oauth2-proxy's redirect validator tests
 * (pkg/app/redirect/validator_test.go and its testdata/openredirects.txt) and
 * the local-URL rules of ASP.NET Core's `IsLocalUrl`, which Microsoft.Identity.Web's
 * account endpoints rely on, adapted to this app: "evil.example" is the
 * attacker, the app is http://localhost:7071, and https://portal.contoso.test
 * is on ALLOWED_RETURN_ORIGINS. Every attack must be refused with 400 both by
 * `ReturnToPolicy` directly and through the real /api/login handler.
 *
 * Some values only *look* like attacks to a validator that emits relative
 * Location headers (oauth2-proxy does): here the resolved target is always an
 * absolute URL, so "/http://evil.example" becomes
 * "http://localhost:7071/http://evil.example", a path on this app. Those are
 * listed separately and must resolve to the app's own origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors';
import { ReturnToPolicy } from '../../src/lib/redirects';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { APP_ORIGIN, SAME_ORIGIN } from '../helpers/functions';
import { CookieJar, invoke } from '../helpers/functions';
import { signIn } from '../helpers/sign-in-steps';

const PORTAL = 'https://portal.contoso.test';
const LOCAL_SPA = 'http://localhost:3000';
const ALLOWED = [PORTAL, LOCAL_SPA];
const policy = new ReturnToPolicy(APP_ORIGIN, ALLOWED, '/api/claims');

/** [category, value]: every one must be refused. */
const ATTACKS: Array<[string, string]> = [
  // Protocol-relative (scheme-relative) URLs: the browser keeps the scheme and takes the host.
  ['protocol-relative', '//evil.example'],
  ['protocol-relative', '///evil.example'],
  ['protocol-relative', '////evil.example/'],
  ['protocol-relative', '/////evil.example'],
  ['protocol-relative', '//evil.example/%2e%2e'],
  ['protocol-relative', '//evil.example//'],
  ['protocol-relative', '//localhost:7071@evil.example/'],
  ['protocol-relative', '//portal.contoso.test@evil.example/'],
  ['protocol-relative', '//evil.example:80#@localhost:7071/'],
  ['protocol-relative', '//evil.example:80?@portal.contoso.test/'],
  ['protocol-relative', '//;@evil.example'],
  ['protocol-relative', '//https://evil.example//'],
  ['protocol-relative', '//javascript:alert(1)'],
  // Backslashes: browsers treat "\" as "/" in special URLs.
  ['backslash', '/\\evil.example'],
  ['backslash', '\\\\evil.example'],
  ['backslash', '\\/\\/evil.example/'],
  ['backslash', '/\\/evil.example/'],
  ['backslash', '//evil.example\\@localhost:7071'],
  ['backslash', '///\\;@evil.example'],
  ['backslash', '/./\\evil.example'],
  ['backslash', '/./../../\\evil.example'],
  ['backslash', 'https://evil.example\\.portal.contoso.test/'],
  ['backslash', '/ \\evil.example'],
  // Encoded slashes and backslashes (decoded once by some proxies before routing).
  ['encoded slash', '/%2f%2fevil.example'],
  ['encoded slash', '/%2F%2Fevil.example'],
  ['encoded slash', '/%2f/evil.example'],
  ['encoded slash', '/%5cevil.example'],
  ['encoded slash', '/%5C%5Cevil.example'],
  ['encoded slash', '//%5cevil.example'],
  ['encoded slash', '//%2fxevil.example'],
  ['encoded slash', '/%2f%5c%2f%65%76%69%6c%2e%65%78%61%6d%70%6c%65/'],
  ['encoded slash', '%2f%2fevil.example'],
  ['encoded slash', '%2F%2F%65vil.example'],
  ['encoded slash', '%68%74%74%70%3a%2f%2fevil.example'],
  // Whitespace and control characters: browsers strip tab, CR and LF inside URLs.
  ['whitespace', '/\t/evil.example'],
  ['whitespace', '/\n/evil.example'],
  ['whitespace', '/\r/evil.example'],
  ['whitespace', '/\v/evil.example'],
  ['whitespace', '/\f/evil.example'],
  ['whitespace', '/\t\t/\t\\evil.example'],
  ['whitespace', '/ /evil.example'],
  ['whitespace', ' //evil.example'],
  ['whitespace', '\t//evil.example'],
  ['whitespace', '/api/claims '],
  ['whitespace', '/%09/evil.example'],
  ['whitespace', '/%0a/evil.example'],
  ['whitespace', '/%0D%0A/evil.example'],
  ['whitespace', '/api/claims%0d%0aSet-Cookie:%20fnauth=x'],
  ['whitespace', `${PORTAL}/%0d%0aLocation:%20https://evil.example`],
  ['control', '/\u0000/evil.example'],
  ['control', '/%00/evil.example'],
  ['control', '//evil%00.example'],
  ['control', '/\u001b/evil.example'],
  ['control', '/\u007f/evil.example'],
  ['unicode space', '/\u00a0/evil.example'],
  ['unicode space', '/\u1680/evil.example'],
  ['unicode space', '/\u2000/evil.example'],
  ['unicode space', '/\u200b/evil.example'],
  ['unicode space', '/\u2028/evil.example'],
  ['unicode space', '/\u2029/evil.example'],
  ['unicode space', '/\u202f/evil.example'],
  ['unicode space', '/\u205f/evil.example'],
  ['unicode space', '/\u3000/evil.example'],
  ['unicode space', '/\ufeff/evil.example'],
  ['unicode space', '/%E3%80%80/evil.example'],
  ['unicode space', '/%C2%A0/evil.example'],
  ['unicode space', '//evil%E3%80%82example'],
  // User-info tricks: everything before "@" is a user name, not the host.
  ['user-info', `${PORTAL}@evil.example/`],
  ['user-info', `${APP_ORIGIN}@evil.example/`],
  ['user-info', 'https://evil.example@portal.contoso.test/'],
  ['user-info', 'https://user:pass@portal.contoso.test/'],
  ['user-info', 'http://user@localhost:7071/api/claims'],
  ['user-info', 'https://portal.contoso.test+&@evil.example#+@portal.contoso.test/'],
  ['user-info', 'http://localhost:7071:80%40evil.example/'],
  ['user-info', 'https://portal.contoso.test:443%40evil.example/'],
  ['user-info', 'http://;@evil.example'],
  ['user-info', '@evil.example'],
  // Look-alike and differently spelled hosts.
  ['look-alike', 'https://evil.example'],
  ['look-alike', 'https://portal.contoso.test.evil.example/'],
  ['look-alike', 'https://portal.contoso.test%2eevil.example/'],
  ['look-alike', 'https://evil.example%23.portal.contoso.test/'],
  ['look-alike', 'https://evil.example%3F.portal.contoso.test/'],
  ['look-alike', 'https://evil.example%2f%2f.portal.contoso.test/'],
  ['look-alike', 'https://evilportal.contoso.test/'],
  ['look-alike', 'https://portal-contoso.test/'],
  ['look-alike', 'https://p\u043ertal.contoso.test/'],
  ['look-alike', 'https://portal\u3002contoso\u3002test/'],
  ['look-alike', 'https://portal.contoso.test./'],
  ['look-alike', 'https://PORTAL.contoso.test/'],
  ['look-alike', 'HTTPS://portal.contoso.test/'],
  ['look-alike', 'http://localhost.evil.example:7071/'],
  ['look-alike', 'http://127.0.0.1:7071/api/claims'],
  ['look-alike', 'http://[::1]:7071/api/claims'],
  ['look-alike', 'http://0x7f.0.0.1:7071/'],
  ['look-alike', 'http://2130706433:7071/'],
  ['look-alike', 'http://0330.072.0326.0316/'],
  ['look-alike', 'http://[::ffff:216.58.214.206]/'],
  // Ports and schemes on allowed hosts.
  ['port', 'https://portal.contoso.test:444/'],
  ['port', 'https://portal.contoso.test:443/'],
  ['port', 'http://localhost:7072/api/claims'],
  ['port', 'http://localhost/api/claims'],
  ['port', 'http://localhost:3001/'],
  ['port', 'https://localhost:7071/api/claims'],
  ['port', 'http://portal.contoso.test/'],
  // Schemes other than http(s).
  ['scheme', 'javascript:alert(1)'],
  ['scheme', 'JaVaScRiPt:alert(1)'],
  ['scheme', 'javascript://portal.contoso.test/%0aalert(1)'],
  ['scheme', 'javascript://%0aalert(document.cookie)'],
  ['scheme', 'java%0d%0ascript:alert(1)'],
  ['scheme', '\u0001javascript:alert(1)'],
  ['scheme', '<>javascript:alert(1);'],
  ['scheme', '%19Jav%09asc%09ript:https%20://portal.contoso.test/%250Aconfirm%25281%2529'],
  ['scheme', 'Javas%26%2399;ript:alert(1)'],
  ['scheme', '\\j\\av\\a\\s\\cr\\i\\pt\\:\\a\\l\\ert\\(1\\)'],
  ['scheme', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
  ['scheme', 'data:portal.contoso.test;text/html,<script>alert(1)</script>'],
  ['scheme', 'vbscript:msgbox(1)'],
  ['scheme', 'file:///etc/passwd'],
  ['scheme', 'file://portal.contoso.test/x'],
  ['scheme', 'ftp://portal.contoso.test/'],
  ['scheme', 'blob:https://portal.contoso.test/0b4d3f'],
  ['scheme', 'ws://localhost:7071/'],
  ['scheme', 'http:evil.example'],
  ['scheme', 'https:/evil.example'],
  ['scheme', 'https:portal.contoso.test/x'],
  ['scheme', '/x:1/:///%01javascript:alert(document.cookie)/'],
  // Not a path at all (ASP.NET IsLocalUrl refuses these too, or treats "~/" specially: we do not).
  ['not a path', 'evil.example'],
  ['not a path', '.evil.example'],
  ['not a path', 'api/claims'],
  ['not a path', '~/api/claims'],
  ['not a path', '?next=//evil.example'],
  ['not a path', '#//evil.example'],
  ['not a path', '";alert(0);//'],
  // Broken percent-encoding.
  ['encoding', '/%'],
  ['encoding', '%%%%%%%%%%%'],
  ['encoding', '/api/%E0%A4%A'],
  ['encoding', '/%C0%AF/evil.example'],
  // Over-long values.
  ['over-long', `/${'a'.repeat(2100)}`],
  ['over-long', `${PORTAL}/${'a'.repeat(5000)}`],
  ['over-long', `/api/claims?x=${'%41'.repeat(4000)}`],
];

/**
 * Values a relative-Location validator must refuse, but which this policy
 * turns into an absolute URL on the app's own origin: the browser cannot leave
 * the app. [value, expected Location].
 */
const NEUTRALISED: Array<[string, string]> = [
  ['/http://evil.example', `${APP_ORIGIN}/http://evil.example`],
  ['/https://evil.example/', `${APP_ORIGIN}/https://evil.example/`],
  ['/%68%74%74%70%3a%2f%2fevil.example', `${APP_ORIGIN}/%68%74%74%70%3a%2f%2fevil.example`],
  ['/.//evil.example', `${APP_ORIGIN}//evil.example`],
  ['/a/..//evil.example', `${APP_ORIGIN}//evil.example`],
  // Double-encoded: decoded once they are still "%2f", i.e. a path segment on this app.
  ['/%252f%252fevil.example', `${APP_ORIGIN}/%252f%252fevil.example`],
  ['/%255c%255cevil.example', `${APP_ORIGIN}/%255c%255cevil.example`],
  ['/%25252F%25252Fevil.example', `${APP_ORIGIN}/%25252F%25252Fevil.example`],
  ['/evil.example/%2f%2e%2e', `${APP_ORIGIN}/evil.example/%2f%2e%2e`],
  ['/<>//evil.example', `${APP_ORIGIN}/%3C%3E//evil.example`],
];

/** [value, expected Location after sign-in]. */
const ALLOWED_TARGETS: Array<[string, string]> = [
  ['/api/claims', `${APP_ORIGIN}/api/claims`],
  ['/api/home', `${APP_ORIGIN}/api/home`],
  ['/api/me?x=1', `${APP_ORIGIN}/api/me?x=1`],
  ['/api/claims#section', `${APP_ORIGIN}/api/claims#section`],
  ['/', `${APP_ORIGIN}/`],
  ['/a/b/../c', `${APP_ORIGIN}/a/c`],
  ['/api/claims?next=%2F%2Fevil.example', `${APP_ORIGIN}/api/claims?next=%2F%2Fevil.example`],
  ['/%C3%A9t%C3%A9', `${APP_ORIGIN}/%C3%A9t%C3%A9`],
  [`${APP_ORIGIN}/api/claims`, `${APP_ORIGIN}/api/claims`],
  [APP_ORIGIN, `${APP_ORIGIN}/`],
  [`${PORTAL}/dashboard?tab=1`, `${PORTAL}/dashboard?tab=1`],
  [`${PORTAL}/`, `${PORTAL}/`],
  [PORTAL, `${PORTAL}/`],
  [`${PORTAL}/orders/42#top`, `${PORTAL}/orders/42#top`],
  [`${LOCAL_SPA}/callback`, `${LOCAL_SPA}/callback`],
  ['', `${APP_ORIGIN}/api/claims`],
];

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp({ ALLOWED_RETURN_ORIGINS: ALLOWED.join(',') });
});
afterAll(() => app.stop());

function refusedByPolicy(raw: string): AppError {
  let resolved: string | undefined;
  try {
    resolved = policy.resolve(raw);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error;
  }
  throw new Error(`ReturnToPolicy accepted ${JSON.stringify(raw)} as ${resolved}`);
}

describe('the attack corpus', () => {
  it('has at least 60 distinct values across every category the brief names', () => {
    const values = ATTACKS.map(([, value]) => value);
    expect(new Set(values).size).toBe(values.length);
    expect(values.length).toBeGreaterThanOrEqual(60);
    const categories = new Set(ATTACKS.map(([category]) => category));
    for (const needed of ['protocol-relative', 'backslash', 'encoded slash', 'whitespace', 'control', 'unicode space', 'user-info', 'look-alike', 'port', 'scheme', 'over-long']) {
      expect(categories).toContain(needed);
    }
  });
});

describe('ReturnToPolicy refuses', () => {
  it.each(ATTACKS)('%s: %j', (_category, raw) => {
    const error = refusedByPolicy(raw);
    expect(error.code).toBe('invalid_return_to');
    expect(error.status).toBe(400);
    expect(error.detail).not.toContain('evil');
  });
});

describe('/api/login refuses with 400, sets no cookie and does not echo the value', () => {
  it.each(ATTACKS)('%s: %j', async (_category, raw) => {
    const result = await invoke(app.fn.login, `/api/login?returnTo=${encodeURIComponent(raw)}`);
    expect(result.status).toBe(400);
    expect(result.location).toBeUndefined();
    expect(result.cookies).toEqual([]);
    expect(result.headers['content-type']).toContain('text/html');
    expect(result.body).toContain('invalid_return_to');
    expect(result.body).not.toContain('evil');
    expect(result.body).not.toContain('<script');
  });
});

describe('values that look like attacks resolve to this app', () => {
  it.each(NEUTRALISED)('%j → %s', async (raw, expected) => {
    const resolved = policy.resolve(raw);
    expect(resolved).toBe(expected);
    expect(new URL(resolved).origin).toBe(APP_ORIGIN);
    const { redirect } = await signIn(app, new CookieJar(), { loginPath: `/api/login?returnTo=${encodeURIComponent(raw)}` });
    expect(redirect.location).toBe(expected);
    expect(new URL(redirect.location!).origin).toBe(APP_ORIGIN);
  });
});

describe('allowed targets are accepted and reached after sign-in', () => {
  it.each(ALLOWED_TARGETS)('%j → %s', async (raw, expected) => {
    expect(policy.resolve(raw)).toBe(expected);
    const { login, redirect } = await signIn(app, new CookieJar(), { loginPath: `/api/login?returnTo=${encodeURIComponent(raw)}` });
    // Nothing of returnTo travels to Entra: it stays in the encrypted transaction cookie.
    expect(login.location).not.toContain('portal.contoso.test');
    expect(login.location).not.toContain('localhost%3A3000');
    expect(new URL(login.location!).searchParams.has('returnTo')).toBe(false);
    expect(redirect.location).toBe(expected);
    expect(redirect.cookies.map((cookie) => cookie.name)).toContain('fnauth');
  });

  it('with no returnTo at all, goes to /api/claims', async () => {
    const { redirect } = await signIn(app);
    expect(redirect.location).toBe(`${APP_ORIGIN}/api/claims`);
  });
});

describe('/api/logout: the post-logout target is a setting, never a parameter', () => {
  const attempts = [
    'post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F',
    'returnTo=%2F%2Fevil.example',
    'returnTo=https%3A%2F%2Fportal.contoso.test%2F',
    'redirect_uri=https%3A%2F%2Fevil.example',
    'redirect=https%3A%2F%2Fevil.example&next=%2F%2Fevil.example&url=https%3A%2F%2Fevil.example',
    'post_logout_redirect_uri=https%3A%2F%2Fevil.example&post_logout_redirect_uri=%2F%2Fevil.example',
    'id_token_hint=forged&logout_hint=forged&state=https%3A%2F%2Fevil.example',
  ];

  it.each(attempts)('?%s', async (query) => {
    for (const method of ['GET', 'POST']) {
      const jar = new CookieJar();
      await signIn(app, jar);
      const result = await jar.invoke(app.fn.logout, `/api/logout?${query}`, { method, headers: SAME_ORIGIN });
      expect(result.status).toBe(302);
      const target = new URL(result.location!);
      expect(`${target.origin}${target.pathname}`).toBe(app.entra.metadata.end_session_endpoint);
      expect(target.searchParams.getAll('post_logout_redirect_uri')).toEqual([`${APP_ORIGIN}/api/home`]);
      expect(result.location).not.toContain('evil');
      expect(target.searchParams.get('id_token_hint')).not.toBe('forged');
      expect(target.searchParams.get('logout_hint')).not.toBe('forged');
      expect(target.searchParams.has('state')).toBe(false);
      // Signed-out callers are sent on the same way.
      const anonymous = await invoke(app.fn.logout, `/api/logout?${query}`, { method, headers: SAME_ORIGIN });
      expect(new URL(anonymous.location!).searchParams.getAll('post_logout_redirect_uri')).toEqual([`${APP_ORIGIN}/api/home`]);
      expect(anonymous.location).not.toContain('evil');
    }
  });

  it('a cross-site request gets a confirmation page, not a redirect, and does not reflect the parameters', async () => {
    const jar = new CookieJar();
    await signIn(app, jar);
    const crossSite: Array<Record<string, string>> = [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }, {}];
    for (const headers of crossSite) {
      const page = await jar.invoke(app.fn.logout, `/api/logout?${attempts[0]}&${attempts[1]}`, { headers });
      expect(page.status).toBe(200);
      expect(page.location).toBeUndefined();
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).not.toContain('evil');
      expect(page.body).toContain('action="/api/logout"');
      // The page may send its form on to the tenant's end-session endpoint, and nowhere else.
      expect(page.headers['content-security-policy']).toContain(`form-action 'self' ${new URL(app.entra.metadata.end_session_endpoint).origin};`);
      expect(jar.cookies.has('fnauth')).toBe(true);
    }
    // The confirmation's own POST is same-origin: it signs out to the fixed target.
    const confirmed = await jar.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin', origin: APP_ORIGIN } });
    expect(confirmed.status).toBe(302);
    expect(new URL(confirmed.location!).searchParams.getAll('post_logout_redirect_uri')).toEqual([`${APP_ORIGIN}/api/home`]);
  });
});
