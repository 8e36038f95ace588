/**
 * `npm start`, after `npm run build`: the functions against the settings in
 * `local.settings.json` of the current folder.
 *
 * - With Azure Functions Core Tools (node_modules/.bin or PATH): `func start`,
 *   with any arguments passed on (`npm start -- --port 7072`).
 * - Without: one notice, then the built-in development host with the
 *   settings `func start` would use: `Values` as the environment of its
 *   process (the environment wins, as under func), `Host.LocalHttpPort` (or
 *   `--port`) as the port and `Host.CORS` (or `--cors`) with
 *   `Host.CORSCredentials` (or `--cors-credentials`), combined and checked as
 *   func does (local-settings.ts).
 *
 * It ends when the functions end, with their exit code; a settings problem
 * ends it at start-up with the message naming every setting to fix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnBuiltinHost } from './builtin-host';
import { CORE_TOOLS_HINT, findFunc } from './core-tools';
import { DEFAULT_FUNCTIONS_PORT, functionsCors, functionsEnvironment, LocalSettingsError, readLocalSettings } from './local-settings';
import { availablePort } from './ports';

const ROOT = resolve(__dirname, '..');

/** `--port`'s value as a port number; anything else (an empty value too) is refused, never read as 0. */
function portFlag(value: string | boolean): number {
  const port = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : 0;
  if (port < 1 || port > 65535) {
    const given = typeof value === 'string' ? ` "${value}"` : ' without a value';
    throw new LocalSettingsError('npm start', `--port${given} is not a port number. Give one from 1 to 65535, e.g. npm start -- --port 7072.`);
  }
  return port;
}

async function start(args: string[]): Promise<ChildProcess> {
  const func = findFunc(ROOT);
  // Windows runs func.cmd through a shell only.
  if (func) return spawn(func, ['start', ...args], { stdio: 'inherit', shell: process.platform === 'win32' });

  console.error(`${CORE_TOOLS_HINT}\n`);
  const { values: flags, tokens } = parseArgs({
    args,
    strict: false,
    tokens: true,
    options: { port: { type: 'string', short: 'p' }, cors: { type: 'string' }, 'cors-credentials': { type: 'boolean' } },
  });
  const ignored = tokens.flatMap((token) => (token.kind === 'option' && !['port', 'cors', 'cors-credentials'].includes(token.name) ? [token.rawName] : []));
  if (ignored.length > 0) console.error(`The built-in host ignores ${ignored.join(', ')} (func start options).`);

  const settingsFile = resolve('local.settings.json');
  const settings = readLocalSettings(settingsFile);
  if (!settings.file) console.error(`No ${settingsFile}: copy local.settings.example.json to it and fill it in.`);
  const { env, overridden } = functionsEnvironment(settings.values, process.env);
  if (overridden.length > 0) console.error(`Using ${overridden.join(', ')} from the environment instead of local.settings.json (as func does).`);

  const port = flags.port === undefined ? settings.port : portFlag(flags.port);
  const cors = functionsCors(
    settings,
    { origins: typeof flags.cors === 'string' ? flags.cors : undefined, credentials: flags['cors-credentials'] === true },
    settingsFile,
  );
  if ((await availablePort(port)) === undefined) {
    const chosenBy =
      flags.port === undefined
        ? `"Host.LocalHttpPort" in ${settingsFile} (${DEFAULT_FUNCTIONS_PORT} when unset)`
        : '--port';
    throw new LocalSettingsError(
      'npm start',
      `port ${port}, from ${chosenBy}, is already in use. Stop what listens there (another npm start, func start or npm run dev?), ` +
        'or choose another port: change "Host.LocalHttpPort", or run npm start -- --port <port>.',
    );
  }
  return spawnBuiltinHost({ port, env: { ...env, FUNCTIONS_WORKER_RUNTIME: 'node' }, cors, output: 'inherit' });
}

start(process.argv.slice(2)).then(
  (child) => {
    // Ctrl-C reaches the child from the terminal; a signal sent to this process alone is passed on.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
    child.on('error', (error) => {
      console.error(`Could not start the functions: ${error.message}`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  },
  (error: unknown) => {
    console.error(error instanceof LocalSettingsError ? error.message : `Could not start the functions: ${(error as Error).message}`);
    process.exit(1);
  },
);
