/**
 * The app's two Cosmos containers, opened through `openContainers` (the real
 * `@azure/cosmos` client, key auth) on a local Cosmos DB API server of their
 * own, in a database with a unique name: what store-level tests start in
 * `beforeAll` and stop in `afterAll`.
 */
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../src/lib/config';
import { openContainers, type Containers } from '../../src/lib/cosmos';
import { startCosmos, type LocalCosmos } from './cosmos-server';

export interface LocalContainers extends Containers {
  cosmos: LocalCosmos;
  settings: AppConfig['cosmos'];
  stop(): Promise<void>;
}

export async function startLocalContainers(databasePrefix: string): Promise<LocalContainers> {
  const cosmos = await startCosmos();
  const settings: AppConfig['cosmos'] = {
    endpoint: cosmos.endpoint,
    key: cosmos.key,
    database: `${databasePrefix}-${randomUUID()}`,
    sessionsContainer: 'sessions',
    tokenCacheContainer: 'tokenCache',
    createIfMissing: true,
  };
  try {
    const containers = await openContainers(settings);
    return { ...containers, cosmos, settings, stop: () => cosmos.close() };
  } catch (error) {
    await cosmos.close();
    throw error;
  }
}
