/**
 * Headless Chromium for the end-to-end tests: Debian's /usr/bin/chromium (or
 * CHROMIUM_PATH) driven by playwright-core, which downloads no browser.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `No Chromium at ${path}. Install one with "apt-get update && apt-get install -y chromium" (Debian/Ubuntu), ` +
        'or set CHROMIUM_PATH to a Chromium or Chrome executable.',
    );
  }
  return path;
}

/** Rejects (never throws) when there is no Chromium, so callers can clean up in one place. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // The machine has no network beyond localhost: keep Chromium from calling home.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
