/**
 * Warnings that libraries print, on `console.warn`, about choices the local
 * stack and the tests make on purpose. Each is true, expected and harmless
 * here, and would only alarm a newcomer or bury a real warning:
 *
 * - `outsideFunctionsHost`: @azure/functions says, once per function and
 *   hook, that it runs outside the Azure Functions host ("test mode") and
 *   registers nothing. The development host and the tests run the handlers
 *   themselves, from the route table.
 * - `oidcProvider`: oidc-provider 9 calls Node 20 an "Unsupported runtime"
 *   (everything the local provider uses works there; its tests run on it),
 *   and warns that its "development-only in-memory adapter" loses sessions on
 *   restart, which is what a local provider should do.
 *
 * {@link withoutKnownWarnings} drops exactly those lines while some work runs
 * (loading the modules that print them); every other warning passes through.
 * The test workers drop them for good (test/helpers/known-warnings-setup.ts),
 * whichever test imports the modules.
 *
 * @example
 * ```ts
 * const oidc = await withoutKnownWarnings(KNOWN_WARNINGS.oidcProvider, () => importEsm<OidcModule>('oidc-provider'));
 * ```
 */

export const KNOWN_WARNINGS = {
  outsideFunctionsHost: [
    /^WARNING: Failed to detect the Azure Functions runtime\. Switching "@azure\/functions" package to test mode/,
    /^WARNING: Skipping call to register .+ because the "@azure\/functions" package is in test mode\./,
  ],
  oidcProvider: [
    /^oidc-provider WARNING: Unsupported runtime\./,
    /^oidc-provider WARNING: a quick start development-only in-memory adapter is used/,
  ],
} as const satisfies Record<string, readonly RegExp[]>;

// oidc-provider colours its warnings on a terminal.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function isKnownWarning(text: string, patterns: readonly RegExp[]): boolean {
  const plain = text.replace(ANSI, '').trim();
  return patterns.some((pattern) => pattern.test(plain));
}

/** `warn` without the single-string warnings that match one of `patterns()` (read at each call). */
export function dropping(warn: typeof console.warn, patterns: () => readonly RegExp[]): typeof console.warn {
  return (...args: unknown[]) => {
    if (!(args.length === 1 && typeof args[0] === 'string' && isKnownWarning(args[0], patterns()))) warn(...args);
  };
}

/** The pattern lists of the calls under way; console.warn is wrapped while it is not empty. */
const active: (readonly RegExp[])[] = [];
let restore: (() => void) | undefined;

/** Runs `work` with the warnings that match `patterns` dropped; overlapping calls share one wrapper. */
export async function withoutKnownWarnings<T>(patterns: readonly RegExp[], work: () => T | Promise<T>): Promise<T> {
  if (active.length === 0) {
    const warn = console.warn;
    console.warn = dropping(warn, () => active.flat());
    restore = () => {
      console.warn = warn;
    };
  }
  active.push(patterns);
  try {
    return await work();
  } finally {
    active.splice(active.indexOf(patterns), 1);
    if (active.length === 0) restore?.();
  }
}
