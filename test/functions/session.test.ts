/**
 * DELETE /api/sessions/{id} through the real handler: ending one of the
 * caller's sessions, this one included; everything else is 404.
 * (Attacks on the id live in test/security/sessions-routes.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import type { FakeUser } from '../helpers/fake-entra';
import { CookieJar } from '../helpers/functions';
import { signIn } from '../helpers/sign-in-steps';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

const user: FakeUser = { oid: '44444444-4444-4444-8444-444444444444', name: 'Dana Devices', email: 'dana@example.com' };

async function device(): Promise<CookieJar> {
  const jar = new CookieJar();
  await signIn(app, jar, { user });
  return jar;
}

async function sessionsOf(jar: CookieJar) {
  return (await jar.invoke(app.fn.sessions, '/api/sessions')).json<{ sessions: Array<{ id: string; current: boolean }> }>().sessions;
}

describe('DELETE /api/sessions/{id}', () => {
  it('ends another of the caller\'s sessions: 204, and that browser is signed out', async () => {
    const [laptop, phone] = [await device(), await device()];
    const phoneSession = (await sessionsOf(phone)).find((entry) => entry.current)!;
    const result = await laptop.invoke(app.fn.session, `/api/sessions/${phoneSession.id}`, { method: 'DELETE' });
    expect(result.status).toBe(204);
    expect(result.body).toBe('');
    expect(result.cookies).toEqual([]);
    expect((await phone.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect((await laptop.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
    // Once ended, the same id is not found any more.
    const again = await laptop.invoke(app.fn.session, `/api/sessions/${phoneSession.id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(again.headers['content-type']).toBe('application/problem+json');
    expect(again.json()).toMatchObject({ code: 'session_not_found', status: 404 });
  });

  it('ends the caller\'s own session and expires its cookie', async () => {
    const laptop = await device();
    const mine = (await sessionsOf(laptop)).find((entry) => entry.current)!;
    const result = await laptop.invoke(app.fn.session, `/api/sessions/${mine.id}`, { method: 'DELETE' });
    expect(result.status).toBe(204);
    expect(result.cookies).toEqual([expect.objectContaining({ name: 'fnauth', maxAge: 0 })]);
    expect((await laptop.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
  });

  it('needs a signed-in caller', async () => {
    const result = await new CookieJar().invoke(app.fn.session, `/api/sessions/${'A'.repeat(43)}`, { method: 'DELETE' });
    expect(result.status).toBe(401);
    expect(result.json()).toMatchObject({ code: 'not_signed_in' });
  });

  it('is routed as sessions/{id}, DELETE only', () => {
    expect(app.fn.session.route).toBe('sessions/{id}');
    expect(app.fn.session.methods).toEqual(['DELETE']);
  });
});
