/**
 * Runs in a fresh `node` process (compiled to plain JS first: no tsx, no
 * loader hooks, as on Azure). Stands in for the Functions worker
 * (dev/functions-worker.ts: the app's `@azure/functions` registers
 * with it as on Azure), requires one `main`, optionally loads more modules
 * or invokes the login function through the worker, and prints one JSON line
 * of timings counted from the process's own start (`performance.now()` is
 * relative to it) plus the CPU time used so far, which other load on the
 * machine disturbs less than wall time.
 *
 * Usage: node probe.js <main.js> [--then=<module>]… [--login]
 *   --then=<module>  after main, require this too and time it (what the first request needing an SDK pays)
 *   --login          then run the start hooks and the login function once (needs the app's settings in the environment)
 */
import { FunctionsWorker } from '../../dev/functions-worker';

const startedMs = performance.now();
const args = process.argv.slice(2);
const entry = args.find((arg) => !arg.startsWith('--'));
const option = (name: string) => args.filter((arg) => arg.startsWith(`--${name}=`)).map((arg) => arg.slice(name.length + 3));
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function run() {
  if (!entry) throw new Error('usage: node probe.js <main.js> [--then=<module>]… [--login]');
  const worker = FunctionsWorker.install();
  worker.load(entry);
  const result: Record<string, number | string> = { startedMs, modulesLoadedMs: performance.now(), modulesLoadedCpuMs: cpuMs() };
  for (const module of option('then')) {
    const started = performance.now();
    worker.load(module);
    result[`then:${module}`] = performance.now() - started;
  }
  if (args.includes('--login')) {
    await worker.start();
    const origin = new URL(process.env.REDIRECT_URI ?? 'http://localhost:7071/api/redirect').origin;
    const response = await worker.invoke('login', { url: `${origin}/api/login` });
    Object.assign(result, { firstLoginMs: performance.now(), firstLoginCpuMs: cpuMs(), loginStatus: Number(response.statusCode) });
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

run().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
