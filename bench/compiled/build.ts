/**
 * Builds our app as plain JavaScript, all under bench/results/ (the
 * production build in dist/ is left alone), for the cold-start runs and for
 * serving the functions without tsx:
 *
 * - `tsc/`: the deployed package, compiled by `tsc -p tsconfig.build.json`
 *   exactly as `npm run build` does, plus `tsc/dev/functions-host.js` (the
 *   development host, transpiled) so it can serve those modules over HTTP;
 * - `bundle/`: the same function modules bundled by esbuild into one file,
 *   with the SDKs that src/ imports on first use (`await import('…')`) left
 *   out of the bundle so they stay lazy;
 * - `bundle-without-zod/`: that bundle with `zod` replaced by an inert
 *   stand-in: what loading costs once config.ts no longer needs zod;
 * - `serve.js` (starts that compiled host) and the cold-start probe,
 *   transpiled to plain JS so that no loader hook runs in the measured
 *   processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = join(__dirname, '..', '..');

export interface CompiledApp {
  /** Each requires every compiled function module (as the host's `main` glob does) and exports what the probe needs. */
  entries: { tsc: string; bundle: string; bundleWithoutZod: string };
  /** JavaScript of the app itself (tsc) or of the whole bundle. */
  bytes: { tsc: number; bundle: number; bundleWithoutZod: number };
  /** Packages src/ loads only on first use, kept out of the bundles. */
  lazyPackages: string[];
  /** The development host, compiled; it serves the tsc output. */
  functionsHost: string;
  /** `node serve.js <functionsHost>`: listens on a free port (or PORT) and reports it over IPC. */
  serve: string;
  probe: string;
}

/** `@azure/functions-core` is provided by the Functions host's worker at run time; it is never in the package. */
const HOST_PROVIDED = ['@azure/functions-core'];

function functionModules(): string[] {
  return readdirSync(join(ROOT, 'src', 'functions'))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => name.replace(/\.ts$/, ''));
}

/** Package names that src/ imports with `import('…')`: loaded on first use, so a bundle must not inline them. */
function lazilyImportedPackages(directory = join(ROOT, 'src')): string[] {
  const found = new Set<string>();
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) lazilyImportedPackages(path).forEach((pkg) => found.add(pkg));
    else if (name.endsWith('.ts')) for (const match of readFileSync(path, 'utf8').matchAll(/\bimport\(\s*'([^.'][^']*)'\s*\)/g)) found.add(match[1]!);
  }
  return [...found].sort();
}

/** The body of an entry module: one require per function, then the route table and the classes the probe builds requests with. */
function entrySource(requirePrefix: string): string {
  return [
    ...functionModules().map((name) => `require('${requirePrefix}/functions/${name}');`),
    `module.exports = { routeTable: require('${requirePrefix}/lib/registry').routeTable, HttpRequest: require('@azure/functions').HttpRequest, InvocationContext: require('@azure/functions').InvocationContext };`,
  ].join('\n');
}

const stubZod: Plugin = {
  name: 'stub-zod',
  setup(builder) {
    builder.onResolve({ filter: /^zod$/ }, () => ({ path: 'zod', namespace: 'stub' }));
    builder.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'const inert = new Proxy(function () {}, { get: () => inert, apply: () => inert, construct: () => inert }); module.exports = { z: inert };',
      loader: 'js',
    }));
  },
};

async function bundle(outfile: string, external: string[], plugins: Plugin[] = []): Promise<number> {
  await build({
    stdin: { contents: entrySource('./src'), resolveDir: ROOT, sourcefile: 'functions-entry.js', loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    external,
    plugins,
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

/** One file to CommonJS, as tsc would emit it: `import()` becomes `require()` (Node's import() would want file extensions). */
async function transpile(source: string, outfile: string): Promise<string> {
  await build({ entryPoints: [source], outfile, platform: 'node', target: 'node20', format: 'cjs', supported: { 'dynamic-import': false }, logLevel: 'error' });
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
  writeFileSync(tscEntry, `${entrySource('./src')}\n`);
  const functionsHost = await transpile(join(ROOT, 'dev', 'functions-host.ts'), join(tscOut, 'dev', 'functions-host.js'));

  const lazyPackages = lazilyImportedPackages();
  const bundleEntry = join(outDir, 'bundle', 'entry.js');
  const bundleWithoutZodEntry = join(outDir, 'bundle-without-zod', 'entry.js');
  const bundleBytes = await bundle(bundleEntry, [...HOST_PROVIDED, ...lazyPackages]);
  const bundleWithoutZodBytes = await bundle(bundleWithoutZodEntry, [...HOST_PROVIDED, ...lazyPackages], [stubZod]);

  return {
    entries: { tsc: tscEntry, bundle: bundleEntry, bundleWithoutZod: bundleWithoutZodEntry },
    bytes: { tsc: directoryBytes(join(tscOut, 'src', 'functions')) + directoryBytes(join(tscOut, 'src', 'lib')), bundle: bundleBytes, bundleWithoutZod: bundleWithoutZodBytes },
    lazyPackages,
    functionsHost,
    serve: await transpile(join(__dirname, 'serve.ts'), join(outDir, 'serve.js')),
    probe: await transpile(join(__dirname, '..', 'cold-start', 'probe.ts'), join(outDir, 'probe.js')),
  };
}
