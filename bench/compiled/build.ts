/**
 * Builds our app as plain JavaScript, all under bench/results/ (dist/ is left
 * alone), for the cold-start runs and for serving the functions without tsx:
 *
 * - `app/`: the deployed package, made by `scripts/bundle.ts` exactly as
 *   `npm run build` makes dist/app (the functions bundle, one bundle per SDK
 *   loaded on first use);
 * - `tsc/`: `src/` compiled by `tsc -p tsconfig.build.json`, the package as
 *   it was deployed before bundling (its packages resolved in node_modules),
 *   for comparison, plus `tsc/dev/functions-host.js` (the development host,
 *   transpiled), which serves either over HTTP;
 * - `serve.js` (starts that compiled host), and for the cold-start runs the
 *   probe and `worker-host.js` (a package served through the Functions
 *   worker stand-in), as plain JS so that no loader hook runs in the
 *   measured processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleApp, functionNames } from '../../scripts/bundle';

const ROOT = join(__dirname, '..', '..');

export interface CompiledApp {
  /** Each loads every function module, as the host does with package.json's `main`. */
  entries: { tsc: string; deployed: string };
  /** JavaScript of the app itself (tsc), or of the functions bundle. */
  bytes: { tsc: number; deployed: number };
  /** Package name -> what the first request needing it loads: the deployed package's SDK bundle, and the installed package. */
  sdks: Array<{ name: string; deployed: string; installed: string; deployedBytes: number }>;
  /** The development host, compiled; it serves the tsc output, or the route table of a `main` given to `serve`. */
  functionsHost: string;
  /** `node serve.js <functionsHost> [main]`: listens on a free port (or PORT) and reports it over IPC. */
  serve: string;
  /** `node worker-host.js <main>`: a package served through the worker stand-in, for the cold-start runs. */
  workerHost: string;
  probe: string;
}

/**
 * One file to CommonJS, as tsc would emit it: `import()` becomes `require()` (Node's import() would
 * want file extensions). `inline` also bundles the project files it imports (the probe uses a test
 * helper); packages always stay in node_modules.
 */
async function transpile(source: string, outfile: string, inline = false): Promise<string> {
  await build({
    entryPoints: [source],
    outfile,
    ...(inline ? { bundle: true, packages: 'external' as const } : {}),
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    supported: { 'dynamic-import': false },
    logLevel: 'error',
  });
  return outfile;
}

function directoryBytes(directory: string): number {
  let total = 0;
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    total += statSync(path).isDirectory() ? directoryBytes(path) : name.endsWith('.js') ? statSync(path).size : 0;
  }
  return total;
}

export async function buildCompiledApp(outDir: string): Promise<CompiledApp> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const tscOut = join(outDir, 'tsc');
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', tscOut], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  // Type errors still emit JavaScript (others may be mid-change in src/): measure it, but say so.
  if (tsc.status !== 0) {
    if (!existsSync(join(tscOut, 'src', 'lib', 'registry.js'))) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    process.stderr.write(`  ! tsc reported errors; measuring the JavaScript it emitted anyway:\n${tsc.stdout}\n`);
  }
  const tscEntry = join(tscOut, 'entry.js');
  writeFileSync(
    tscEntry,
    [...functionNames().map((name) => `require('./src/functions/${name}');`), `module.exports = { routeTable: require('./src/lib/registry').routeTable };`, ''].join('\n'),
  );

  const deployed = await bundleApp({ outDir: join(outDir, 'app') });

  return {
    entries: { tsc: tscEntry, deployed: deployed.main },
    bytes: {
      tsc: directoryBytes(join(tscOut, 'src', 'functions')) + directoryBytes(join(tscOut, 'src', 'lib')),
      deployed: deployed.bytes.main,
    },
    sdks: Object.entries(deployed.sdks).map(([name, file]) => ({ name, deployed: file, installed: require.resolve(name), deployedBytes: deployed.bytes.sdks[name]! })),
    functionsHost: await transpile(join(ROOT, 'dev', 'functions-host.ts'), join(tscOut, 'dev', 'functions-host.js')),
    serve: await transpile(join(__dirname, 'serve.ts'), join(outDir, 'serve.js')),
    workerHost: await transpile(join(__dirname, '..', 'cold-start', 'worker-host.ts'), join(outDir, 'worker-host.js'), true),
    probe: await transpile(join(__dirname, '..', 'cold-start', 'probe.ts'), join(outDir, 'probe.js'), true),
  };
}
