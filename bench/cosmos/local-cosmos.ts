/**
 * Starts `serve.ts` (local Cosmos DB API + counting proxy) in a child process
 * and gives the bench its two addresses and the running tally.
 *
 * - `proxyUrl` is what the app under test gets as COSMOS_ENDPOINT: counted.
 * - `directUrl` is the server itself, for the bench's own reads (token cache
 *   sizes): those must not show up in the app's counts.
 */
import { join } from 'node:path';
import { forkReady } from '../lib/processes';
import type { CosmosTally } from './counting-proxy';

/** Any base64 string is accepted as the account key by the local server. */
export const LOCAL_COSMOS_KEY = Buffer.from('local-cosmos-db-api-for-bench').toString('base64');

export interface CountingCosmos {
  proxyUrl: string;
  directUrl: string;
  key: string;
  tally(): Promise<CosmosTally>;
  stop(): Promise<void>;
}

export async function startCountingCosmos(): Promise<CountingCosmos> {
  const { child, ready, stop } = await forkReady<{ proxyUrl: string; directUrl: string }>(join(__dirname, 'serve.ts'), process.env, (line) =>
    process.stderr.write(`  [cosmos] ${line}\n`),
  );

  let nextId = 0;
  const pending = new Map<number, (tally: CosmosTally) => void>();
  child.on('message', (message: { id?: number; tally?: CosmosTally }) => {
    if (message.id === undefined) return;
    if (message.tally) pending.get(message.id)?.(message.tally);
    pending.delete(message.id);
  });

  return {
    proxyUrl: ready.proxyUrl,
    directUrl: ready.directUrl,
    key: LOCAL_COSMOS_KEY,
    tally: () =>
      new Promise<CosmosTally>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        child.send({ id, type: 'tally' });
      }),
    stop,
  };
}
