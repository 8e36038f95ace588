/**
 * `fnauth` as users run it against the local stack: its own process (from
 * source, through tsx), trusting the local provider's certificate, with the
 * settings `npm run dev` prints for it and a cache folder of the test's own.
 */
import { join, resolve } from 'node:path';
import type { LocalStack } from '../../dev/local-stack';

const ROOT = resolve(__dirname, '../..');

export interface FnauthCommand {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function fnauthCommand(stack: LocalStack, cacheDir: string, args: string[]): FnauthCommand {
  return {
    command: process.execPath,
    args: ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args],
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: stack.provider.caCertPath,
      AUTHORITY: stack.urls.authority,
      CLI_CLIENT_ID: stack.deviceClientId,
      API_SCOPE: `api://${stack.settings.CLIENT_ID}/access_as_user`,
      API_BASE_URL: stack.urls.functions.replace(/\/api$/, ''),
      FNAUTH_CACHE_DIR: cacheDir,
    },
  };
}
