/**
 * `npm run screenshots`: the README's pictures, made by the pages' end-to-end test
 * (test/e2e/pages.test.ts) against the local stack, written to docs/images. Every `npm test`
 * makes the same pictures in test-results/screenshots, so they can be compared before committing.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const result = spawnSync('npx', ['vitest', 'run', 'test/e2e/pages.test.ts'], {
  cwd: ROOT,
  env: { ...process.env, SCREENSHOTS_DIR: 'docs/images' },
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
if (result.status === 0) console.log('\nPictures written to docs/images. Review them (git diff --stat docs/images) and commit the ones that changed.');
process.exit(result.status ?? 1);
