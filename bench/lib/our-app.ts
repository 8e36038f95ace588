/**
 * Our app on the local stack, with its Cosmos DB traffic going through the
 * counting proxy: `startLocalStack` honours COSMOS_ENDPOINT/COSMOS_KEY from
 * the environment, so it starts no Cosmos server of its own and the
 * functions' child process gets the proxy's address.
 */
import { startLocalStack, type LocalStack } from '../../dev/local-stack';
import type { DemoUser } from '../../dev/provider';
import type { CountingCosmos } from '../cosmos/local-cosmos';
import { findChildPid } from './process-cpu';
import type { SignInTarget } from './sign-in';

export interface OurApp {
  stack: LocalStack;
  target: SignInTarget;
  /** The functions' process (the stack's child running dev/serve-functions.ts under tsx). */
  pid: number | undefined;
}

export async function startOurApp(options: {
  cosmos: CountingCosmos;
  dataDir: string;
  /** Added to the stack's provider, next to the demo users. */
  users: DemoUser[];
  accessTokenTtlSeconds: number;
  /** Settings on top of the stack's own. */
  settings: Record<string, string>;
}): Promise<OurApp> {
  process.env.COSMOS_ENDPOINT = options.cosmos.proxyUrl;
  process.env.COSMOS_KEY = options.cosmos.key;
  const stack = await startLocalStack({
    functionsPort: 0,
    providerPort: 0,
    cosmosPort: 0,
    dataDir: options.dataDir,
    functionsHost: 'builtin',
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    settings: options.settings,
    // One log line per request is part of the app's cost; reading it here is not worth printing.
    onOutput: (line) => {
      if (!line.startsWith('{"event":"request"')) process.stderr.write(`  [functions] ${line}\n`);
    },
  });
  // Bench users are added to the running provider directly: signing each up through the pages would measure sign-up.
  for (const user of options.users) stack.provider.users.create(user, { signedUp: false });
  return {
    stack,
    pid: findChildPid('serve-functions'),
    target: {
      name: 'ours (local stack, npm run dev host)',
      loginUrl: stack.urls.login,
      callbackUrl: stack.settings.REDIRECT_URI!,
      sessionCookie: 'fnauth',
      claimsUrl: `${stack.urls.functions}/claims`,
      ca: stack.provider.caCert,
    },
  };
}
