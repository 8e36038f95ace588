/**
 * A small typed schema for settings that arrive as text: environment
 * variables, app settings, command-line flags.
 *
 * Each {@link Setting} reads one raw value into a typed value or into one
 * problem sentence, so a table of settings reports every mistake at once and
 * at most one line per setting. Rules added with {@link Setting.refine} see
 * only values that are set: an optional setting left unset passes them.
 *
 * It is ours rather than a general validation library's because it is loaded
 * at every cold start and needs only these few shapes (see `README.md`,
 * "Settings").
 *
 * @example
 * ```ts
 * const schema = {
 *   NAME: text('Set it to your name.'),
 *   IDLE_MINUTES: minutes(30),
 * };
 * const read = readSettings(schema, { IDLE_MINUTES: '1.5' });
 * read.ok; // false
 * read.problems; // ['NAME is missing. Set it to your name.', 'IDLE_MINUTES must be a whole number of minutes above 0.']
 * readSettings(schema, { NAME: 'Ada' }); // { ok: true, values: { NAME: 'Ada', IDLE_MINUTES: 30 } }
 * ```
 */

/** What reading one setting gives: its value, or a sentence that follows the setting's name. */
export type Reading<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Placeholders as they appear in `local.settings.example.json` and the Entra samples. */
const PLACEHOLDER = /^Enter_the_.*_Here$/;

/** App Service leaves a Key Vault reference's text in place when it cannot resolve it; that text must never become a key. */
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

const UNRESOLVED_REFERENCE =
  'is an unresolved Key Vault reference: the app could not read the secret. Check that the app identity has the "Key Vault Secrets User" role and that the secret exists, then restart the app.';

const accept = <T>(value: T): Reading<T> => ({ ok: true, value });
const refuse = (problem: string): Reading<never> => ({ ok: false, problem });

export class Setting<T> {
  /** @param read Turns the raw text (`undefined` when unset) into the value or a problem. */
  constructor(readonly read: (raw: string | undefined) => Reading<T>) {}

  /**
   * Adds a rule. `problem` may be built from the refused value, so name a
   * value only where it is not a secret.
   */
  refine(check: (value: NonNullable<T>) => boolean, problem: string | ((value: NonNullable<T>) => string)): Setting<T> {
    return new Setting((raw) => {
      const reading = this.read(raw);
      if (!reading.ok || reading.value == null || check(reading.value)) return reading;
      return refuse(typeof problem === 'string' ? problem : problem(reading.value));
    });
  }
}

/** Text that may be left unset; blank counts as unset and surrounding spaces never matter. */
export const optionalText = new Setting<string | undefined>((raw) => accept(raw?.trim() || undefined));

/**
 * Required text. Refuses a placeholder of the samples and an unresolved Key
 * Vault reference; `hint` says how to fix it.
 */
export function text(hint: string): Setting<string> {
  return new Setting((raw) => {
    if (raw === undefined) return refuse(`is missing. ${hint}`);
    const value = raw.trim();
    if (!value) return refuse(`is empty. ${hint}`);
    if (PLACEHOLDER.test(value)) return refuse(`still holds the placeholder. ${hint}`);
    if (KEY_VAULT_REFERENCE.test(value)) return refuse(UNRESOLVED_REFERENCE);
    return accept(value);
  });
}

/** A list split at `separator`, blank items dropped; unset is the empty list. */
export function list(separator: RegExp): Setting<string[]> {
  return new Setting((raw) =>
    accept(
      (raw ?? '')
        .split(separator)
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  );
}

/** A whole number of minutes above 0, `fallback` when unset. */
export function minutes(fallback: number): Setting<number> {
  return new Setting((raw) => {
    const value = raw?.trim() ? Number(raw) : fallback;
    return Number.isInteger(value) && value > 0 ? accept(value) : refuse('must be a whole number of minutes above 0.');
  });
}

/** A whole number of seconds from 0 (which turns the feature off) to `maximum`, `fallback` when unset. */
export function seconds(fallback: number, maximum: number): Setting<number> {
  return new Setting((raw) => {
    const value = raw?.trim() ? Number(raw) : fallback;
    return Number.isInteger(value) && value >= 0 && value <= maximum ? accept(value) : refuse(`must be a whole number of seconds from 0 to ${maximum}.`);
  });
}

/** `true`/`1`/`yes` or `false`/`0`/`no` in any case, `fallback` when unset. */
export function flag(fallback: boolean): Setting<boolean> {
  return new Setting((raw) => {
    const value = raw?.trim();
    if (!value) return accept(fallback);
    if (/^(true|1|yes)$/i.test(value)) return accept(true);
    if (/^(false|0|no)$/i.test(value)) return accept(false);
    return refuse('must be true or false.');
  });
}

/** An optional absolute URL. */
export function url(hint: string): Setting<string | undefined> {
  return optionalText.refine((value) => URL.canParse(value), `is not an absolute URL. ${hint}`);
}

type Schema = Record<string, Setting<unknown>>;

/** The values a schema reads, by setting name. */
export type Values<S extends Schema> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/**
 * Reads every setting of `schema` from `raw`. Problems come one line per
 * refused setting, in the schema's order, each starting with the setting's
 * label: its name unless `label` says otherwise (the CLI names the flag too).
 */
export function readSettings<S extends Schema>(
  schema: S,
  raw: Readonly<Record<string, string | undefined>>,
  label: (name: keyof S & string) => string = (name) => name,
): { ok: true; values: Values<S> } | { ok: false; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(schema)) {
    const reading = setting.read(raw[name]);
    if (reading.ok) values[name] = reading.value;
    else problems.push(`${label(name)} ${reading.problem}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values: values as Values<S> };
}
