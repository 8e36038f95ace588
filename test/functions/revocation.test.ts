/**
 * How soon each way of ending a session takes effect (the README's
 * revocation table): this device, other devices, everywhere, an
 * administrator, and front-channel logout from the tenant. Each must take
 * effect on the ended browser's very next request, and leave neither the
 * session nor its refresh token in Cosmos DB. The session cache is on (the
 * default) and holds every session when it ends (sign-in puts it there), so
 * "at once" includes this instance's memory; other instances:
 * two-instances.test.ts.
 */
import { decodeJwt } from 'jose';
import { CosmosClient, type Container } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdOf, tokenCacheIdOf } from '../../src/lib/session/ids';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import type { FakeUser } from '../helpers/fake-entra';
import { CookieJar, invoke, SAME_ORIGIN } from '../helpers/functions';
import { SESSION_COOKIE } from '../helpers/sign-in-steps';

let app: AppUnderTest;
let container: Container;
beforeAll(async () => {
  app = await startApp();
  const client = new CosmosClient({ endpoint: app.cosmos.endpoint, key: app.cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
  container = client.database(app.env.COSMOS_DATABASE!).container('sessions');
});
afterAll(() => app.stop());

interface Device {
  jar: CookieJar;
  sid: string;
}

async function device(user: FakeUser, sid = crypto.randomUUID()): Promise<Device> {
  const jar = new CookieJar();
  const login = await jar.invoke(app.fn.login, '/api/login');
  expect((await jar.invoke(app.fn.redirect, app.entra.authorize(login.location!, user, { sid }))).status).toBe(302);
  return { jar, sid };
}

/** Both of the session's documents, read straight from Cosmos DB. */
async function documentsOf({ jar }: Device): Promise<number> {
  const { u, s } = decodeJwt<{ u: string; s: string }>(jar.cookies.get(SESSION_COOKIE)!);
  const id = sessionIdOf(s);
  const reads = await Promise.all([container.item(id, u).read(), container.item(tokenCacheIdOf(id), u).read()]);
  return reads.filter((read) => read.resource !== undefined).length;
}

/** The ended browser's very next requests, with the cookie it had. */
async function expectEnded(ended: Device) {
  expect(await documentsOf(ended)).toBe(0);
  const headers = { cookie: ended.jar.header() };
  expect((await invoke(app.fn.claims, '/api/claims', { headers })).status).toBe(401);
  expect((await invoke(app.fn.me, '/api/me', { headers })).status).toBe(401);
  expect((await invoke(app.fn.sessions, '/api/sessions', { headers })).status).toBe(401);
}

async function expectAlive(alive: Device) {
  expect(await documentsOf(alive)).toBe(2);
  expect((await alive.jar.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
}

const someone = (): FakeUser => ({ oid: crypto.randomUUID(), name: 'Revocation Tester', email: 'revoke@example.com' });

describe('every way of ending a session takes effect at the next request', () => {
  it('this device (sign-out)', async () => {
    const user = someone();
    const [here, there] = [await device(user), await device(user)];
    const cookie = here.jar.header();
    await here.jar.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: SAME_ORIGIN });
    here.jar.plant(SESSION_COOKIE, cookie.slice(`${SESSION_COOKIE}=`.length));
    await expectEnded(here);
    await expectAlive(there);
  });

  it('other devices (DELETE /api/sessions, and one by id)', async () => {
    const user = someone();
    const [here, second, third] = [await device(user), await device(user), await device(user)];
    const listed = (await third.jar.invoke(app.fn.sessions, '/api/sessions')).json<{ sessions: Array<{ id: string; current: boolean }> }>().sessions;
    await here.jar.invoke(app.fn.session, `/api/sessions/${listed.find((entry) => entry.current)!.id}`, { method: 'DELETE' });
    await expectEnded(third);
    await here.jar.invoke(app.fn.sessions, '/api/sessions', { method: 'DELETE' });
    await expectEnded(second);
    await expectAlive(here);
  });

  it('everywhere (sign-out with everywhere=1)', async () => {
    const user = someone();
    const devices = [await device(user), await device(user)];
    const cookies = devices.map(({ jar }) => jar.header());
    await devices[0]!.jar.invoke(app.fn.logout, '/api/logout', { form: { everywhere: '1' }, headers: SAME_ORIGIN });
    devices[0]!.jar.plant(SESSION_COOKIE, cookies[0]!.slice(`${SESSION_COOKIE}=`.length));
    for (const ended of devices) await expectEnded(ended);
  });

  it('an administrator (DELETE /api/users/{id}/sessions)', async () => {
    const user = someone();
    const devices = [await device(user), await device(user)];
    const bystander = await device(someone());
    const token = await app.entra.appToken(['Sessions.RevokeAll']);
    const result = await invoke(app.fn['user-sessions'], `/api/users/${user.oid}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(result.json()).toMatchObject({ sessionsEnded: 2, tenantSessionsRevoked: false });
    for (const ended of devices) await expectEnded(ended);
    await expectAlive(bystander);
  });

  it('front-channel logout (the user signed out of the tenant elsewhere)', async () => {
    const user = someone();
    const [signedOutAtTenant, otherTenantSession] = [await device(user), await device(user)];
    expect((await invoke(app.fn['frontchannel-logout'], `/api/logout/frontchannel?sid=${signedOutAtTenant.sid}`)).status).toBe(200);
    await expectEnded(signedOutAtTenant);
    await expectAlive(otherTenantSession);
  });
});
