/**
 * A real Cosmos DB API server (`@vercel/cosmosdb-server`) on a free port,
 * for tests of our stores through the real `@azure/cosmos` SDK.
 */
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';

export interface LocalCosmos {
  endpoint: string;
  key: string;
  close(): Promise<void>;
}

/** Any base64 string is accepted as the account key by the local server. */
export const LOCAL_COSMOS_KEY = Buffer.from('local-cosmos-key-for-tests').toString('base64');

export async function startCosmos(): Promise<LocalCosmos> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    key: LOCAL_COSMOS_KEY,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
