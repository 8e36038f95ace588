/**
 * Our functions as deployed: the bundle `npm run build` writes to dist/app
 * (built again under bench/results/), in a plain `node` process (no tsx,
 * whose loader hooks make every `await import()` cost a round trip to its
 * worker thread), served by the compiled development host. Same settings,
 * cookie secret and Cosmos DB as the stack, registered with the second
 * provider like the baselines.
 */
import { isKnownWarning, KNOWN_WARNINGS } from '../../dev/known-warnings';
import type { RunningApp } from '../baseline/baseline';
import { forkReady } from '../lib/processes';
import type { SecondProvider } from '../lib/second-provider';
import type { CompiledApp } from './build';


export const FUNCTIONS_PATHS = { redirectPath: '/api/redirect', logoutPath: '/api/home' };

export async function startCompiledApp(
  built: CompiledApp,
  name: string,
  idp: SecondProvider,
  stackSettings: Record<string, string>,
): Promise<RunningApp> {
  const { port, client } = idp.apps.ours!;
  const origin = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...stackSettings,
    AUTHORITY: idp.provider.authority,
    CLIENT_ID: client.clientId,
    CLIENT_SECRET: client.clientSecret ?? '',
    REDIRECT_URI: `${origin}${FUNCTIONS_PATHS.redirectPath}`,
    POST_LOGOUT_REDIRECT_URI: `${origin}${FUNCTIONS_PATHS.logoutPath}`,
    DOWNSTREAM_API_URL: idp.provider.downstreamApiUrl,
    NODE_EXTRA_CA_CERTS: idp.provider.caCertPath,
    FUNCTIONS_WORKER_RUNTIME: 'node',
    PORT: String(port),
  };
  delete env.NODE_OPTIONS;
  // Output is one log line per request, dropped as the stack drops its host's; anything else is shown.
  const running = await forkReady(built.serve, env, (line) => {
    if (!line.startsWith('{"event":"request"') && !isKnownWarning(line, KNOWN_WARNINGS.outsideFunctionsHost)) process.stderr.write(`  [compiled functions] ${line}\n`);
  }, [built.functionsHost, built.entries.deployed]);
  return {
    target: {
      name,
      loginUrl: `${origin}/api/login`,
      callbackUrl: `${origin}${FUNCTIONS_PATHS.redirectPath}`,
      sessionCookie: 'fnauth',
      claimsUrl: `${origin}/api/claims`,
      ca: idp.provider.caCert,
    },
    pid: running.child.pid!,
    stop: running.stop,
  };
}
