/**
 * Child-process entry: the local Cosmos DB API (@vercel/cosmosdb-server) with
 * the counting proxy in front. It runs apart from the load generator so that
 * serving Cosmos does not steal event-loop time from autocannon's clocks.
 *
 * Talks to its parent over IPC: `{ ready, proxyUrl, directUrl }` once up, and
 * `{ id, tally }` for each `{ id, type: 'tally' }` asked.
 */
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { startCountingProxy } from './counting-proxy';

async function main() {
  // keepAlive: the server otherwise answers `Connection: close`, a new TCP connection per call, which no real account does.
  const cosmos = createHttpServer({ keepAlive: true });
  await new Promise<void>((resolve) => cosmos.listen(0, '127.0.0.1', resolve));
  cosmos.keepAliveTimeout = 60_000;
  const directUrl = `http://127.0.0.1:${(cosmos.address() as AddressInfo).port}`;
  const proxy = await startCountingProxy(directUrl);

  process.on('message', (message: { id?: number; type?: string }) => {
    if (message.type === 'tally') process.send?.({ id: message.id, tally: proxy.tally() });
  });
  // The parent going away (or stopping us) ends everything.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true, proxyUrl: proxy.url, directUrl });
}

main().catch((error: unknown) => {
  process.send?.({ error: (error as Error).message });
  process.exit(1);
});
