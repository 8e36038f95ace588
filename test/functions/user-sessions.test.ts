/**
 * DELETE /api/users/{userId}/sessions through the real handler, with the
 * settings an administrator would change: a custom app role, the tenant
 * revoke through Microsoft Graph (msw, with its failures), and an allow-list of calling
 * client ids (which every bearer route honours).
 */
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { CookieJar, invoke } from '../helpers/functions';
import { signIn } from '../helpers/sign-in-steps';

const ROLE = 'Support.EndSessions';
const [ALICE, BOB] = [DEFAULT_USERS[0]!, DEFAULT_USERS[1]!];

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp({ SESSIONS_ADMIN_ROLE: ROLE, REVOKE_TENANT_SESSIONS: 'true', API_ALLOWED_CLIENT_IDS: '99990000-cccc-4ddd-8eee-111122223333,55556666-bbbb-4ccc-8ddd-777788889999' });
  app.entra.adminRoles = [ROLE];
});
afterAll(() => app.stop());

const revoke = (userId: string, token?: string, headers: Record<string, string> = {}) =>
  invoke(app.fn['user-sessions'], `/api/users/${userId}/sessions`, { method: 'DELETE', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

/** Graph answers the next revokeSignInSessions call with `answer`. */
function graphAnswers(answer: () => Response): void {
  app.msw.use(http.post('https://graph.microsoft.com/v1.0/users/:id/revokeSignInSessions', answer, { once: true }));
}

async function devices(user = ALICE, count = 2): Promise<CookieJar[]> {
  const jars: CookieJar[] = [];
  for (let index = 0; index < count; index += 1) {
    const jar = new CookieJar();
    await signIn(app, jar, { user });
    jars.push(jar);
  }
  return jars;
}

/** What an administrators' tool does: client credentials at the tenant, for the web app's API. */
async function adminToken(): Promise<string> {
  const response = await fetch(app.entra.metadata.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.entra.adminClientId,
      client_secret: app.entra.adminClientSecret,
      scope: `api://${app.entra.clientId}/.default`,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('an administrator ends a user\'s sessions', () => {
  it('with an app token (client credentials) carrying the configured role: every session here, and at the tenant through Graph', async () => {
    const aliceDevices = await devices(ALICE, 3);
    const [bobDevice] = await devices(BOB, 1);
    const revocationsBefore = app.entra.graphRevocations.length;
    const result = await revoke(ALICE.oid.toUpperCase(), await adminToken());
    expect(result.status, result.body).toBe(200);
    expect(result.json()).toEqual({ userId: ALICE.oid, sessionsEnded: 3, tenantSessionsRevoked: true });
    for (const jar of aliceDevices) expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect((await bobDevice!.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
    expect(app.entra.graphRevocations.slice(revocationsBefore)).toEqual([ALICE.oid]);
    // Idempotent: nothing left to end here, and Graph is asked again.
    expect((await revoke(ALICE.oid, await adminToken())).json()).toMatchObject({ sessionsEnded: 0 });
  });

  it('as a user who was assigned the role (a delegated token with roles)', async () => {
    await devices(ALICE, 1);
    const token = await app.entra.accessToken(BOB, { azp: app.entra.publicClientId, claims: (claims) => ({ ...claims, roles: [ROLE] }) });
    expect((await revoke(ALICE.oid, token)).json()).toMatchObject({ sessionsEnded: 1 });
  });

  it('names the setting and the permission when Graph refuses (User.RevokeSessions.All not granted): 500 misconfigured, after the sessions here ended', async () => {
    const [device] = await devices(ALICE, 1);
    app.entra.graphRevokeGranted = false;
    try {
      const result = await revoke(ALICE.oid, await adminToken());
      expect(result.status).toBe(500);
      expect(result.headers['retry-after']).toBeUndefined();
      expect(result.json()).toMatchObject({ code: 'misconfigured', detail: expect.stringContaining('User.RevokeSessions.All') });
      expect(result.json<{ detail: string }>().detail).toContain('REVOKE_TENANT_SESSIONS');
      expect(result.json<{ detail: string }>().detail).toContain('sessions here have ended');
      expect(JSON.parse(result.logs.find((line) => line.includes('"event":"request"'))!)).toMatchObject({ error: 'misconfigured graph:403', setting: 'REVOKE_TENANT_SESSIONS' });
      expect((await device!.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    } finally {
      app.entra.graphRevokeGranted = true;
    }
  });

  it('answers 200 with tenantSessionsRevoked: false for a user the tenant does not have (Graph 404: deleted, or never there)', async () => {
    const [device] = await devices(ALICE, 1);
    graphAnswers(() => HttpResponse.json({ error: { code: 'Request_ResourceNotFound' } }, { status: 404 }));
    const result = await revoke(ALICE.oid, await adminToken());
    expect(result.status, result.body).toBe(200);
    expect(result.json()).toEqual({ userId: ALICE.oid, sessionsEnded: 1, tenantSessionsRevoked: false });
    expect((await device!.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
  });

  it("reads Graph throttled or down as 503 downstream_unavailable with Graph's Retry-After (or 10 s), after the sessions here ended", async () => {
    const answers: Array<[() => Response, string]> = [
      [() => HttpResponse.json({ error: { code: 'TooManyRequests' } }, { status: 429, headers: { 'Retry-After': '7' } }), '7'],
      [() => new HttpResponse('busy', { status: 503 }), '10'],
      [() => new HttpResponse('bad gateway', { status: 502, headers: { 'Retry-After': 'soon' } }), '10'],
    ];
    for (const [answer, retryAfter] of answers) {
      const [device] = await devices(ALICE, 1);
      graphAnswers(answer);
      const result = await revoke(ALICE.oid, await adminToken());
      expect(result.status, result.body).toBe(503);
      expect(result.headers['retry-after']).toBe(retryAfter);
      expect(result.json()).toMatchObject({ code: 'downstream_unavailable', detail: expect.stringContaining('sessions here have ended') });
      expect((await device!.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    }
  });

  it('reads any other Graph answer as 502 downstream_failed', async () => {
    graphAnswers(() => HttpResponse.json({ error: { code: 'BadRequest' } }, { status: 400 }));
    const result = await revoke(ALICE.oid, await adminToken());
    expect(result.status).toBe(502);
    expect(result.json()).toMatchObject({ code: 'downstream_failed' });
  });
});

describe('who may not', () => {
  it('no token: 401 with WWW-Authenticate; a signed-in browser\'s cookie is not enough', async () => {
    const [device] = await devices(ALICE, 1);
    const anonymous = await revoke(ALICE.oid);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    expect((await device!.invoke(app.fn['user-sessions'], `/api/users/${ALICE.oid}/sessions`, { method: 'DELETE' })).status).toBe(401);
    expect((await device!.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });

  it('a token without the role, or with only the default role name: 403 missing_role', async () => {
    const [device] = await devices(ALICE, 1);
    for (const roles of [[], ['Sessions.RevokeAll'], ['support.endsessions']]) {
      app.entra.adminRoles = roles;
      const result = await revoke(ALICE.oid, await adminToken());
      expect(result.status).toBe(403);
      expect(result.json()).toMatchObject({ code: 'missing_role' });
    }
    app.entra.adminRoles = [ROLE];
    expect((await device!.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });

  it('a token of another tenant, a version 1.0 token, or one for another API: 401 invalid_token', async () => {
    const tampered = [
      (claims: Record<string, unknown>) => ({ ...claims, tid: '00000000-0000-4000-8000-00000000beef' }),
      (claims: Record<string, unknown>) => ({ ...claims, ver: '1.0' }),
      (claims: Record<string, unknown>) => ({ ...claims, aud: 'api://another-api' }),
    ];
    for (const claims of tampered) {
      const result = await revoke(ALICE.oid, await app.entra.appToken([ROLE], app.entra.adminClientId, claims));
      expect(result.status).toBe(401);
      expect(result.json()).toMatchObject({ code: 'invalid_token' });
    }
  });

  it('an ID token carrying the role (it travels in sign-out URLs and session documents): 401 invalid_token', async () => {
    const [device] = await devices(ALICE, 1);
    const admin = { ...BOB, roles: [ROLE] };
    const idTokens = [
      // As issued at a browser sign-in: a nonce, no azp.
      await app.entra.idToken(admin, 'nonce-of-a-sign-in', app.entra.clientId, 'sid-of-a-sign-in'),
      // As issued without a nonce (device code, refresh): still no azp.
      await app.entra.idToken(admin, undefined),
    ];
    // A token that names a client but carries a nonce is no access token either.
    const withNonce = await app.entra.appToken([ROLE], app.entra.adminClientId, (claims) => ({ ...claims, nonce: 'nonce-of-a-sign-in' }));
    for (const token of [...idTokens, withNonce]) {
      const result = await revoke(ALICE.oid, token);
      expect(result.status, result.body).toBe(401);
      expect(result.json()).toMatchObject({ code: 'invalid_token' });
      expect(result.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    }
    expect((await device!.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });

  it('a client outside API_ALLOWED_CLIENT_IDS: 403 client_not_allowed, here and on every bearer route', async () => {
    const outsider = await app.entra.appToken([ROLE], '12121212-3434-4565-8787-909090909090');
    const result = await revoke(ALICE.oid, outsider);
    expect(result.status).toBe(403);
    expect(result.json()).toMatchObject({ code: 'client_not_allowed' });
    const web = await app.entra.accessToken(ALICE, { azp: '12121212-3434-4565-8787-909090909090' });
    expect((await invoke(app.fn.claims, '/api/claims', { headers: { authorization: `Bearer ${web}` } })).json()).toMatchObject({ code: 'client_not_allowed' });
    const listed = await app.entra.accessToken(ALICE);
    expect((await invoke(app.fn.claims, '/api/claims', { headers: { authorization: `Bearer ${listed}` } })).status).toBe(200);
  });
});
