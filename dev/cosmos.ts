/**
 * `npm run dev:cosmos`: only the local Cosmos DB API, for running `func start`
 * against your own External ID tenant without a Cosmos DB account.
 * Data lives in memory and is gone when it stops.
 */
import { createHttpServer } from '@vercel/cosmosdb-server';

const port = Number(process.env.COSMOS_PORT ?? 8091);
const server = createHttpServer();
server.once('error', () => {
  console.error(`Port ${port} is already in use. Stop whatever uses it or choose another with COSMOS_PORT=<port>.`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`Local Cosmos DB API on http://127.0.0.1:${port} (in memory). In local.settings.json set:
  "COSMOS_ENDPOINT": "http://127.0.0.1:${port}",
  "COSMOS_KEY": "${Buffer.from('local-cosmos-db-api').toString('base64')}"
Press Ctrl-C to stop.`);
});
process.on('SIGINT', () => server.close(() => process.exit(0)));
