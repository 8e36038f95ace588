/**
 * Child-process entry of the built-in development host, for `npm start`
 * (start-functions.ts) and `npm run dev` (local-stack.ts). Its environment
 * holds the settings, set before the process started, so Node reads
 * `NODE_EXTRA_CA_CERTS` as it does under func.
 *
 * Usage: `node --import tsx dev/serve-functions.ts --port 7071 [--cors <origins>] [--cors-credentials]`
 *
 * It lists the functions as func does, tells a parent on IPC when it is ready
 * (`{ ready, port }`) or why it could not start (`{ error }`), and exits 1 on
 * a settings problem without serving anything.
 */
import { parseArgs } from 'node:util';
import { startFunctionsHost } from './functions-host';
import { dropping, KNOWN_WARNINGS } from './known-warnings';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '7071' },
    cors: { type: 'string' },
    'cors-credentials': { type: 'boolean', default: false },
  },
});

// @azure/functions says, once per function, that it runs outside the real host: true, and noise here.
console.warn = dropping(console.warn, () => KNOWN_WARNINGS.outsideFunctionsHost);

// Checked by the host itself (checkCors), as the origins of local.settings.json and npm start's flags are.
const cors = args.cors ? { origins: args.cors.split(',').map((origin) => origin.trim()), credentials: args['cors-credentials'] } : undefined;

startFunctionsHost({ port: Number(args.port), host: '127.0.0.1', cors }).then(
  (host) => {
    const lines = host.routes.map((route) => `  ${route.name}: [${route.methods.join(',')}] ${host.url}/api/${route.route}`);
    console.log(`Functions:\n${lines.join('\n')}`);
    process.send?.({ ready: true, port: host.port });
    const shutdown = () => void host.close().then(() => process.exit(0));
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  },
  (error: unknown) => {
    const message = (error as Error).message;
    console.error(message);
    // Exit once the parent has the message: an exit right after send() can drop it.
    if (process.send) process.send({ error: message }, () => process.exit(1));
    else process.exit(1);
  },
);
