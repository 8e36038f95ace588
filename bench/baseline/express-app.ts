/**
 * Child-process entry of the baseline: an Express app signing in with
 * `express-openid-connect` against the local OpenID provider, with the same
 * authorization-code + PKCE request our app makes, and a `GET /claims` that
 * answers the ID token claims as JSON, like our `/api/claims`.
 *
 * `BASELINE_SESSION=cookie`: the library's default encrypted-cookie session.
 * `BASELINE_SESSION=cosmos`: server-side sessions in Cosmos DB through
 * {@link CosmosSessionStore} (the local Cosmos DB API, behind the same
 * counting proxy as our app).
 *
 * The provider's self-signed certificate is trusted through NODE_EXTRA_CA_CERTS,
 * set by the parent: openid-client uses fetch and has no per-client CA option.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { auth, requiresAuth, type ConfigParams } from 'express-openid-connect';
import { CosmosSessionStore } from './cosmos-session-store';

type Store = NonNullable<NonNullable<ConfigParams['session']>['store']>;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function cosmosStore(): Promise<Store> {
  const { CosmosClient } = await import('@azure/cosmos');
  const client = new CosmosClient({
    endpoint: env('COSMOS_ENDPOINT'),
    key: env('COSMOS_KEY'),
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const { database } = await client.databases.createIfNotExists({ id: env('COSMOS_DATABASE') });
  const { container } = await database.containers.createIfNotExists({ id: 'sessions', partitionKey: { paths: ['/id'] }, defaultTtl: -1 });
  return new CosmosSessionStore(container) as unknown as Store;
}

async function main() {
  const port = Number(env('PORT'));
  const store = process.env.BASELINE_SESSION === 'cosmos' ? await cosmosStore() : undefined;
  const app = express();
  app.use(
    auth({
      issuerBaseURL: env('ISSUER'),
      baseURL: `http://localhost:${port}`,
      clientID: env('CLIENT_ID'),
      clientSecret: env('CLIENT_SECRET'),
      secret: env('SESSION_SECRET'),
      authRequired: false,
      // The local provider, like Entra, takes the client secret in the body.
      clientAuthMethod: 'client_secret_post',
      // What our app asks for: code + PKCE, query response, a refresh token and a Graph scope.
      authorizationParams: { response_type: 'code', response_mode: 'query', scope: 'openid profile email offline_access User.Read' },
      ...(store ? { session: { store } } : {}),
    }),
  );
  app.get('/claims', requiresAuth(), (req, res) => {
    res.json(req.oidc.idTokenClaims);
  });

  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.send?.({ ready: true, port: (server.address() as AddressInfo).port });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  // The bench going away, however it ends, takes this app with it.
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  process.send?.({ error: (error as Error).message });
  process.exit(1);
});
