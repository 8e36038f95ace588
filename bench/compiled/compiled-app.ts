/**
 * Our functions as deployed: the bundle `npm run build` writes to dist/app
 * (built again under bench/results/), in a plain `node` process (no tsx,
 * whose loader hooks make every `await import()` cost a round trip to its
 * worker thread), served by the compiled development host. Same settings,
 * cookie secret and Cosmos DB as the stack, registered with the second
 * provider like the baselines. Two instances of one registration share its
 * client, as a scaled-out function app does.
 */
import { isKnownWarning, KNOWN_WARNINGS } from '../../dev/known-warnings';
import type { RunningApp } from '../baseline/baseline';
import { forkReady } from '../lib/processes';
import type { SecondProvider } from '../lib/second-provider';
import type { CompiledApp } from './build';

export const FUNCTIONS_PATHS = { redirectPath: '/api/redirect', logoutPath: '/api/home' };

export interface CompiledAppOptions {
  /** The app's registration at the second provider (its client, and the port its redirect URI names). */
  registration: string;
  /** Another instance of that registration: served on a port of its own, it shares the client and never signs in itself. */
  port?: number;
  /** SESSION_CACHE_SECONDS; unset: the app's default. */
  sessionCacheSeconds?: number;
  /** A folder for a V8 CPU profile of the whole run (`node --cpu-prof`), written when the app stops. */
  cpuProfileDir?: string;
}

export async function startCompiledApp(
  built: CompiledApp,
  name: string,
  idp: SecondProvider,
  appSettings: Record<string, string>,
  options: CompiledAppOptions,
): Promise<RunningApp> {
  const { port: registeredPort, client } = idp.apps[options.registration]!;
  const registered = `http://localhost:${registeredPort}`;
  const port = options.port ?? registeredPort;
  const origin = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...appSettings,
    AUTHORITY: idp.provider.authority,
    CLIENT_ID: client.clientId,
    CLIENT_SECRET: client.clientSecret ?? '',
    REDIRECT_URI: `${registered}${FUNCTIONS_PATHS.redirectPath}`,
    POST_LOGOUT_REDIRECT_URI: `${registered}${FUNCTIONS_PATHS.logoutPath}`,
    DOWNSTREAM_API_URL: idp.provider.downstreamApiUrl,
    NODE_EXTRA_CA_CERTS: idp.provider.caCertPath,
    FUNCTIONS_WORKER_RUNTIME: 'node',
    PORT: String(port),
    ...(options.sessionCacheSeconds === undefined ? {} : { SESSION_CACHE_SECONDS: String(options.sessionCacheSeconds) }),
  };
  delete env.NODE_OPTIONS;
  // Output is one log line per request, dropped as the stack drops its host's; anything else is shown.
  const running = await forkReady(built.serve, env, (line) => {
    if (!line.startsWith('{"event":"request"') && !isKnownWarning(line, KNOWN_WARNINGS.outsideFunctionsHost)) process.stderr.write(`  [compiled functions] ${line}\n`);
  }, [built.functionsHost, built.entries.deployed], options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []);
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
