/**
 * The command line: `fnauth <command> [path] [flags]`, parsed with Node's
 * own `util.parseArgs`, and the help text of each command. Mistakes (an
 * unknown flag, a flag without its value) get one line of our own that names
 * the flag, never a value, and points to `--help`.
 *
 * @example
 * ```ts
 * parseCommandLine(['call', '/api/me', '--api', 'https://app.example']);
 * // { command: 'call', args: ['/api/me'], flags: { api: 'https://app.example' }, help: false, version: false, noColor: false }
 * ```
 */
import { parseArgs } from 'node:util';
import { CliError, EXIT } from './errors';
import { printable } from './io';
import type { CommandName, Flags } from './settings';

const COMMANDS: readonly CommandName[] = ['login', 'whoami', 'call', 'logout'];

const OPTIONS = {
  tenant: { type: 'string' },
  authority: { type: 'string' },
  'client-id': { type: 'string' },
  scope: { type: 'string' },
  api: { type: 'string' },
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  'no-color': { type: 'boolean' },
} as const;

/** What each string flag's value is, as the help text names it. */
const VALUE_NAMES: Record<string, string> = {
  tenant: 'subdomain',
  authority: 'url',
  'client-id': 'id',
  scope: 'scope',
  api: 'url',
  'cache-dir': 'folder',
};

export interface CommandLine {
  command: CommandName | undefined;
  args: string[];
  flags: Flags;
  help: boolean;
  version: boolean;
  /** `--no-color`: no colour and no QR code, whatever the terminal. */
  noColor: boolean;
}

export function parseCommandLine(argv: string[]): CommandLine {
  checkFlags(argv);
  let parsed: ReturnType<typeof parseStrictly>;
  try {
    parsed = parseStrictly(argv);
  } catch {
    // checkFlags catches what parseArgs refuses; this is the net under it, and names nothing the user typed.
    throw usageError('The command line could not be read.', undefined);
  }
  const { help = false, version = false, 'no-color': noColor = false, ...flags } = parsed.values;
  let [name, ...args] = parsed.positionals;
  let wantsHelp = help;
  if (name === 'help') {
    wantsHelp = true;
    [name, ...args] = args;
  }
  if (name !== undefined && !COMMANDS.includes(name as CommandName)) {
    throw new CliError(EXIT.usage, `Unknown command "${printable(name.slice(0, 40))}". The commands are: ${COMMANDS.join(', ')}. Run \`fnauth --help\`.`);
  }
  const command = name as CommandName | undefined;
  const allowed = command === 'call' ? 1 : 0;
  if (!wantsHelp && !version && args.length > allowed) {
    throw new CliError(EXIT.usage, `Too many arguments for "${command}". Run \`fnauth ${command} --help\`.`);
  }
  return { command, args, flags, help: wantsHelp, version, noColor };
}

