/**
 * The README cannot drift from the app: what it shows is what the app answers.
 *
 * - Every endpoint example (a paragraph that starts with **`METHOD /api/…`**)
 *   is sent to the registered function: the first status it names, the
 *   content type it implies (problem+json, a page, JSON), the JSON shape of
 *   the block that follows (every key shown must be there, with the same
 *   type; problem+json bodies must match exactly), and each error code named
 *   after another status (`404` problem+json `session_not_found`). A status
 *   the example names without a code (health's `503`) is covered by that
 *   function's own test file.
 * - The error-code table lists exactly the catalogue's codes, each with its status.
 * - The CLI's exit-code table lists exactly `EXIT`.
 * - "Add your own function" shows the example functions exactly as they are
 *   in test/functions/examples (add-your-own.test.ts runs them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/errors';
import { ERRORS, type ErrorCode } from '../src/lib/errors';
import { startApp, type AppUnderTest } from './helpers/app-under-test';
import type { FakeUser } from './helpers/fake-entra';
import { CookieJar, invoke, SAME_ORIGIN, type InvokeResult } from './helpers/functions';
import { signIn } from './helpers/sign-in-steps';

const README = readFileSync(join(__dirname, '../README.md'), 'utf8');

interface Example {
  /** `GET /api/claims (signed in)`: the method, the path and the qualifier, as written. */
  key: string;
  header: string;
  /** The JSON the example shows: the fenced block after a header ending in ":", or inline after the status. */
  json: unknown;
}

/** The endpoint examples, in README order. */
function examples(): Example[] {
  const lines = README.split('\n');
  const found: Example[] = [];
  lines.forEach((line, index) => {
    const match = /^\*\*`(GET|POST|DELETE) ([^`]+)`\*\*(?: \(([^)]+)\))?/.exec(line);
    if (!match) return;
    const [, method, path, qualifier] = match;
    let json: unknown;
    const inline = /`\d{3} (\{.*?\})`/.exec(line);
    if (inline) json = JSON.parse(inline[1]!);
    // A fenced JSON block right after the example's paragraph is its answer.
    const blank = lines.findIndex((candidate, at) => at > index && candidate.trim() === '');
    const open = lines.findIndex((candidate, at) => at > blank && candidate.trim() !== '');
    if (lines[open]?.startsWith('```json')) {
      const close = lines.findIndex((candidate, at) => at > open && candidate.startsWith('```'));
      json = JSON.parse(lines.slice(open + 1, close).join('\n'));
    }
    found.push({ key: `${method} ${path}${qualifier ? ` (${qualifier})` : ''}`, header: line, json });
  });
  return found;
}

/** Every key the README shows is in the answer, with a value of the same type; arrays by their first element. */
function expectShape(actual: unknown, shown: unknown, at = '$'): void {
  if (Array.isArray(shown)) {
    expect(Array.isArray(actual), `${at} is an array`).toBe(true);
    if (shown.length > 0) {
      expect((actual as unknown[]).length, `${at} has entries`).toBeGreaterThan(0);
      expectShape((actual as unknown[])[0], shown[0], `${at}[0]`);
    }
    return;
  }
  if (shown !== null && typeof shown === 'object') {
    expect(actual, `${at} is an object`).toBeTypeOf('object');
    for (const [key, value] of Object.entries(shown)) {
      expect(actual as object, `${at} has ${key}`).toHaveProperty([key]);
      expectShape((actual as Record<string, unknown>)[key], value, `${at}.${key}`);
    }
    return;
  }
  expect(typeof actual, `${at} is a ${typeof shown}`).toBe(typeof shown);
}

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

/** A user of one example, so counts of sessions are the example's own. */
const newUser = (): FakeUser => ({ oid: crypto.randomUUID(), name: 'Alice Example', email: 'alice@example.com' });

async function signedIn(user = newUser()): Promise<CookieJar> {
  const jar = new CookieJar();
  await signIn(app, jar, { user });
  return jar;
}

