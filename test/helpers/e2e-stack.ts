/**
 * What every end-to-end test starts: the local stack on free ports with its
 * data in a temporary folder, and headless Chromium. `stop()` undoes it all,
 * and so does a failed start (Chromium missing, a port taken): no process,
 * server or folder is left behind.
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

export interface E2eStackOptions {
  /** Where the temporary data folder is made; default: the system's temporary folder. */
  tempRoot?: string;
  /** Settings for the functions beyond the stack's own (`APP_NAME`, for example). */
  settings?: Record<string, string>;
}

export async function startE2eStack(options: E2eStackOptions = {}): Promise<E2eStack> {
  const dataDir = mkdtempSync(join(options.tempRoot ?? tmpdir(), 'fnauth-e2e-'));
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      functionsPort: 0,
      providerPort: 0,
      cosmosPort: 0,
      dataDir,
      functionsHost: 'builtin',
      settings: options.settings,
      onOutput: () => undefined,
    });
    const browser = await launchChromium();
    const started = stack;
    return {
      stack: started,
      browser,
      dataDir,
      // Each step runs even when the one before it fails (a browser that will not close, a host that will not stop).
      async stop() {
        try {
          await browser.close();
        } finally {
          try {
            await started.stop();
          } finally {
            rmSync(dataDir, { recursive: true, force: true });
          }
        }
      },
    };
  } catch (error) {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
