/**
 * `local.settings.json` read the way `func start` reads it, for the built-in
 * development host:
 *
 * - `Values` become the functions' environment. A variable already set in
 *   the environment wins, and is reported, as Core Tools do.
 * - `Host.LocalHttpPort` is the port (default 7071); `Host.CORS` lists the
 *   allowed origins (comma-separated, `*` for any) and `Host.CORSCredentials`
 *   allows credentials. `--cors` and `--cors-credentials` override them as
 *   under func ({@link functionsCors}), and any origin with credentials is
 *   refused, as func refuses it ({@link checkCors}).
 *
 * Every problem in the file is a {@link LocalSettingsError} naming the file
 * and what to change, never a JSON parser's stack trace.
 *
 * @example
 * ```ts
 * const settings = readLocalSettings('local.settings.json');
 * const { env, overridden } = functionsEnvironment(settings.values, process.env);
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';

export interface Cors {
  /** Allowed origins; `*` allows any. */
  origins: string[];
  credentials: boolean;
}

export interface LocalSettings {
  /** Absolute or relative path the settings came from; undefined when there is no file. */
  file?: string;
  values: Record<string, string>;
  port: number;
  /** `Host.CORS`, when it lists an origin. */
  cors?: Cors;
  /** `Host.CORSCredentials`, kept on its own: `--cors` may bring the origins it applies to. */
  corsCredentials: boolean;
}

/** The command-line counterparts of `Host.CORS` and `Host.CORSCredentials`. */
export interface CorsFlags {
  /** `--cors`: replaces `Host.CORS`. */
  origins?: string;
  /** `--cors-credentials`: allows credentials whichever list of origins applies. */
  credentials: boolean;
}

const ANY_ORIGIN = '*';

export const DEFAULT_FUNCTIONS_PORT = 7071;

export class LocalSettingsError extends Error {
  readonly code = 'ERR_LOCAL_SETTINGS';
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'LocalSettingsError';
  }
}

/** Reads the file; a missing file gives empty settings (func starts without one too). */
export function readLocalSettings(file: string): LocalSettings {
  if (!existsSync(file)) return { values: {}, port: DEFAULT_FUNCTIONS_PORT, corsCredentials: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LocalSettingsError(file, `is not valid JSON (${(error as Error).message}). Compare it with local.settings.example.json.`);
  }
  if (!isObject(parsed)) throw new LocalSettingsError(file, 'must hold a JSON object with "Values" (and optionally "Host").');
  if (parsed.IsEncrypted === true) {
    throw new LocalSettingsError(file, 'is encrypted ("IsEncrypted": true), which only func can read. Run "func settings decrypt", or use func start.');
  }
  return { file, values: readValues(file, parsed.Values), ...readHost(file, parsed.Host) };
}

function readValues(file: string, values: unknown): Record<string, string> {
  if (values === undefined) return {};
  if (!isObject(values)) throw new LocalSettingsError(file, '"Values" must be an object of setting names and string values.');
  const notStrings = Object.entries(values)
    .filter(([, value]) => typeof value !== 'string')
    .map(([name]) => name);
  if (notStrings.length > 0) {
    throw new LocalSettingsError(file, `"Values" must hold strings only; put quotes around the value of ${notStrings.join(', ')}.`);
  }
  return values as Record<string, string>;
}

function readHost(file: string, host: unknown): Pick<LocalSettings, 'port' | 'cors' | 'corsCredentials'> {
  if (host === undefined) return { port: DEFAULT_FUNCTIONS_PORT, corsCredentials: false };
  if (!isObject(host)) throw new LocalSettingsError(file, '"Host" must be an object, e.g. { "LocalHttpPort": 7071 }.');
  const localHttpPort = host.LocalHttpPort ?? 0;
  if (typeof localHttpPort !== 'number' || !Number.isInteger(localHttpPort) || localHttpPort < 0 || localHttpPort > 65535) {
    throw new LocalSettingsError(file, '"Host.LocalHttpPort" must be a port number, e.g. 7071.');
  }
  // 0 is func's "unset": it means the default port there, not any free port.
  const port = localHttpPort || DEFAULT_FUNCTIONS_PORT;
  if (host.CORS !== undefined && typeof host.CORS !== 'string') {
    throw new LocalSettingsError(file, '"Host.CORS" must be a comma-separated string of origins, or "*".');
  }
  if (host.CORSCredentials !== undefined && typeof host.CORSCredentials !== 'boolean') {
    throw new LocalSettingsError(file, '"Host.CORSCredentials" must be true or false, without quotes.');
  }
  const corsCredentials = host.CORSCredentials === true;
  const cors = checkCors(
    { origins: splitOrigins(host.CORS ?? ''), credentials: corsCredentials },
    { where: file, origins: '"Host.CORS"', credentials: '"Host.CORSCredentials": true' },
  );
  return { port, corsCredentials, ...(cors ? { cors } : {}) };
}

