/**
 * The MSAL public client the commands share: the tenant's discovery document
 * fetched once per run and handed over as `authorityMetadata` (with every
 * host it names in `knownAuthorities`, which real External ID tenants need),
 * the token cache file, and the CLI's network client.
 *
 * `logout` opens it offline: removing accounts from the cache needs no
 * discovery, so it works without a network.
 *
 * @example
 * ```ts
 * const client = await openClient(settings, { online: true, warn });
 * const accounts = await cachedAccounts(client);
 * ```
 */
import { LogLevel, PublicClientApplication, type AccountInfo, type AuthenticationResult } from '@azure/msal-node';
import { discoveryUrl, fetchAuthority, type ResolvedAuthority } from '../lib/authority';
import { AuthError } from '../lib/errors';
import { isLoopback } from '../lib/settings/rules';
import { FileCachePlugin } from './cache-plugin';
import { CliError, EXIT, fromMsalError } from './errors';
import { printable } from './io';
import { createNetworkClient, type NetworkClient } from './network';
import type { CliSettings } from './settings';

export interface CliClient {
  pca: PublicClientApplication;
  /** Where MSAL files this tenant's accounts (`AccountInfo.environment`): the authority's host. */
  environment: string;
  network: NetworkClient;
  cachePlugin: FileCachePlugin;
}

export async function openClient(settings: CliSettings, options: { online: boolean; warn: (message: string) => void }): Promise<CliClient> {
  const environment = new URL(settings.authority).host;
  const network = createNetworkClient();
  const cachePlugin = new FileCachePlugin(settings.cacheFile, options.warn);
  const resolved = options.online ? await resolveAuthority(settings.authority) : undefined;
  const pca = new PublicClientApplication({
    auth: {
      clientId: settings.clientId,
      authority: resolved?.authority ?? settings.authority,
      knownAuthorities: resolved?.knownAuthorities ?? [environment],
      ...(resolved ? { authorityMetadata: resolved.metadataJson } : {}),
    },
    cache: { cachePlugin },
    system: {
      networkClient: network.client,
      // MSAL's log lines can hold tokens when PII logging is on; it stays off, and nothing is printed.
      loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => undefined },
    },
  });
  return { pca, environment, network, cachePlugin };
}

/** The accounts signed in to this tenant, from the cache file. */
export async function cachedAccounts(client: CliClient): Promise<AccountInfo[]> {
  const accounts = await client.pca.getTokenCache().getAllAccounts();
  return accounts.filter((account) => account.environment.toLowerCase() === client.environment.toLowerCase());
}

async function resolveAuthority(authority: string): Promise<ResolvedAuthority> {
  try {
    return await fetchAuthority(authority, (input, init) => fetch(input, init));
  } catch (error) {
    if (error instanceof AuthError && error.code === 'identity_provider_unavailable') {
      const local = isLoopback(new URL(authority));
      throw new CliError(
        EXIT.network,
        `The sign-in service cannot be reached (${discoveryUrl(authority)}). Check the tenant or authority setting and your network connection.` +
          (local ? ' For the local provider: is it running, and was NODE_EXTRA_CA_CERTS set to its certificate when this command started?' : ''),
      );
    }
    throw new CliError(EXIT.refused, 'The sign-in service published an unusable discovery document. Check the tenant or authority setting.');
  }
}

/** An access token for the API from the cache, refreshed with the cached refresh token when needed. */
export async function silentToken(client: CliClient, scope: string): Promise<AuthenticationResult> {
  const [account] = await cachedAccounts(client);
  if (!account) throw new CliError(EXIT.loginRequired, 'You are not signed in. Run `fnauth login` first.');
  try {
    return await client.pca.acquireTokenSilent({ account, scopes: [scope] });
  } catch (error) {
    throw fromMsalError(error, client.network.lastProviderError());
  }
}

/** "Alice Example (alice@example.com)", safe to print. */
export function describeAccount(account: AccountInfo | null | undefined): string {
  if (!account) return 'an unknown account';
  const name = printable(account.name ?? '');
  const username = printable(account.username ?? '');
  return name && username ? `${name} (${username})` : name || username || 'an account without a name';
}
