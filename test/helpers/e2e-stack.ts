/**
 * What every end-to-end test starts: the local stack on free ports with its
 * data in a temporary folder, and headless Chromium. `stop()` undoes it all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../dev/local-stack';
import { launchChromium } from './chromium';

export interface E2eStack {
  stack: LocalStack;
  browser: Browser;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startE2eStack(): Promise<E2eStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fnauth-e2e-'));
  const stack = await startLocalStack({
    functionsPort: 0,
    providerPort: 0,
    cosmosPort: 0,
    dataDir,
    functionsHost: 'builtin',
    onOutput: () => undefined,
  });
  const browser = await launchChromium().catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  return {
    stack,
    browser,
    dataDir,
    async stop() {
      await browser.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
