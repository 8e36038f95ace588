import { describe, expect, it } from 'vitest';
import { flag, list, minutes, optionalText, readSettings, seconds, text, url } from '../../../src/lib/settings/schema';

const HINT = 'Set it to the thing.';

describe('text', () => {
  const setting = text(HINT);

  it.each([
    [undefined, `is missing. ${HINT}`],
    ['', `is empty. ${HINT}`],
    ['   ', `is empty. ${HINT}`],
    ['Enter_the_Application_Id_Here', `still holds the placeholder. ${HINT}`],
    ['@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/s/)', expect.stringMatching(/^is an unresolved Key Vault reference/)],
  ])('refuses %j', (raw, problem) => {
    expect(setting.read(raw)).toEqual({ ok: false, problem });
  });

  it('trims the value', () => {
    expect(setting.read('  value ')).toEqual({ ok: true, value: 'value' });
  });
});

describe('the optional shapes', () => {
  it('read blank as unset and fall back to their defaults', () => {
    for (const raw of [undefined, '', '  ']) {
      expect(optionalText.read(raw)).toEqual({ ok: true, value: undefined });
      expect(list(/,/).read(raw)).toEqual({ ok: true, value: [] });
      expect(minutes(30).read(raw)).toEqual({ ok: true, value: 30 });
      expect(seconds(30, 300).read(raw)).toEqual({ ok: true, value: 30 });
      expect(flag(true).read(raw)).toEqual({ ok: true, value: true });
      expect(url(HINT).read(raw)).toEqual({ ok: true, value: undefined });
    }
  });

  it('split lists and drop blank items', () => {
    expect(list(/[,\s]+/).read(' a, b  c,,')).toEqual({ ok: true, value: ['a', 'b', 'c'] });
  });

  it.each([['0'], ['-5'], ['1.5'], ['ten'], ['Infinity']])('refuse %j minutes', (raw) => {
    expect(minutes(30).read(raw)).toEqual({ ok: false, problem: 'must be a whole number of minutes above 0.' });
  });

  it('read whole minutes', () => {
    expect(minutes(30).read(' 45 ')).toEqual({ ok: true, value: 45 });
  });

  it.each([['-1'], ['1.5'], ['301'], ['ten'], ['Infinity']])('refuse %j seconds', (raw) => {
    expect(seconds(30, 300).read(raw)).toEqual({ ok: false, problem: 'must be a whole number of seconds from 0 to 300.' });
  });

  it('read whole seconds, 0 (off) and the maximum included', () => {
    for (const [raw, value] of [['0', 0], [' 5 ', 5], ['300', 300]] as const) expect(seconds(30, 300).read(raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['true', true],
    ['YES', true],
    ['1', true],
    ['False', false],
    ['no', false],
    ['0', false],
  ])('read the flag %j', (raw, value) => {
    expect(flag(!value).read(raw)).toEqual({ ok: true, value });
  });

  it('refuse a flag that is neither', () => {
    expect(flag(true).read('maybe')).toEqual({ ok: false, problem: 'must be true or false.' });
  });

  it('refuse a URL that is not absolute', () => {
    expect(url(HINT).read('/api/redirect')).toEqual({ ok: false, problem: `is not an absolute URL. ${HINT}` });
    expect(url(HINT).read('https://app.contoso.com/api/redirect')).toEqual({ ok: true, value: 'https://app.contoso.com/api/redirect' });
  });
});

describe('refine', () => {
  const short = optionalText.refine((value) => value.length <= 3, (value) => `is ${value.length} characters long.`);

  it('checks values that are set, and builds the problem from the value', () => {
    expect(short.read('abcd')).toEqual({ ok: false, problem: 'is 4 characters long.' });
    expect(short.read('abc')).toEqual({ ok: true, value: 'abc' });
  });

  it('lets an unset optional value pass', () => {
    expect(short.read(undefined)).toEqual({ ok: true, value: undefined });
  });

  it('keeps the first problem: a rule never runs on a refused value', () => {
    let ran = false;
    const setting = text(HINT).refine(() => (ran = true), 'never');
    expect(setting.read(undefined)).toEqual({ ok: false, problem: `is missing. ${HINT}` });
    expect(ran).toBe(false);
  });
});

describe('readSettings', () => {
  const schema = {
    NAME: text(HINT),
    IDLE_MINUTES: minutes(30),
    ENABLED: flag(false),
  };

  it('gives every value when all pass', () => {
    expect(readSettings(schema, { NAME: 'Ada', ENABLED: 'yes' })).toEqual({ ok: true, values: { NAME: 'Ada', IDLE_MINUTES: 30, ENABLED: true } });
  });

  it('lists one line per refused setting, in the schema order, each starting with its label', () => {
    expect(readSettings(schema, { ENABLED: 'maybe', IDLE_MINUTES: '0' })).toEqual({
      ok: false,
      problems: [`NAME is missing. ${HINT}`, 'IDLE_MINUTES must be a whole number of minutes above 0.', 'ENABLED must be true or false.'],
    });
    expect(readSettings(schema, { NAME: 'Ada', ENABLED: 'maybe' }, (name) => `--${name.toLowerCase()}`)).toEqual({
      ok: false,
      problems: ['--enabled must be true or false.'],
    });
  });
});