/** Origins as func takes them: comma-separated, blanks dropped. */
function splitOrigins(list: string): string[] {
  return list
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/**
 * Checks CORS the way func would take it, and returns it (undefined when it
 * lists no origin: no CORS). Each origin must be an origin (scheme, host and
 * port) or `*`. Any origin never goes with credentials: the CORS protocol
 * forbids that pair, browsers refuse it, and func (ASP.NET Core's CORS)
 * refuses to start with it. `names` say where each part came from.
 *
 * @example
 * ```ts
 * checkCors({ origins: ['*'], credentials: true }, { where: 'npm start', origins: '--cors', credentials: '--cors-credentials' });
 * // throws: npm start: "*" (any origin) in --cors cannot go with --cors-credentials: …
 * ```
 */
export function checkCors(cors: Cors, names: { where: string; origins: string; credentials: string }): Cors | undefined {
  const invalid = cors.origins.filter((origin) => origin !== ANY_ORIGIN && !(URL.canParse(origin) && new URL(origin).origin === origin));
  if (invalid.length > 0) {
    throw new LocalSettingsError(names.where, `${names.origins} holds ${invalid.join(', ')}: list origins only (scheme, host and port), e.g. http://localhost:3000.`);
  }
  if (cors.credentials && cors.origins.includes(ANY_ORIGIN)) {
    throw new LocalSettingsError(
      names.where,
      `"*" (any origin) in ${names.origins} cannot go with ${names.credentials}: the CORS protocol forbids credentials for any origin, ` +
        'so browsers refuse the pair, and func refuses to start with it. List the origins that may send credentials instead, e.g. http://localhost:3000.',
    );
  }
  return cors.origins.length > 0 ? cors : undefined;
}

/**
 * The CORS the functions get, decided as func decides it: `--cors` replaces
 * `Host.CORS`, and credentials are allowed when `--cors-credentials` is given
 * or `Host.CORSCredentials` is true, whichever list of origins applies.
 * Checked by {@link checkCors}, naming the flag or the setting each part came from.
 */
export function functionsCors(settings: LocalSettings, flags: CorsFlags, file: string): Cors | undefined {
  const origins = flags.origins === undefined ? (settings.cors?.origins ?? []) : splitOrigins(flags.origins);
  const credentials = flags.credentials || settings.corsCredentials;
  const originsFromFile = flags.origins === undefined;
  return checkCors(
    { origins, credentials },
    {
      where: originsFromFile ? file : 'npm start',
      origins: originsFromFile ? '"Host.CORS"' : '--cors',
      credentials: flags.credentials ? '--cors-credentials' : `"Host.CORSCredentials": true${originsFromFile ? '' : ` in ${file}`}`,
    },
  );
}

/**
 * The functions' environment: the current environment plus `Values`. A
 * variable the environment already sets (to anything but an empty string)
 * is kept and listed in `overridden`, as func reports "Skipping … as it's
 * already defined in current environment variables".
 */
export function functionsEnvironment(
  values: Record<string, string>,
  environment: NodeJS.ProcessEnv,
): { env: NodeJS.ProcessEnv; overridden: string[] } {
  const env: NodeJS.ProcessEnv = { ...environment };
  const overridden: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (environment[name]) overridden.push(name);
    else env[name] = value;
  }
  return { env, overridden };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
