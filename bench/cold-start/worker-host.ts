/**
 * Serves a package's functions over HTTP the way the Functions host and its
 * language worker run them, for the cold-start runs: `main` loaded through
 * the worker stand-in (dev/functions-worker.ts), the app's start
 * hooks run before it listens (settings are validated there), and each
 * request invoked through the app's own programming model with the
 * invocation hooks around it. No gRPC and no host process: what is left is
 * the app's own start-up and first requests. Runs compiled to plain JS in a
 * fresh `node` process; tells the parent over IPC when it listens. Each
 * answer carries the process's CPU time so far (`X-Process-Cpu-Ms`), which
 * other load on the machine disturbs much less than wall time.
 *
 * Usage: node worker-host.js <main.js>
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FunctionsWorker, type WorkerHttpResponse } from '../../dev/functions-worker';

const packageMain = process.argv[2];

interface Route {
  name: string;
  path: string;
  methods: string[];
}

function routesOf(worker: FunctionsWorker): Route[] {
  return [...worker.functions.values()].flatMap(({ metadata }) =>
    Object.values(metadata.bindings)
      .filter((binding) => binding.type === 'httpTrigger')
      .map((binding) => ({ name: metadata.name, path: `/api/${binding.route ?? metadata.name}`, methods: binding.methods ?? ['GET'] })),
  );
}

function cookieHeader(cookie: WorkerHttpResponse['cookies'][number]): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  if (cookie.maxAge?.value !== undefined) parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite && cookie.sameSite !== 'none') parts.push(`SameSite=${cookie.sameSite === 'explicitNone' ? 'None' : cookie.sameSite}`);
  return parts.join('; ');
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function answer(worker: FunctionsWorker, routes: Route[], incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? 'localhost'}`);
  const route = routes.find((candidate) => candidate.path === url.pathname && candidate.methods.includes(incoming.method ?? 'GET'));
  if (!route) {
    outgoing.writeHead(404).end();
    return;
  }
  const headers = Object.fromEntries(Object.entries(incoming.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
  const response = await worker.invoke(route.name, { method: incoming.method, url: url.href, headers });
  for (const [name, value] of Object.entries(response.headers)) outgoing.setHeader(name, value);
  if (response.cookies.length > 0) outgoing.setHeader('Set-Cookie', response.cookies.map(cookieHeader));
  outgoing.setHeader('X-Process-Cpu-Ms', cpuMs().toFixed(2));
  outgoing.writeHead(Number(response.statusCode));
  outgoing.end(response.body?.bytes ? Buffer.from(response.body.bytes) : response.body?.string);
}

async function serve() {
  if (!packageMain) throw new Error('usage: node worker-host.js <main.js>');
  const worker = FunctionsWorker.install();
  worker.load(packageMain);
  await worker.start();
  const routes = routesOf(worker);
  const server = createServer((incoming, outgoing) => {
    answer(worker, routes, incoming, outgoing).catch((error: unknown) => {
      process.stderr.write(`worker host: ${(error as Error).stack}\n`);
      if (!outgoing.headersSent) outgoing.writeHead(500);
      outgoing.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send?.({ ready: true, port: (server.address() as AddressInfo).port, cpuMs: cpuMs() });
  // The bench going away, however it ends, takes this host with it.
  process.on('disconnect', () => process.exit(0));
}

serve().catch((error: unknown) => {
  process.send?.({ error: (error as Error).message });
  process.exit(1);
});
