/**
 * The end-to-end setup itself: a start that fails half-way (here: no
 * Chromium), or a stop whose first step fails, must still stop what it
 * started and remove its folder, or every later run inherits orphan hosts
 * and busy ports.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startE2eStack } from '../helpers/e2e-stack';

/** Child processes and listening servers this test process holds. */
function held(): { processes: number; servers: number } {
  const resources = process.getActiveResourcesInfo();
  return {
    processes: resources.filter((name) => name === 'ProcessWrap').length,
    servers: resources.filter((name) => name === 'TCPServerWrap').length,
  };
}

it('stops the stack and removes its folder when Chromium is missing', async () => {
  const tempRoot = mkdtempSync(join(tmpdir(), 'e2e-setup-'));
  const savedPath = process.env.CHROMIUM_PATH;
  process.env.CHROMIUM_PATH = join(tempRoot, 'no-chromium-here');
  const before = held();
  try {
    await expect(startE2eStack({ tempRoot })).rejects.toThrow(`No Chromium at ${process.env.CHROMIUM_PATH}`);
    expect(readdirSync(tempRoot)).toEqual([]);
    // Handles close a moment after their 'exit' and 'close' events.
    await expect.poll(held, { timeout: 5000 }).toEqual(before);
  } finally {
    if (savedPath === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = savedPath;
    rmSync(tempRoot, { recursive: true, force: true });
  }
});

it('stops the stack and removes its folder when the browser fails to close', async () => {
  const before = held();
  const e2e = await startE2eStack();
  const close = e2e.browser.close.bind(e2e.browser);
  e2e.browser.close = () => Promise.reject(new Error('the browser did not close'));
  try {
    await expect(e2e.stop()).rejects.toThrow('the browser did not close');
    expect(existsSync(e2e.dataDir)).toBe(false);
    await expect(fetch(e2e.stack.urls.home)).rejects.toThrow();
  } finally {
    await close();
  }
  await expect.poll(held, { timeout: 5000 }).toEqual(before);
}, 60_000);