/** How to ask for each example's answer, by status: the README's statuses must all be here. */
const CALLS: Record<string, Record<number, () => Promise<InvokeResult>>> = {
  'GET /api/claims (signed in)': { 200: async () => (await signedIn()).invoke(app.fn.claims, '/api/claims') },
  'GET /api/claims (not signed in)': { 401: () => invoke(app.fn.claims, '/api/claims') },
  'GET /api/me': { 200: async () => (await signedIn()).invoke(app.fn.me, '/api/me') },
  'GET /api/health': {
    200: async () => {
      await signedIn(); // the container exists once someone signed in
      return invoke(app.fn.health, '/api/health');
    },
  },
  'GET /api/login?returnTo=//evil.example': { 400: () => invoke(app.fn.login, '/api/login?returnTo=//evil.example') },
  'GET /api/sessions (cookie)': {
    200: async () => {
      const user = newUser();
      await signedIn(user);
      return (await signedIn(user)).invoke(app.fn.sessions, '/api/sessions');
    },
  },
  'DELETE /api/sessions': {
    200: async () => {
      const user = newUser();
      await signedIn(user);
      return (await signedIn(user)).invoke(app.fn.sessions, '/api/sessions', { method: 'DELETE', headers: SAME_ORIGIN });
    },
  },
  'DELETE /api/sessions/{id}': {
    204: async () => {
      const user = newUser();
      await signedIn(user);
      const jar = await signedIn(user);
      const listing = (await jar.invoke(app.fn.sessions, '/api/sessions')).json<{ sessions: { id: string; current: boolean }[] }>();
      const other = listing.sessions.find((session) => !session.current)!;
      return jar.invoke(app.fn.session, `/api/sessions/${other.id}`, { method: 'DELETE', headers: SAME_ORIGIN });
    },
    404: async () => {
      const jar = await signedIn();
      return jar.invoke(app.fn.session, `/api/sessions/${'A'.repeat(43)}`, { method: 'DELETE', headers: SAME_ORIGIN });
    },
  },
  'DELETE /api/users/{userId}/sessions': {
    200: async () => {
      const user = newUser();
      await Promise.all([signedIn(user), signedIn(user)]);
      const token = await app.entra.appToken(['Sessions.RevokeAll']);
      return invoke(app.fn['user-sessions']!, `/api/users/${user.oid}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    },
  },
};

describe('the README’s endpoint examples', () => {
  const shown = examples();

  it('each have a way to be checked here, and nothing is checked that the README does not show', () => {
    expect(shown.map((example) => example.key).sort()).toEqual(Object.keys(CALLS).sort());
  });

  it.each(shown.map((example) => [example.key, example] as const))('%s answers as shown', async (key, example) => {
    const statuses = [...example.header.matchAll(/`(\d{3})[` ]/g)].map((match) => Number(match[1]));
    const status = statuses[0] ?? 200;
    const result = await CALLS[key]![status]!();
    expect(result.status, result.body.slice(0, 300)).toBe(status);
    const problem = /problem\+json/.test(example.header.slice(0, example.header.indexOf(`\`${status}`) + 60)) || status >= 400;
    if (/`\d{3}` page/.test(example.header)) {
      expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
      const quoted = /\*"(.+?)…?"\*/.exec(example.header)?.[1]?.replace(/…$/, '');
      if (quoted) expect(result.body).toContain(quoted);
    } else if (example.json !== undefined) {
      expect(result.headers['content-type']).toBe(problem && status >= 400 ? 'application/problem+json' : 'application/json');
      if (status >= 400) expect(result.json()).toEqual(example.json);
      else expectShape(result.json(), example.json);
    } else if (status !== 204) {
      expect(result.headers['content-type']).toMatch(/json/);
    }

    // Each further status named with an error code: `404` problem+json `session_not_found`.
    for (const [, other, code] of example.header.matchAll(/`(\d{3})`[^`]*?`([a-z_]+)`/g)) {
      if (Number(other) === status || !(code! in ERRORS)) continue;
      const alternative = await CALLS[key]![Number(other)]!();
      expect(alternative.status).toBe(Number(other));
      expect(alternative.json()).toMatchObject({ code, status: Number(other) });
    }
  });
});

describe('the README’s tables', () => {
  const table = (heading: string) => {
    const start = README.indexOf(`\n### ${heading}\n`);
    expect(start, heading).toBeGreaterThan(0);
    const rows = README.slice(start).split('\n').slice(1);
    const first = rows.findIndex((line) => line.startsWith('|'));
    const end = rows.findIndex((line, index) => index > first && !line.startsWith('|'));
    return rows.slice(first + 2, end).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  };

  it('list every error code of the catalogue with its status, and no other', () => {
    const listed = new Map<string, number>();
    for (const [codes, status] of table('Error codes')) {
      for (const [, code] of codes!.matchAll(/`([a-z_]+)`/g)) listed.set(code!, Number(status));
    }
    expect(Object.fromEntries(listed)).toEqual(Object.fromEntries(Object.entries(ERRORS).map(([code, entry]) => [code as ErrorCode, entry.status])));
  });

  it('list every exit code of fnauth, and no other', () => {
    const listed = table('Exit codes').map(([code]) => Number(code));
    expect(listed.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});

describe('"Add your own function"', () => {
  it.each(['orders', 'account'])('shows src/functions/%s.ts as test/functions/examples has it', (name) => {
    const file = readFileSync(join(__dirname, 'functions/examples', `${name}.ts`), 'utf8').replaceAll("'../../../src/lib/", "'../lib/");
    expect(README).toContain(`\`src/functions/${name}.ts\`:\n\n\`\`\`ts\n${file}\`\`\``);
  });
});
