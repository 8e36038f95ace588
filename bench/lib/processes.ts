/** Free ports and child processes that say when they are ready (over IPC), for the bench's servers. */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { stopChild } from '../../dev/local-stack';

/** A port free right now (the OS picks it); used where a URL must be known before its server starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ReadyChild<T> {
  child: ChildProcess;
  ready: T;
  stop(): Promise<void>;
}

/**
 * Forks an entry and waits for its `{ ready: true, … }` message. TypeScript entries run under tsx
 * (as the functions' development host does); `.js` entries run in plain node, with `nodeOptions`
 * if given (`--cpu-prof`). Output goes to `onOutput` line by line (default: dropped; it is request
 * logs).
 */
export async function forkReady<T>(
  entry: string,
  env: NodeJS.ProcessEnv,
  onOutput?: (line: string) => void,
  args: string[] = [],
  nodeOptions: string[] = [],
): Promise<ReadyChild<T>> {
  const execArgv = [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), ...nodeOptions];
  const child = fork(entry, args, { execArgv, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line) onOutput?.(line);
    });
  }
  const ready = await new Promise<T>((resolve, reject) => {
    child.once('message', (message: { ready?: boolean; error?: string }) =>
      message.ready ? resolve(message as T) : reject(new Error(`${entry} failed to start: ${message.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`${entry} exited during start-up (code ${code}).`)));
  });
  return { child, ready, stop: () => stopChild(child) };
}
