/**
 * A second local OpenID provider, with one client per app that the bench
 * starts itself: the stack's provider has only the stack's own app
 * registered, and `startLocalStack` takes no further clients. The Express
 * baselines and our functions compiled to plain JS sign in here, with the
 * same users as the stack's provider.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startProvider, type DemoUser, type LocalProvider, type ProviderClient } from '../../dev/provider';
import { freePort } from './processes';

export interface AppRegistration {
  port: number;
  client: ProviderClient;
}

export interface SecondProvider {
  provider: LocalProvider;
  apps: Record<string, AppRegistration>;
  /** Requests to the token endpoint so far (code redemptions and refreshes). */
  tokenRequests(): number;
  close(): Promise<void>;
}

/**
 * `apps` maps a name to its redirect path. Ports are chosen first: each redirect
 * URI must be registered before the provider starts, and before the app exists.
 */
export async function startSecondProvider(
  dataDir: string,
  users: DemoUser[],
  apps: Record<string, { redirectPath: string; logoutPath: string }>,
  options: { accessTokenTtlSeconds: number },
): Promise<SecondProvider> {
  const registrations: Record<string, AppRegistration> = {};
  for (const [name, paths] of Object.entries(apps)) {
    const port = await freePort();
    registrations[name] = {
      port,
      client: {
        clientId: randomUUID(),
        clientSecret: randomBytes(24).toString('base64url'),
        redirectUris: [`http://localhost:${port}${paths.redirectPath}`],
        postLogoutRedirectUris: [`http://localhost:${port}${paths.logoutPath}`],
        clientName: name,
      },
    };
  }
  let tokenRequests = 0;
  const provider = await startProvider({
    port: 0,
    dataDir,
    clients: Object.values(registrations).map((app) => app.client),
    users,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    onRequest: (method, path) => {
      if (method === 'POST' && path.endsWith('/oauth2/v2.0/token')) tokenRequests += 1;
    },
  });
  return { provider, apps: registrations, tokenRequests: () => tokenRequests, close: () => provider.close() };
}