function parseStrictly(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/**
 * Every flag must be one we know, string flags need a value and switches take
 * none. Checked on parseArgs' tokens (non-strict, so that all are seen) to
 * word the one-line answer ourselves.
 */
function checkFlags(argv: string[]): void {
  const { tokens, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  const command = COMMANDS.find((candidate) => candidate === positionals[0]);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const flag = printable(token.rawName.slice(0, 40));
    // parseArgs gives a known short flag its long name (-h: help) and an unknown one its letter.
    const option = Object.hasOwn(OPTIONS, token.name) ? OPTIONS[token.name as keyof typeof OPTIONS] : undefined;
    if (!option) throw usageError(`Unknown flag ${flag}.`, command);
    if (option.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      throw usageError(`${flag} needs a value: ${flag} <${VALUE_NAMES[token.name]}>.`, command);
    }
    if (option.type === 'boolean' && token.value !== undefined) throw usageError(`${flag} takes no value.`, command);
  }
}

function usageError(problem: string, command: CommandName | undefined): CliError {
  return new CliError(EXIT.usage, `${problem} Run \`fnauth ${command ? `${command} ` : ''}--help\` for the flags.`);
}

const SETTINGS_HELP = `Settings (a flag wins over its environment variable):
  --tenant <subdomain>    TENANT_SUBDOMAIN   External ID tenant: "contoso" for contoso.ciamlogin.com
  --authority <url>       AUTHORITY          Instead of --tenant: a custom domain or the local provider,
                                             e.g. https://localhost:<port>/<tenant-id>/
  --client-id <id>        CLI_CLIENT_ID      Application (client) ID the CLI signs in with
                                             (falls back to CLIENT_ID)
  --scope <scope>         API_SCOPE          The API's scope, e.g. api://<API client id>/access_as_user
  --api <url>             API_BASE_URL       The app's base URL (default http://localhost:7071)
  --cache-dir <folder>    FNAUTH_CACHE_DIR   Token cache folder (default ~/.config/fnauth,
                                             $XDG_CONFIG_HOME/fnauth, or %APPDATA%\\fnauth)
  -h, --help                                 Help for a command: fnauth <command> --help
      --version                              The version of fnauth
      --no-color          NO_COLOR           No colour and no QR code (so do TERM=dumb, and
                                             output that is not a terminal)

Output: results (claims, the API's answer) go to stdout; instructions, the code, the time
left and the QR code go to stderr, so "fnauth login > claims.json" still shows the code.`;

const EXIT_CODES_HELP = `Exit codes:
  0    done
  1    unexpected failure
  2    bad flags or settings
  3    not signed in, or the sign-in no longer works: run fnauth login
  4    the code expired before the sign-in was completed
  5    the sign-in was declined
  6    the tenant asked this device to slow down (slow_down): wait a minute, retry
  7    the tenant or the API cannot be reached
  8    the API answered with a status other than 2xx
  9    the tenant refused the request (client id, scope, app registration)
  130  cancelled (Ctrl-C)
  141  the output was closed early (e.g. piped into head): stopped quietly`;

export const HELP: Record<CommandName | 'main', string> = {
  main: `fnauth: sign in on a headless device with Microsoft Entra External ID (device code flow)
and call the app's API with the access token.

Usage: fnauth <command> [flags]

Commands:
  login          Sign in with a code entered on another device (phone, laptop)
  whoami         Show who is signed in (refreshes the access token if needed)
  call [path]    GET <API base URL><path> with the access token (default /api/claims)
  logout         Remove the signed-in account and its tokens from this device

${SETTINGS_HELP}

${EXIT_CODES_HELP}
`,
  login: `Usage: fnauth login [flags]

Signs in with the device code flow: open the page shown on any device with a browser
(or scan the QR code), enter the code, and sign in there. This command waits, showing
the time left, until you are done (Ctrl-C cancels), then prints your ID token claims.
Tokens are kept in the token cache file (readable by you only) for whoami and call.

Needs: --tenant or --authority, --client-id, --scope.

${SETTINGS_HELP}

${EXIT_CODES_HELP}
`,
  whoami: `Usage: fnauth whoami [flags]

Shows who is signed in and their ID token claims. Gets an access token for --scope from
the cache, refreshed with the refresh token when needed; exits with 3 when that no longer
works (run fnauth login again). Never starts a sign-in.

Needs: --tenant or --authority, --client-id, --scope.

${SETTINGS_HELP}
`,
  call: `Usage: fnauth call [path] [flags]

Sends GET <API base URL><path> with "Authorization: Bearer <access token>" and prints the
status (stderr) and the response body (stdout, JSON pretty-printed). The path defaults to
/api/claims and must start with "/". Exits with 8 when the API answers non-2xx, with the
problem's detail on stderr; with 3 when you need to sign in again.

Example: fnauth call /api/me --api https://<app>.azurewebsites.net

Needs: --tenant or --authority, --client-id, --scope; --api unless http://localhost:7071.

${SETTINGS_HELP}
`,
  logout: `Usage: fnauth logout [flags]

Removes this tenant's signed-in account and its tokens from the token cache, and the cache
file once it is empty. Works offline. Signs out of this device only: refresh tokens already
issued stay valid at the tenant until they expire or an administrator revokes sessions.

Needs: --tenant or --authority, --client-id.

${SETTINGS_HELP}
`,
};
