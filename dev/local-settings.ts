/**
 * `local.settings.json` read the way `func start` reads it, for the built-in
 * development host:
 *
 * - `Values` become the functions' environment. A variable already set in
 *   the environment wins, and is reported, as Core Tools do.
 * - `Host.LocalHttpPort` is the port (default 7071); `Host.CORS` lists the
 *   allowed origins (comma-separated, `*` for any) and `Host.CORSCredentials`
 *   allows credentials.
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
  cors?: Cors;
}

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
  if (!existsSync(file)) return { values: {}, port: DEFAULT_FUNCTIONS_PORT };
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

function readHost(file: string, host: unknown): Pick<LocalSettings, 'port' | 'cors'> {
  if (host === undefined) return { port: DEFAULT_FUNCTIONS_PORT };
  if (!isObject(host)) throw new LocalSettingsError(file, '"Host" must be an object, e.g. { "LocalHttpPort": 7071 }.');
  const port = host.LocalHttpPort ?? DEFAULT_FUNCTIONS_PORT;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LocalSettingsError(file, '"Host.LocalHttpPort" must be a port number, e.g. 7071.');
  }
  const origins = typeof host.CORS === 'string' ? host.CORS.split(',').map((origin) => origin.trim()).filter(Boolean) : [];
  if (host.CORS !== undefined && typeof host.CORS !== 'string') {
    throw new LocalSettingsError(file, '"Host.CORS" must be a comma-separated string of origins, or "*".');
  }
  const invalid = origins.filter((origin) => origin !== '*' && !(URL.canParse(origin) && new URL(origin).origin === origin));
  if (invalid.length > 0) {
    throw new LocalSettingsError(file, `"Host.CORS" holds ${invalid.join(', ')}: list origins only (scheme, host and port), e.g. http://localhost:3000.`);
  }
  return { port, ...(origins.length > 0 ? { cors: { origins, credentials: host.CORSCredentials === true } } : {}) };
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
