/**
 * The built-in development host (serve-functions.ts) as a child process.
 *
 * The functions always get a process of their own, started with their
 * settings in its environment: Node reads some of them (`NODE_EXTRA_CA_CERTS`)
 * only at start-up, exactly as under func.
 *
 * @example
 * ```ts
 * const child = spawnBuiltinHost({ port: 7071, env: { ...process.env, ...values }, output: 'inherit' });
 * const port = await whenReady(child); // rejects with the host's own message, e.g. the settings to fix
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Cors } from './local-settings';

const SERVE_SCRIPT = join(__dirname, 'serve-functions.ts');
/** tsx by absolute URL, so the child resolves it from wherever it runs. */
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

export interface BuiltinHostOptions {
  /** 0 picks a free port; {@link whenReady} tells which. */
  port: number;
  env: NodeJS.ProcessEnv;
  cors?: Cors;
  /** `inherit` writes to this terminal; `pipe` leaves child.stdout and child.stderr to the caller. */
  output: 'inherit' | 'pipe';
}

/** Raised when the host stops before it serves; the message is the host's own (settings to fix, a port in use). */
export class BuiltinHostStartError extends Error {
  readonly code = 'ERR_FUNCTIONS_HOST_START';
  constructor(message: string) {
    super(message);
    this.name = 'BuiltinHostStartError';
  }
}

export function spawnBuiltinHost(options: BuiltinHostOptions): ChildProcess {
  const args = ['--import', TSX_LOADER, SERVE_SCRIPT, '--port', String(options.port)];
  if (options.cors) {
    args.push('--cors', options.cors.origins.join(','));
    if (options.cors.credentials) args.push('--cors-credentials');
  }
  return spawn(process.execPath, args, {
    cwd: join(__dirname, '..'),
    env: options.env,
    stdio: ['ignore', options.output, options.output, 'ipc'],
  });
}

/** Resolves with the port once the host listens. */
export function whenReady(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let reason: string | undefined;
    const onMessage = (message: { ready?: boolean; port?: number; error?: string }) => {
      if (message.ready && message.port !== undefined) {
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(message.port);
      } else if (message.error) {
        reason = message.error;
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      child.off('message', onMessage);
      reject(new BuiltinHostStartError(reason ?? `The functions host stopped during start-up (${signal ?? `exit code ${code}`}); see its output above.`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
