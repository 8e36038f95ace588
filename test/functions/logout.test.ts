/**
 * GET and POST /api/logout through the real handler: this device or
 * everywhere, which hint names the account at the tenant, and the
 * confirmation page (whose policy lets its form go on to the tenant).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS, type FakeUser } from '../helpers/fake-entra';
import { CookieJar, SAME_ORIGIN } from '../helpers/functions';
import { signIn } from '../helpers/sign-in-steps';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

const carol: FakeUser = { oid: '55555555-5555-4555-8555-555555555555', name: 'Carol Everywhere', email: 'carol@example.com' };

async function device(user = carol): Promise<CookieJar> {
  const jar = new CookieJar();
  await signIn(app, jar, { user });
  return jar;
}

describe('sign-out', () => {
  it('of this device: this session ends, the user\'s others stay, and the browser goes to the tenant with logout_hint', async () => {
    const [laptop, phone] = [await device(), await device()];
    const result = await laptop.invoke(app.fn.logout, '/api/logout', { method: 'POST', headers: SAME_ORIGIN });
    expect(result.status).toBe(302);
    const target = new URL(result.location!);
    expect(`${target.origin}${target.pathname}`).toBe(app.entra.metadata.end_session_endpoint);
    expect(target.searchParams.get('logout_hint')).toBe(`hint-${carol.oid}`);
    expect(target.searchParams.has('id_token_hint')).toBe(false);
    expect(result.cookies).toEqual([expect.objectContaining({ name: 'fnauth', maxAge: 0 })]);
    expect((await laptop.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect((await phone.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });

  it('everywhere (everywhere=1, a form on our pages): every session of the user here ends, then the tenant', async () => {
    const [laptop, phone, tablet] = [await device(), await device(), await device()];
    const someoneElse = await device(DEFAULT_USERS[1]);
    const result = await laptop.invoke(app.fn.logout, '/api/logout', { form: { everywhere: '1' }, headers: SAME_ORIGIN });
    expect(result.status).toBe(302);
    expect(new URL(result.location!).searchParams.get('logout_hint')).toBe(`hint-${carol.oid}`);
    for (const jar of [laptop, phone, tablet]) expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect((await someoneElse.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });

  it('puts the ID token in the URL only when the token has no login_hint (nothing else names the account)', async () => {
    app.entra.tamper = { claims: ({ login_hint: _hint, ...claims }) => claims };
    let jar: CookieJar;
    try {
      jar = await device();
    } finally {
      app.entra.tamper = undefined;
    }
    const result = await jar.invoke(app.fn.logout, '/api/logout', { headers: SAME_ORIGIN });
    const target = new URL(result.location!);
    expect(target.searchParams.has('logout_hint')).toBe(false);
    expect(target.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
  });

  it('asks first unless the browser shows our own page asked, and the confirmation may send its form on to the tenant', async () => {
    const jar = await device();
    const page = await jar.invoke(app.fn.logout, '/api/logout', { form: { everywhere: '1' }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      `default-src 'none'; style-src 'self'; form-action 'self' ${new URL(app.entra.metadata.end_session_endpoint).origin}; frame-ancestors 'none'; base-uri 'none'`,
    );
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toMatch(/<form [^>]*method="post" action="\/api\/logout">/);
    expect(page.body).toContain('name="everywhere" value="1"');
    expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });
});
