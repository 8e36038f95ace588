/** local.settings.json as the built-in host reads it: the way func start reads it, and clear about mistakes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { functionsEnvironment, LocalSettingsError, readLocalSettings } from '../../dev/local-settings';

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
    });
  });

  it('uses port 7071 and no CORS when Host says nothing, or there is no file', () => {
    write({ Values: {}, Host: { CORS: '' } });
    expect(readLocalSettings(file)).toEqual({ file, values: {}, port: 7071 });
    expect(readLocalSettings(join(folder, 'missing.json'))).toEqual({ values: {}, port: 7071 });
  });

  it.each([
    ['broken JSON', '{ "Values": { "A": "1", } }', /is not valid JSON/],
    ['an encrypted file', { IsEncrypted: true, Values: {} }, /is encrypted .*func settings decrypt/],
    ['a value that is not a string', { Values: { SESSION_IDLE_TIMEOUT_MINUTES: 480, A: 'x', B: true } }, /put quotes around the value of SESSION_IDLE_TIMEOUT_MINUTES, B/],
    ['Values that are not an object', { Values: ['A=1'] }, /"Values" must be an object/],
    ['a port that is not a number', { Host: { LocalHttpPort: '7071' } }, /"Host.LocalHttpPort" must be a port number/],
    ['a CORS entry with a path', { Host: { CORS: 'http://localhost:3000/app' } }, /"Host.CORS" holds http:\/\/localhost:3000\/app/],
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

  it('accepts * for any origin', () => {
    write({ Host: { CORS: '*' } });
    expect(readLocalSettings(file).cors).toEqual({ origins: ['*'], credentials: false });
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
