/**
 * `fnauth` as users run it against the local stack: its own process (from
 * source, through tsx), with the environment `npm run dev` prints for it
 * (the local provider's certificate included) and a cache folder of the test's own.
 */
import { join, resolve } from 'node:path';
import { cliEnvironment } from '../../dev/cli-instructions';
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
    env: { ...process.env, ...cliEnvironment(stack), FNAUTH_CACHE_DIR: cacheDir },
  };
}
