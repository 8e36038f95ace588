/**
 * MSAL clients over a pre-resolved authority.
 *
 * A confidential client is built per request, each with the token cache of
 * the one session it serves. MSAL keeps its cache in the client object, so
 * sharing one client between concurrent requests of different users would
 * let one user's tokens pass through another's request. Building one is
 * cheap because the authority metadata is handed over already resolved:
 * no discovery call, no instance discovery (see `npm run bench`).
 *
 * msal-node is loaded on first use rather than at start-up, which keeps
 * cold starts short for requests that never need it (`/api/claims`).
 *
 * Tested by test/functions/sign-in-cycle.test.ts and test/functions/redirect.test.ts.
 *
 * @example
 * ```ts
 * const msal = await createMsalClient(runtime.config, await runtime.identity(), runtime.sessions.tokenCaches.pluginFor(session));
 * ```
 */
import type { ConfidentialClientApplication, ICachePlugin } from '@azure/msal-node';
import type { ResolvedAuthority } from './authority';
import type { AppConfig } from './config';

/** One import per instance: a dynamic import is not free on every call (about 0.6 ms under tsx). */
let msalNode: Promise<typeof import('@azure/msal-node')> | undefined;

export async function createMsalClient(
  config: Pick<AppConfig, 'clientId' | 'clientSecret'>,
  authority: ResolvedAuthority,
  cachePlugin?: ICachePlugin,
): Promise<ConfidentialClientApplication> {
  msalNode ??= import('@azure/msal-node');
  const { ConfidentialClientApplication, LogLevel } = await msalNode;
  return new ConfidentialClientApplication({
    auth: {
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      authority: authority.authority,
      knownAuthorities: authority.knownAuthorities,
      authorityMetadata: authority.metadataJson,
    },
    ...(cachePlugin ? { cache: { cachePlugin } } : {}),
    system: {
      // MSAL's own log lines can hold tokens when PII logging is on; it stays off, and only errors are kept.
      loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => undefined },
    },
  });
}
