/**
 * The whole sign-in, locally, with no Azure account: a local OpenID provider
 * shaped like Entra External ID, a local Cosmos DB API (unless
 * `COSMOS_ENDPOINT` points at a real account or the emulator), and the
 * functions on `/api` — through `func start` when Azure Functions Core Tools
 * are installed, otherwise through the built-in development host.
 *
 * The functions always run in a process of their own: the provider's
 * self-signed certificate is trusted there through `NODE_EXTRA_CA_CERTS`,
 * which Node reads only at start-up, exactly as a user would set it.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ functionsPort: 0, providerPort: 0, cosmosPort: 0, dataDir: '.dev' });
 * stack.urls.home; // http://localhost:<port>/api/home
 * await stack.stop();
 * ```
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { DEMO_USERS, DEV_ADMIN_CLIENT, DEV_DEVICE_CLIENT, DEV_WEB_CLIENT, startProvider, type LocalProvider } from './provider';

export interface LocalStackOptions {
  /** 0 picks a free port. Defaults: functions 7071, provider 8443, Cosmos 8091. */
  functionsPort?: number;
  providerPort?: number;
  cosmosPort?: number;
  dataDir?: string;
  /** `auto` uses `func start` when it is installed; `builtin` always uses the development host. */
  functionsHost?: 'auto' | 'builtin';
  /** Extra settings for the functions (tests use a short access token lifetime, for example). */
  settings?: Record<string, string>;
  accessTokenTtlSeconds?: number;
  /** Where the functions' output goes; default: this process's stdout/stderr. */
  onOutput?: (line: string) => void;
}

