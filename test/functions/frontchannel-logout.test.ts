/**
 * GET /api/logout/frontchannel through the real handler: what Entra loads in a
 * hidden frame, with `sid` (and sometimes `iss`) and no cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { CookieJar, invoke } from '../helpers/functions';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

/** A browser signed in under Entra's session `sid`. */
async function signedInUnder(sid: string, user = DEFAULT_USERS[0]!): Promise<CookieJar> {
  const jar = new CookieJar();
  const login = await jar.invoke(app.fn.login, '/api/login');
  expect((await jar.invoke(app.fn.redirect, app.entra.authorize(login.location!, user, { sid }))).status).toBe(302);
  return jar;
}

const frontChannel = (query: string) => invoke(app.fn['frontchannel-logout'], `/api/logout/frontchannel?${query}`);

describe('front-channel logout', () => {
  it('ends every session of that Entra session, with no cookie, and answers an empty page only the tenant may frame', async () => {
    const sid = crypto.randomUUID();
    const [tab, otherApp] = [await signedInUnder(sid), await signedInUnder(sid)];
    const elsewhere = await signedInUnder(crypto.randomUUID());
    const bob = await signedInUnder(crypto.randomUUID(), DEFAULT_USERS[1]);

    const result = await frontChannel(`sid=${sid}&iss=${encodeURIComponent(app.entra.issuer)}`);
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.headers['cache-control']).toBe('no-store');
    expect(result.headers['content-security-policy']).toBe(`default-src 'none'; frame-ancestors ${new URL(app.entra.metadata.end_session_endpoint).origin}`);
    expect(result.headers['x-frame-options']).toBeUndefined();
    expect(result.cookies).toEqual([]);
    // Empty, and nothing its policy would refuse (a refusal shows in the tenant page's console).
    expect(result.body).not.toMatch(/<script|<style|style=|<img|<iframe/);

    for (const jar of [tab, otherApp]) expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    for (const jar of [elsewhere, bob]) expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });

  it('works without iss (Entra often leaves it out), and a sid that names nothing is still a 200', async () => {
    const sid = crypto.randomUUID();
    const jar = await signedInUnder(sid);
    expect((await frontChannel(`sid=${sid}`)).status).toBe(200);
    expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(401);
    expect((await frontChannel(`sid=${crypto.randomUUID()}`)).status).toBe(200);
  });

  it('refuses a missing or malformed sid, and another tenant\'s iss: 400, nothing ended, and never frameable', async () => {
    const sid = crypto.randomUUID();
    const jar = await signedInUnder(sid);
    for (const query of ['', 'sid=', `sid=${'x'.repeat(300)}`, 'sid=%3Cscript%3E%20x', `sid=${sid}&iss=${encodeURIComponent('https://evil.example/v2.0')}`]) {
      const result = await frontChannel(query);
      expect(result.status).toBe(400);
      expect(result.headers['content-type']).toContain('text/html');
      expect(result.headers['x-frame-options']).toBe('DENY');
      expect(result.body).not.toContain('<script>');
    }
    expect((await jar.invoke(app.fn.claims, '/api/claims')).status).toBe(200);
  });

  it('is the only function that may be framed', () => {
    const frameable = Object.values(app.fn).filter((fn) => fn.frameable).map((fn) => fn.name);
    expect(frameable).toEqual(['frontchannel-logout']);
    expect(app.fn['frontchannel-logout'].route).toBe('logout/frontchannel');
  });
});
