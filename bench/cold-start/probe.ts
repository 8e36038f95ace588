/**
 * Runs in a fresh `node` process (compiled to plain JS first: no tsx, no
 * loader hooks, as on Azure). Requires one entry that loads every function
 * module, optionally invokes the login function once, and prints one JSON
 * line of timings counted from the process's own start (`performance.now()`
 * is relative to it) plus the CPU time used so far, which other load on the
 * machine disturbs less than wall time.
 *
 * Usage: node probe.js <entry.js> [--login] [--stub=<package>]…
 *   --login       also run the login handler once (needs the app's settings in the environment)
 *   --stub=zod    answer require('zod') with an inert stand-in: what loading costs without that package
 */
import Module from 'node:module';

const startedMs = performance.now();
const args = process.argv.slice(2);
const entry = args.find((arg) => !arg.startsWith('--'));
const stubs = new Set(args.filter((arg) => arg.startsWith('--stub=')).map((arg) => arg.slice('--stub='.length)));

if (stubs.size > 0) {
  // Any property or call on the stand-in returns the stand-in, so module-level schema building runs through.
  const inert: unknown = new Proxy(function inert() {}, { get: () => inert, apply: () => inert, construct: () => inert as object });
  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    return stubs.has(request) ? { z: inert, default: inert } : load.call(this, request, parent, isMain);
  };
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

interface Loaded {
  routeTable: Array<{ name: string; run: (request: unknown, context: unknown) => Promise<{ status?: number }> }>;
  HttpRequest: new (init: { method: string; url: string }) => unknown;
  InvocationContext: new (init: { invocationId: string; functionName: string; logHandler: () => void }) => unknown;
}

async function main() {
  if (!entry) throw new Error('usage: node probe.js <entry.js> [--login] [--stub=<package>]');
  const loaded = require(entry) as Loaded;
  const result: Record<string, number | string> = { startedMs, modulesLoadedMs: performance.now(), modulesLoadedCpuMs: cpuMs() };
  if (args.includes('--login')) {
    const login = loaded.routeTable.find((route) => route.name === 'login');
    if (!login) throw new Error('no login function in the route table');
    const origin = new URL(process.env.REDIRECT_URI ?? 'http://localhost:7071/api/redirect').origin;
    const response = await login.run(
      new loaded.HttpRequest({ method: 'GET', url: `${origin}/api/login` }),
      new loaded.InvocationContext({ invocationId: 'cold-start', functionName: 'login', logHandler: () => undefined }),
    );
    Object.assign(result, { firstLoginMs: performance.now(), firstLoginCpuMs: cpuMs(), loginStatus: response.status ?? 200 });
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