export interface LocalStack {
  urls: { home: string; login: string; functions: string; provider: string; cosmos: string; authority: string };
  provider: LocalProvider;
  settings: Record<string, string>;
  functionsHost: 'func' | 'builtin';
  deviceClientId: string;
  /** A daemon granted the web app's `Sessions.RevokeAll` role: client credentials with `scope`. */
  adminClient: { clientId: string; clientSecret: string; scope: string };
  dataDir: string;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..');

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly setting: string,
  ) {
    super(`Port ${port} (${what}) is already in use. Stop whatever uses it (another "npm run dev" or "func start"?) or choose another port with ${setting}=<port>.`);
  }
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir ?? join(ROOT, '.dev'));
  mkdirSync(dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };

  try {
    const functionsPort = await choosePort(options.functionsPort ?? 7071, 'the functions', 'FUNCTIONS_PORT');
    const functionsOrigin = `http://localhost:${functionsPort}`;

    const cosmos = process.env.COSMOS_ENDPOINT
      ? { endpoint: process.env.COSMOS_ENDPOINT, key: process.env.COSMOS_KEY ?? '' }
      : await startLocalCosmos(await choosePort(options.cosmosPort ?? 8091, 'the local Cosmos DB API', 'COSMOS_PORT'), stops);

    const webClient = {
      ...DEV_WEB_CLIENT,
      redirectUris: [`${functionsOrigin}/api/redirect`],
      postLogoutRedirectUris: [`${functionsOrigin}/api/home`],
      frontchannelLogoutUri: `${functionsOrigin}/api/logout/frontchannel`,
    };
    const provider = await startProvider({
      port: await choosePort(options.providerPort ?? 8443, 'the local OpenID provider', 'PROVIDER_PORT'),
      dataDir,
      clients: [webClient, DEV_DEVICE_CLIENT, DEV_ADMIN_CLIENT],
      persistUsers: true,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    });
    stops.push(() => provider.close());

    const settings: Record<string, string> = {
      AUTHORITY: provider.authority,
      CLIENT_ID: webClient.clientId,
      CLIENT_SECRET: webClient.clientSecret!,
      REDIRECT_URI: `${functionsOrigin}/api/redirect`,
      POST_LOGOUT_REDIRECT_URI: `${functionsOrigin}/api/home`,
      COOKIE_SECRETS: cookieSecret(dataDir),
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      DOWNSTREAM_API_URL: provider.downstreamApiUrl,
      DOWNSTREAM_API_SCOPES: provider.downstreamApiScopes.join(' '),
      ...options.settings,
    };
    const useFunc = options.functionsHost !== 'builtin' && hasFunctionsCoreTools();
    const child = useFunc
      ? await startFuncHost(functionsPort, settings, provider.caCertPath, options.onOutput)
      : await startBuiltinHost(functionsPort, settings, provider.caCertPath, options.onOutput);
    stops.push(() => stopChild(child));

    return {
      urls: {
        home: `${functionsOrigin}/api/home`,
        login: `${functionsOrigin}/api/login`,
        functions: `${functionsOrigin}/api`,
        provider: provider.origin,
        cosmos: cosmos.endpoint,
        authority: provider.authority,
      },
      provider,
      settings,
      functionsHost: useFunc ? 'func' : 'builtin',
      deviceClientId: DEV_DEVICE_CLIENT.clientId,
      adminClient: { clientId: DEV_ADMIN_CLIENT.clientId, clientSecret: DEV_ADMIN_CLIENT.clientSecret!, scope: `api://${webClient.clientId}/.default` },
      dataDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export { DEMO_USERS };

/** The requested port if it is free (0: any free port); otherwise a PortInUseError. */
async function choosePort(port: number, what: string, setting: string): Promise<number> {
  const server = createServer();
  return new Promise<number>((resolvePort, reject) => {
    server.once('error', () => reject(new PortInUseError(port, what, setting)));
    server.listen(port, '127.0.0.1', () => {
      const chosen = (server.address() as AddressInfo).port;
      server.close(() => resolvePort(chosen));
    });
  });
}

async function startLocalCosmos(port: number, stops: Array<() => Promise<void>>) {
  const server = createHttpServer();
  await new Promise<void>((resolveListen) => server.listen(port, '127.0.0.1', resolveListen));
  stops.push(
    () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  );
  return { endpoint: `http://127.0.0.1:${port}`, key: Buffer.from('local-cosmos-db-api').toString('base64') };
}

/** Kept in the data folder so restarting the stack does not sign everyone out. */
function cookieSecret(dataDir: string): string {
  const file = join(dataDir, 'cookie-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function hasFunctionsCoreTools(): boolean {
  return spawnSync('func', ['--version'], { stdio: 'ignore' }).status === 0;
}

function childEnv(settings: Record<string, string>, caCertPath: string): NodeJS.ProcessEnv {
  return { ...process.env, ...settings, NODE_EXTRA_CA_CERTS: caCertPath, FUNCTIONS_WORKER_RUNTIME: 'node' };
}

/** @azure/functions announces, once per function, that it runs outside the real host: true, and noise here. */
const OUTSIDE_HOST_NOTICE = /package is in test mode|Failed to detect the Azure Functions runtime/;

function pipeOutput(child: ChildProcess, onOutput?: (line: string) => void) {
  const print = onOutput ?? ((text: string) => process.stdout.write(`  [functions] ${text}\n`));
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line && !OUTSIDE_HOST_NOTICE.test(line)) print(line);
    });
  }
}

async function startBuiltinHost(port: number, settings: Record<string, string>, caCertPath: string, onOutput?: (line: string) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'dev', 'serve-functions.ts')], {
    cwd: ROOT,
    env: { ...childEnv(settings, caCertPath), FUNCTIONS_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  pipeOutput(child, onOutput);
  await new Promise<void>((resolveReady, reject) => {
    child.once('message', (message) => ((message as { ready?: boolean }).ready ? resolveReady() : reject(new Error(String((message as { error?: string }).error)))));
    child.once('exit', (code) => reject(new Error(`The functions host stopped during start-up (exit code ${code}); see its output above.`)));
  });
  return child;
}

async function startFuncHost(port: number, settings: Record<string, string>, caCertPath: string, onOutput?: (line: string) => void) {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed; fix the errors above and try again.');
  const child = spawn('func', ['start', '--port', String(port)], { cwd: ROOT, env: childEnv(settings, caCertPath), stdio: ['ignore', 'pipe', 'pipe'] });
  pipeOutput(child, onOutput);
  await waitForHttp(`http://127.0.0.1:${port}/api/home`, child);
  return child;
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`func start stopped (exit code ${child.exitCode}); see its output above.`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((wait) => setTimeout(wait, 500));
    }
  }
  throw new Error('func start did not answer within two minutes.');
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolveExit) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveExit();
    });
    child.kill('SIGTERM');
  });
}
