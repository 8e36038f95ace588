/**
 * A person's part of the local provider's flows, in a real browser (Playwright), with the page
 * ids documented in `dev/provider/index.ts`.
 */
import type { Browser } from 'playwright-core';

/** On another device: opens the verification page, enters the code, confirms and signs in. */
export async function approveDeviceCodeInBrowser(browser: Browser, page: string, userCode: string, user: { email: string; password: string }): Promise<void> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const tab = await context.newPage();
    await tab.goto(page);
    await tab.locator('#user_code').fill(userCode);
    await tab.locator('#device-code-submit').click();
    await tab.locator('#device-confirm').click();
    await tab.locator('#email').fill(user.email);
    await tab.locator('#password').fill(user.password);
    await tab.locator('#signin-submit').click();
    await tab.locator('#device-success').waitFor();
  } finally {
    await context.close();
  }
}
