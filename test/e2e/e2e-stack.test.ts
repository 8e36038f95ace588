/**
 * The end-to-end setup itself: a start that fails half-way (here: no
 * Chromium) must stop what it started and remove its folder, or every later
 * run inherits orphan hosts and busy ports.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
