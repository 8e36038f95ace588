/** local.settings.json as the built-in host reads it: the way func start reads it, and clear about mistakes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { functionsCors, functionsEnvironment, LocalSettingsError, readLocalSettings, type LocalSettings } from '../../dev/local-settings';

let folder: string;
let file: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'local-settings-'));
  file = join(folder, 'local.settings.json');
});

afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

const write = (content: unknown) => writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));

describe('readLocalSettings', () => {
  it('reads Values, the port and CORS', () => {
    write({ IsEncrypted: false, Values: { CLIENT_ID: 'abc' }, Host: { LocalHttpPort: 7072, CORS: 'http://localhost:3000, https://app.example', CORSCredentials: true } });
    expect(readLocalSettings(file)).toEqual({
      file,
      values: { CLIENT_ID: 'abc' },
      port: 7072,
      cors: { origins: ['http://localhost:3000', 'https://app.example'], credentials: true },
      corsCredentials: true,
    });
  });

  it('uses port 7071 and no CORS when Host says nothing, or there is no file', () => {
    write({ Values: {}, Host: { CORS: '' } });
    expect(readLocalSettings(file)).toEqual({ file, values: {}, port: 7071, corsCredentials: false });
    expect(readLocalSettings(join(folder, 'missing.json'))).toEqual({ values: {}, port: 7071, corsCredentials: false });
  });

  it.each([
    ['broken JSON', '{ "Values": { "A": "1", } }', /is not valid JSON/],
    ['an encrypted file', { IsEncrypted: true, Values: {} }, /is encrypted .*func settings decrypt/],
    ['a value that is not a string', { Values: { SESSION_IDLE_TIMEOUT_MINUTES: 480, A: 'x', B: true } }, /put quotes around the value of SESSION_IDLE_TIMEOUT_MINUTES, B/],
    ['Values that are not an object', { Values: ['A=1'] }, /"Values" must be an object/],
    ['a port that is not a number', { Host: { LocalHttpPort: '7071' } }, /"Host.LocalHttpPort" must be a port number/],
    ['a CORS entry with a path', { Host: { CORS: 'http://localhost:3000/app' } }, /"Host.CORS" holds http:\/\/localhost:3000\/app/],
    ['CORSCredentials in quotes', { Host: { CORS: 'http://localhost:3000', CORSCredentials: 'true' } }, /"Host.CORSCredentials" must be true or false/],
    [
      'any origin with credentials, which func refuses',
      { Host: { CORS: 'http://localhost:3000,*', CORSCredentials: true } },
      /"\*" \(any origin\) in "Host.CORS" cannot go with "Host.CORSCredentials": true: .*List the origins that may send credentials/,
    ],
  ])('names the file and the fix for %s', (_what, content, message) => {
    write(content);
    const error = (() => {
      try {
        readLocalSettings(file);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(LocalSettingsError);
    expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('reads "LocalHttpPort": 0 as unset, as func does: the default port, not any free port', () => {
    write({ Host: { LocalHttpPort: 0 } });
    expect(readLocalSettings(file).port).toBe(7071);
  });

  it('accepts * for any origin', () => {
    write({ Host: { CORS: '*' } });
    expect(readLocalSettings(file).cors).toEqual({ origins: ['*'], credentials: false });
  });
});

describe('functionsCors: Host.CORS and Host.CORSCredentials with --cors and --cors-credentials, as func combines them', () => {
  const FILE = '/app/local.settings.json';
  const settings = (cors: string[] | undefined, corsCredentials = false): LocalSettings => ({
    file: FILE,
    values: {},
    port: 7071,
    corsCredentials,
    ...(cors ? { cors: { origins: cors, credentials: corsCredentials } } : {}),
  });
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(LocalSettingsError);
      return (error as Error).message;
    }
    throw new Error('expected a LocalSettingsError');
  };

  it('takes Host.CORS, and --cors in its place', () => {
    expect(functionsCors(settings(['http://localhost:3000']), { credentials: false }, FILE)).toEqual({ origins: ['http://localhost:3000'], credentials: false });
    expect(functionsCors(settings(['http://localhost:3000']), { origins: 'https://a.example, https://b.example', credentials: false }, FILE)).toEqual({
      origins: ['https://a.example', 'https://b.example'],
      credentials: false,
    });
    expect(functionsCors(settings(undefined, true), { credentials: true }, FILE)).toBeUndefined();
  });

  it('allows credentials for the origins of Host.CORS when only --cors-credentials is given, and for --cors when only Host.CORSCredentials is', () => {
    expect(functionsCors(settings(['http://localhost:3000']), { credentials: true }, FILE)).toEqual({ origins: ['http://localhost:3000'], credentials: true });
    expect(functionsCors(settings(undefined, true), { origins: 'http://localhost:3000', credentials: false }, FILE)).toEqual({
      origins: ['http://localhost:3000'],
      credentials: true,
    });
  });

  it('checks --cors as it checks Host.CORS: origins only', () => {
    expect(refusal(() => functionsCors(settings(undefined), { origins: 'http://localhost:3000/app', credentials: false }, FILE))).toBe(
      'npm start: --cors holds http://localhost:3000/app: list origins only (scheme, host and port), e.g. http://localhost:3000.',
    );
  });

  it('refuses any origin with credentials, naming the flag or setting each came from', () => {
    expect(refusal(() => functionsCors(settings(['*']), { credentials: true }, FILE))).toMatch(
      /^\/app\/local\.settings\.json: "\*" \(any origin\) in "Host.CORS" cannot go with --cors-credentials: /,
    );
    expect(refusal(() => functionsCors(settings(undefined, true), { origins: '*', credentials: false }, FILE))).toMatch(
      /^npm start: "\*" \(any origin\) in --cors cannot go with "Host.CORSCredentials": true in \/app\/local\.settings\.json: /,
    );
    expect(refusal(() => functionsCors(settings(undefined), { origins: '*', credentials: true }, FILE))).toMatch(/^npm start: "\*" \(any origin\) in --cors cannot go with --cors-credentials: /);
    expect(functionsCors(settings(['*']), { credentials: false }, FILE)).toEqual({ origins: ['*'], credentials: false });
  });
});

describe('functionsEnvironment', () => {
  it('adds Values, and lets a variable the environment already sets win, as func does', () => {
    const { env, overridden } = functionsEnvironment(
      { CLIENT_ID: 'from-file', COSMOS_ENDPOINT: 'http://file', EMPTY_IN_ENV: 'from-file' },
      { CLIENT_ID: 'from-env', EMPTY_IN_ENV: '', PATH: '/bin' },
    );
    expect(env).toEqual({ CLIENT_ID: 'from-env', COSMOS_ENDPOINT: 'http://file', EMPTY_IN_ENV: 'from-file', PATH: '/bin' });
    expect(overridden).toEqual(['CLIENT_ID']);
  });
});
