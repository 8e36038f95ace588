/**
 * The CLI as a function: `run(argv, io)` parses the command line, checks the
 * settings, runs one command and returns its exit code. It never calls
 * `process.exit` and touches nothing of the process but what `io` gives it,
 * so tests run it in-process.
 *
 * Results go to stdout, everything meant for the person (instructions,
 * progress, warnings, errors) to stderr, as clig.dev advises: piping or
 * redirecting the result never hides a prompt.
 *
 * Every ending is a {@link CliError} with its exit code and a message for the
 * user, written to stderr. Anything else is a bug: only its name is shown,
 * since an unknown error's message could hold request data.
 *
 * @example
 * ```ts
 * const code = await run(['call', '/api/me'], { stdout, stderr, env: process.env, signal });
 * ```
 */
import { HELP, parseCommandLine } from './args';
import { call } from './commands/call';
import type { CommandContext } from './commands/context';
import { login } from './commands/login';
import { logout } from './commands/logout';
import { whoami } from './commands/whoami';
import { CliError, EXIT, fromMsalError, type ExitCode } from './errors';
import packageJson from '../../package.json';
import { colorAllowed, writeLine, type Io } from './io';
import { loadSettings, type CommandName } from './settings';

export { EXIT, type ExitCode } from './errors';
export type { Io, Output } from './io';

const VERSION = packageJson.version;

const COMMAND_RUNNERS: Record<CommandName, (context: CommandContext) => Promise<ExitCode>> = { login, whoami, call, logout };

export async function run(argv: string[], io: Io): Promise<ExitCode> {
  try {
    const commandLine = parseCommandLine(argv);
    if (commandLine.version) {
      writeLine(io.stdout, `fnauth ${VERSION}`);
      return EXIT.ok;
    }
    if (commandLine.help || commandLine.command === undefined) {
      // Asked for, help is the result; without a command it explains a usage error.
      (commandLine.help ? io.stdout : io.stderr).write(HELP[commandLine.command ?? 'main']);
      return commandLine.help ? EXIT.ok : EXIT.usage;
    }
    const settings = loadSettings(commandLine.command, commandLine.flags, io.env, io.platform);
    const color = colorAllowed(io.stderr, io.env, commandLine.noColor);
    const context: CommandContext = { settings, io, args: commandLine.args, color };
    const runner = COMMAND_RUNNERS[commandLine.command];
    // login handles Ctrl-C itself (MSAL stops polling); the others stop waiting at once.
    return await (commandLine.command === 'login' ? runner(context) : untilCancelled(runner(context), io.signal));
  } catch (error) {
    const ending = error instanceof CliError ? error : fromMsalError(error);
    writeLine(io.stderr, ending.message);
    return ending.exitCode;
  }
}

function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CliError(EXIT.cancelled, 'Cancelled.'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
