/**
 * Child-process entry of the built-in development host (see local-stack.ts):
 * serves the registered functions on FUNCTIONS_PORT and tells the parent when ready.
 */
import { startFunctionsHost } from './functions-host';

startFunctionsHost({ port: Number(process.env.FUNCTIONS_PORT ?? 7071) }).then(
  (host) => {
    process.send?.({ ready: true, port: host.port });
    const shutdown = () => void host.close().then(() => process.exit(0));
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  },
  (error: unknown) => {
    process.send?.({ error: (error as Error).message });
    process.exit(1);
  },
);
