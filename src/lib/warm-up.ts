/**
 * Warm-up: once an instance has answered its first request, it loads in the
 * background the SDKs that other requests load on first use, so that a new
 * instance's first `/api/claims` does not wait for the Cosmos DB SDK, nor
 * its first `/api/redirect` for MSAL.
 *
 * Loading them at start-up instead would make every cold start's first
 * request wait for all of them, `/api/login` included, which needs only
 * MSAL. After the first response, a sign-in's user spends seconds at the
 * tenant's pages: time enough. One SDK is loaded per turn of the event loop,
 * so a request that arrives meanwhile waits for one SDK at most (tens of
 * milliseconds, and only once per instance). Azure Identity is loaded only
 * where Cosmos DB uses Microsoft Entra auth (no `COSMOS_KEY`).
 *
 * Functions' own warmup trigger is no substitute: it runs only when an
 * instance is added by a scale-out, not for the first instance or after a
 * restart.
 *
 * Tested by test/scripts/bundle.test.ts.
 *
 * @example
 * ```ts
 * warmUpAfterFirstInvocation(); // once, when the functions are registered
 * ```
 */
import { app } from '@azure/functions';
import { getRuntime } from './runtime';

/** What later requests load on first use, in the order a sign-in meets them. */
const FIRST_USE: Array<() => Promise<unknown> | undefined> = [
  () => import('@azure/msal-node'),
  () => import('@azure/cosmos'),
  () => (getRuntime().config.cosmos.key ? undefined : import('@azure/identity')),
];

/** Loads every SDK in {@link FIRST_USE}, one per turn of the event loop. Loading one that is loaded already costs nothing. */
export async function warmUp(): Promise<void> {
  for (const load of FIRST_USE) {
    await new Promise((resolve) => setImmediate(resolve));
    await load();
  }
}

/**
 * Runs {@link warmUp} once, after the instance's first invocation: the hook
 * only schedules it (the host sends the response after post-invocation
 * hooks), then removes itself, so later requests do not pay for a hook.
 */
export function warmUpAfterFirstInvocation(): void {
  const hook = app.hook.postInvocation(() => {
    hook.dispose();
    // A failure here (a setting, a broken package) surfaces on the request that needs the SDK, with its own error handling.
    warmUp().catch(() => undefined);
  });
}
