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
 * That process is watched. If it ends on its own (a crash, a kill), the
 * stack stops everything else and `ended` says why. With `watch`, a change
 * under `src/` restarts the built-in host on the same port; if the changed
 * code does not start, the stack says so and waits for the next change.
 * The watcher is this module's own (`fs.watch`, recursive) rather than
 * Node's `--watch-path`: the launcher must tell a restart it asked for from
 * a crash, learn over IPC when the new process serves, and keep the stack
 * up while the code does not compile. `--watch-path` restarts inside a
 * supervisor process of its own, which hides exits and carries no IPC.
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
import { existsSync, mkdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { DEFAULT_APP_NAME } from '../src/lib/config';
import { BuiltinHostStartError, spawnBuiltinHost, whenReady } from './builtin-host';
import { findFunc } from './core-tools';
import { availablePort } from './ports';
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
  /** Where the functions' output, and the stack's notices about them, go; default: this process's stdout. */
  onOutput?: (line: string) => void;
  /** Restart the built-in host when a file under `src/` changes (`npm run dev`). */
  watch?: boolean;
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
  /** Process id of the functions host now serving. */
  functionsPid(): number | undefined;
  /** Settles when the functions process ended on its own, once the stack has stopped: why. */
  ended: Promise<string>;
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
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const step of stops.reverse()) await step().catch(() => undefined);
    })());

  try {
    const functionsPort = await choosePort(options.functionsPort ?? 7071, 'the functions', 'FUNCTIONS_PORT');
    const functionsOrigin = `http://localhost:${functionsPort}`;

    const cosmos = process.env.COSMOS_ENDPOINT
      ? { endpoint: process.env.COSMOS_ENDPOINT, key: process.env.COSMOS_KEY ?? '' }
      : await startLocalCosmos(await choosePort(options.cosmosPort ?? 8091, 'the local Cosmos DB API', 'COSMOS_PORT'), stops);

    // One name on both sides: the app's pages and the provider's sign-in pages.
    const appName = options.settings?.APP_NAME?.trim() || process.env.APP_NAME?.trim() || DEFAULT_APP_NAME;
    const webClient = {
      ...DEV_WEB_CLIENT,
      clientName: appName,
      clientUri: `${functionsOrigin}/api/home`,
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
      APP_NAME: appName,
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
    const func = options.functionsHost === 'builtin' ? undefined : findFunc(ROOT);
    const env = childEnv(settings, provider.caCertPath);
    const print = options.onOutput ?? ((line: string) => process.stdout.write(`  [functions] ${line}\n`));
    const functions = new FunctionsProcess(
      func ? () => startFuncHost(func, functionsPort, env, print) : () => startBuiltinHost(functionsPort, env, print),
      print,
    );
    stops.push(() => functions.stop());
    await functions.start();
    if (options.watch && !func) functions.restartOnChange(join(ROOT, 'src'));

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
      functionsHost: func ? 'func' : 'builtin',
      deviceClientId: DEV_DEVICE_CLIENT.clientId,
      adminClient: { clientId: DEV_ADMIN_CLIENT.clientId, clientSecret: DEV_ADMIN_CLIENT.clientSecret!, scope: `api://${webClient.clientId}/.default` },
      dataDir,
      functionsPid: () => functions.pid,
      ended: functions.ended.then(async (reason) => {
        await stop();
        return reason;
      }),
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
  const chosen = await availablePort(port);
  if (chosen === undefined) throw new PortInUseError(port, what, setting);
  return chosen;
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

function childEnv(settings: Record<string, string>, caCertPath: string): NodeJS.ProcessEnv {
  return { ...process.env, ...settings, NODE_EXTRA_CA_CERTS: caCertPath, FUNCTIONS_WORKER_RUNTIME: 'node' };
}

function pipeOutput(child: ChildProcess, print: (line: string) => void) {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line) print(line);
    });
  }
}

async function startBuiltinHost(port: number, env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<ChildProcess> {
  const child = spawnBuiltinHost({ port, env, output: 'pipe' });
  pipeOutput(child, print);
  await whenReady(child);
  return child;
}

async function startFuncHost(func: string, port: number, env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<ChildProcess> {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) throw new Error('npm run build failed; fix the errors above and try again.');
  const child = spawn(func, ['start', '--port', String(port)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  pipeOutput(child, print);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/api/home`, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
}

/**
 * The functions' process: started, restarted on request, and watched for
 * an exit nobody asked for, which settles {@link ended}.
 */
class FunctionsProcess {
  readonly ended: Promise<string>;
  private child: ChildProcess | undefined;
  private end!: (reason: string) => void;
  private stopping = false;
  private closeWatcher: (() => void) | undefined;
  private restarting: Promise<void> = Promise.resolve();

  constructor(
    private readonly launch: () => Promise<ChildProcess>,
    private readonly print: (line: string) => void,
  ) {
    this.ended = new Promise<string>((resolveEnded) => (this.end = resolveEnded));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const child = await this.launch();
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.child !== child || this.stopping) return;
      this.child = undefined;
      this.end(`The functions host stopped (${signal ? `signal ${signal}` : `exit code ${code}`}); see its output above. Stopping the local stack.`);
    });
  }

  /** Restarts the host when a file under `folder` changes, a moment after the last change. */
  restartOnChange(folder: string): void {
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(folder, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.restarting = this.restarting.then(() => this.restart());
      }, 150);
    });
    this.closeWatcher = () => {
      clearTimeout(timer);
      watcher.close();
    };
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    const old = this.child;
    this.child = undefined;
    if (old) await stopChild(old);
    try {
      if (this.stopping) return;
      await this.start();
      this.print('src/ changed: the functions restarted.');
    } catch (error) {
      const reason = error instanceof BuiltinHostStartError ? error.message : (error as Error).message;
      this.print(`src/ changed, and the functions did not start: ${reason}`);
      this.print('Fix it and save again; the rest of the stack keeps running.');
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.closeWatcher?.();
    await this.restarting;
    if (this.child) await stopChild(this.child);
  }
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
