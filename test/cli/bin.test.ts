/**
 * One smoke test of the compiled `fnauth` bin as a real process: the CLI's
 * own files compiled with the build settings into a scratch folder's dist/ (not the
 * repository's), then run with `node` as npm's bin link would.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
// Inside the repository so that the compiled files find node_modules; ignored by git.
const SCRATCH = join(ROOT, 'node_modules/.cache/fnauth-bin-test');
const BIN = join(SCRATCH, packageJson.bin.fnauth);

async function fnauth(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  await rm(SCRATCH, { recursive: true, force: true });
  await mkdir(SCRATCH, { recursive: true });
  const tsconfig = join(SCRATCH, 'tsconfig.json');
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: relative(SCRATCH, join(ROOT, 'tsconfig.build.json')),
      compilerOptions: { outDir: 'dist', rootDir: relative(SCRATCH, ROOT), sourceMap: false },
      files: [relative(SCRATCH, join(ROOT, 'src/cli/main.ts'))],
      include: [],
    }),
  );
  await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { cwd: ROOT, timeout: 60_000 });
}, 90_000);
afterAll(() => rm(SCRATCH, { recursive: true, force: true }));

describe('the compiled fnauth bin', () => {
  it('is the file package.json names, and starts with a node shebang', async () => {
    expect(packageJson.bin.fnauth).toBe('dist/src/cli/main.js');
    expect((await readFile(BIN, 'utf8')).split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('prints help (exit 0), refuses missing settings (exit 2) and reports an unreachable tenant (exit 7)', async () => {
    const help = await fnauth(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: fnauth <command> [flags]');

    const missing = await fnauth(['login']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('3 settings need fixing');

    const unreachable = await fnauth(['whoami', '--authority', 'https://127.0.0.1:9/tenant/', '--client-id', 'cli', '--scope', 'api://x/access_as_user'], {
      FNAUTH_CACHE_DIR: join(SCRATCH, 'cache'),
    });
    expect(unreachable.code).toBe(7);
    expect(unreachable.stderr).toContain('The sign-in service cannot be reached (https://127.0.0.1:9/tenant/v2.0/.well-known/openid-configuration)');
    expect(unreachable.stderr).toContain('For the local provider: is it running (npm run dev)?');
  });

  it('prints its version, and answers an unknown flag with one line of its own', async () => {
    const version = await fnauth(['--version']);
    expect(version).toEqual({ code: 0, stdout: `fnauth ${packageJson.version}\n`, stderr: '' });

    const unknown = await fnauth(['whoami', '--verbose']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('Unknown flag --verbose. Run `fnauth whoami --help` for the flags.\n');
  });

  it('stops quietly with 141 when its output is closed before it writes (fnauth --help | head -0)', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away at once, long before the new process has started and written anything.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    expect(stderr).toBe(''); // no EPIPE stack trace
    expect(code).toBe(141);
  });
});
