/**
 * A settings mistake under the Functions host: the app-start check logs the
 * message once without failing the worker, and every request then answers
 * with that same message (names of settings, never their values) and logs it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_APP_NAME, loadConfig } from '../../src/lib/config';
import { reportSettingsProblems } from '../../src/lib/registry';
import { invoke, loadFunctions } from '../helpers/functions';

const example = JSON.parse(readFileSync(join(__dirname, '../../local.settings.example.json'), 'utf8')) as { Values: Record<string, string> };
const saved = { ...process.env };
let message: string;
let fn: Awaited<ReturnType<typeof loadFunctions>>;

beforeAll(async () => {
  Object.assign(process.env, example.Values);
  message = (() => {
    try {
      loadConfig(process.env);
    } catch (error) {
      return (error as ConfigError).message;
    }
    throw new Error('the example settings were accepted');
  })();
  fn = await loadFunctions();
});

afterAll(() => {
  for (const name of Object.keys(example.Values)) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('settings that need fixing', () => {
  it('are logged once when the app starts, without failing the start', () => {
    const logged: string[] = [];
    expect(() => reportSettingsProblems((line) => logged.push(line))).not.toThrow();
    expect(logged).toEqual([message]);
    expect(message).toMatch(/^The app cannot start: 5 settings need fixing/);
  });

  it('are the detail of an API answer, and of its log', async () => {
    const response = await invoke(fn.claims!, '/api/claims');
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'misconfigured', detail: message });
    expect(response.logs).toContain(message);
    expect(JSON.parse(response.logs.at(-1)!)).toMatchObject({ event: 'request', status: 500, error: 'misconfigured settings' });
  });

  it('are the page a browser gets, one setting a line', async () => {
    const response = await invoke(fn.home!, '/api/home');
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    for (const setting of ['TENANT_SUBDOMAIN', 'CLIENT_ID', 'CLIENT_SECRET', 'COOKIE_SECRETS', 'COSMOS_ENDPOINT']) {
      expect(response.body).toMatch(new RegExp(`<br>  - ${setting} `));
    }
    expect(response.body).not.toContain('try again later');
    expect(response.logs).toContain(message);
  });

  it("name the app on that page when APP_NAME itself is valid, and fall back to the placeholder when it is not", async () => {
    const appName = (body: string) => /<title>[^<]* · ([^<]+)<\/title>/.exec(body)?.[1];
    try {
      process.env.APP_NAME = 'Contoso Notes';
      expect(appName((await invoke(fn.home!, '/api/home')).body)).toBe('Contoso Notes');
      process.env.APP_NAME = 'x'.repeat(61);
      const invalid = await invoke(fn.home!, '/api/home');
      expect(appName(invalid.body)).toBe(DEFAULT_APP_NAME);
      expect(invalid.body).toMatch(/<br>  - APP_NAME /);
    } finally {
      delete process.env.APP_NAME;
    }
  });
});
