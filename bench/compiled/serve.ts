/**
 * Runs in a plain `node` process (compiled to JS, no tsx): the development
 * host compiled from dev/functions-host.ts, serving either the functions
 * compiled by tsc or, given a package's `main`, the route table that bundle
 * exports (the deployed package), on PORT or a free port. Tells the parent
 * over IPC when it listens. The app's settings come from the environment.
 *
 * Usage: node serve.js <compiled functions-host.js> [<main.js>]
 */
import type { FunctionsHostOptions } from '../../dev/functions-host';

const [hostModule, packageMain] = process.argv.slice(2);

interface HostModule {
  startFunctionsHost(options: FunctionsHostOptions): Promise<{ port: number; close(): Promise<void> }>;
}

async function serve() {
  if (!hostModule) throw new Error('usage: node serve.js <functions-host.js> [<main.js>]');
  const { startFunctionsHost } = require(hostModule) as HostModule;
  const routes = packageMain ? (require(packageMain) as { routeTable: NonNullable<FunctionsHostOptions['routes']> }).routeTable : undefined;
  // Each request's log line is written as the development host does (stdout), where the parent drops it.
  const host = await startFunctionsHost({ port: Number(process.env.PORT ?? 0), log: (line) => process.stdout.write(`${line}\n`), routes });
  process.send?.({ ready: true, port: host.port, listeningMs: performance.now() });
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  // The bench going away, however it ends, takes this host with it.
  process.on('disconnect', stop);
}

serve().catch((error: unknown) => {
  process.send?.({ error: (error as Error).message });
  process.exit(1);
});
