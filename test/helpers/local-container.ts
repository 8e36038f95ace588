/**
 * The app's sessions container, opened through `openSessionsContainer` (the
 * real `@azure/cosmos` client, key auth) on a local Cosmos DB API server of
 * its own, in a database with a unique name: what store-level tests start in
 * `beforeAll` and stop in `afterAll`.
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import type { AppConfig } from '../../src/lib/config';
import { openSessionsContainer } from '../../src/lib/cosmos';
import { startCosmos, type LocalCosmos } from './cosmos-server';

export interface LocalContainer {
  container: Container;
  cosmos: LocalCosmos;
  settings: AppConfig['cosmos'];
  stop(): Promise<void>;
}

export async function startLocalContainer(databasePrefix: string): Promise<LocalContainer> {
  const cosmos = await startCosmos();
  const settings: AppConfig['cosmos'] = {
    endpoint: cosmos.endpoint,
    key: cosmos.key,
    database: `${databasePrefix}-${randomUUID()}`,
    sessionsContainer: 'sessions',
    createIfMissing: true,
  };
  try {
    const container = await openSessionsContainer(settings);
    return { container, cosmos, settings, stop: () => cosmos.close() };
  } catch (error) {
    await cosmos.close();
    throw error;
  }
}
