/**
 * `npm run dev`: starts the local stack and says what runs where. Ctrl-C stops it all.
 *
 * Ports: FUNCTIONS_PORT (7071), PROVIDER_PORT (8443), COSMOS_PORT (8091).
 * COSMOS_ENDPOINT (+ COSMOS_KEY) uses a real account or the emulator instead of the local Cosmos DB API.
 */
import { DEMO_ADMIN_USER } from './provider';
import { cliInstructions } from './cli-instructions';
import { DEMO_USERS, PortInUseError, startLocalStack } from './local-stack';

const port = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

async function main() {
  const stack = await startLocalStack({
    functionsPort: port('FUNCTIONS_PORT'),
    providerPort: port('PROVIDER_PORT'),
    cosmosPort: port('COSMOS_PORT'),
    watch: true,
  });
  const users = DEMO_USERS.map(
    (user) => `    ${user.email.padEnd(22)} password: ${user.password}${user.oid === DEMO_ADMIN_USER.oid ? '  (app role Sessions.RevokeAll)' : ''}`,
  ).join('\n');
  console.log(`
Local sign-in stack is running.

  Open:            ${stack.urls.home}
  Sign in:         ${stack.urls.login}
  Functions:       ${stack.urls.functions}  (${stack.functionsHost === 'func' ? 'func start' : 'built-in development host, restarted when src/ changes; install Azure Functions Core Tools to use func start'})
  OpenID provider: ${stack.urls.authority}  (self-signed certificate: ${stack.provider.caCertPath})
  Cosmos DB API:   ${stack.urls.cosmos}${process.env.COSMOS_ENDPOINT ? '' : '  (in memory: sessions end when you stop)'}
  Data folder:     ${stack.dataDir}  (certificate, signing key, cookie secret, signed-up users)

  Demo users:
${users}
  Or choose "Sign up" to create your own; the email code is shown on the page.

${cliInstructions(stack)}

  Admin daemon (client credentials, app role Sessions.RevokeAll): client id ${stack.adminClient.clientId}, secret ${stack.adminClient.clientSecret}, scope ${stack.adminClient.scope}

Press Ctrl-C to stop.
`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  void stack.ended.then((reason) => {
    if (stopping) return;
    console.error(`\n${reason}`);
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof PortInUseError ? error.message : `Could not start the local stack: ${(error as Error).message}`);
  process.exit(1);
});
