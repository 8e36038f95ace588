/**
 * Where the end-to-end tests save their pictures: `test-results/screenshots`
 * (git-ignored) on every run, so a change to a page can be looked at; with
 * `SCREENSHOTS_DIR` set (`npm run screenshots` sets `docs/images`), the
 * pictures the README shows.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export function screenshotPath(name: string): string {
  const dir = resolve(ROOT, process.env.SCREENSHOTS_DIR ?? 'test-results/screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
