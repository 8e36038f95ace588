/**
 * Runs in a plain `node` process (compiled to JS, no tsx): the development
 * host compiled from dev/functions-host.ts, serving the functions compiled by
 * tsc (the deployed package), on PORT or a free port. Tells the parent over
 * IPC when it listens. The app's settings come from the environment.
 *
 * Usage: node serve.js <compiled functions-host.js>
 */
const hostModule = process.argv[2];

interface HostModule {
  startFunctionsHost(options: { port: number; log: (line: string) => void }): Promise<{ port: number; close(): Promise<void> }>;
}

async function main() {
  if (!hostModule) throw new Error('usage: node serve.js <functions-host.js>');
  const { startFunctionsHost } = require(hostModule) as HostModule;
  // Each request's log line is written as the development host does (stdout), where the parent drops it.
  const host = await startFunctionsHost({ port: Number(process.env.PORT ?? 0), log: (line) => process.stdout.write(`${line}\n`) });
  process.send?.({ ready: true, port: host.port, listeningMs: performance.now() });
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  // The bench going away, however it ends, takes this host with it.
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  process.send?.({ error: (error as Error).message });
  process.exit(1);
});
