/**
 * What `npm run dev` tells people who want to try the headless sign-in: the
 * environment the `fnauth` CLI needs for this stack, once, then every command
 * ready to paste. The device-code end-to-end test runs the CLI with exactly
 * {@link cliEnvironment}, so what is printed is what works.
 *
 * @example
 * ```ts
 * console.log(cliInstructions(stack));
 * //     export AUTHORITY='https://localhost:8443/<tenant-id>/'
 * //     …
 * //     npx tsx src/cli/main.ts login
 * ```
 */
import type { LocalStack } from './local-stack';

export type CliStack = Pick<LocalStack, 'urls' | 'deviceClientId' | 'settings'> & { provider: Pick<LocalStack['provider'], 'caCertPath'> };

/** The CLI's settings for this stack, and the provider's certificate for Node to trust (read at process start). */
export function cliEnvironment(stack: CliStack): Record<string, string> {
  return {
    AUTHORITY: stack.urls.authority,
    CLI_CLIENT_ID: stack.deviceClientId,
    API_SCOPE: `api://${stack.settings.CLIENT_ID}/access_as_user`,
    API_BASE_URL: stack.urls.functions.replace(/\/api$/, ''),
    NODE_EXTRA_CA_CERTS: stack.provider.caCertPath,
  };
}

/** Run from the project folder, without a build. */
export const CLI = 'npx tsx src/cli/main.ts';

/** Lines must paste as they are: no trailing comments, which zsh would pass on as arguments. */
export const CLI_COMMANDS: readonly string[] = ['login', 'whoami', 'call', 'call /api/me', 'logout'];

/** The block the launcher prints: variables for the shell of this platform, then the commands. */
export function cliInstructions(stack: CliStack, platform: NodeJS.Platform = process.platform): string {
  const assign = platform === 'win32' ? powershellAssignment : posixExport;
  return [
    `  Headless (device code flow): in another terminal in this folder, set once (${platform === 'win32' ? 'PowerShell' : 'sh, bash, zsh'}):`,
    ...Object.entries(cliEnvironment(stack)).map(([name, value]) => `    ${assign(name, value)}`),
    '  then sign in with a code (approve it in a browser as a demo user), and call the API:',
    ...CLI_COMMANDS.map((args) => `    ${CLI} ${args}`),
  ].join('\n');
}

/** `export NAME='value'`, safe for any value in a POSIX shell. */
function posixExport(name: string, value: string): string {
  return `export ${name}='${value.replaceAll("'", `'\\''`)}'`;
}

function powershellAssignment(name: string, value: string): string {
  return `$env:${name} = '${value.replaceAll("'", "''")}'`;
}
