/**
 * The deployed package: every function in one esbuild bundle, and each SDK
 * that `src/` loads on first use in a bundle of its own, written with
 * `host.json`, a dependency-free `package.json` and the functions bundle's
 * source map ({@link FUNCTIONS_SOURCE_MAP}) to `dist/app`. That folder
 * is the whole app: azd zips it as is (azure.yaml `dist`), `func start` loads
 * its bundle through the root package.json's `main`, and it needs no
 * `node_modules`.
 *
 * Why a bundle: the Functions host requires `main` at every cold start, and
 * resolving and reading the 130 files that the tsc output loaded (99 of them
 * from node_modules) cost more than parsing one file (see bench/README.md,
 * "Cold start").
 *
 * What stays lazy: a package that `src/` imports with `import('…')` (the
 * Cosmos DB, Azure Identity and MSAL SDKs) is not inlined. It becomes
 * `sdk/<name>.js`, required on that first use, so `/api/login` never loads
 * the Cosmos SDK and `/api/claims` never loads MSAL. A package imported both
 * ways fails the build, since it would be loaded twice. Inside those SDKs,
 * the packages in {@link DEFERRED_IN_SDKS} are deferred further, to the
 * first use of their exports.
 *
 * `npm run build` runs this after `tsc` has type-checked `src/` (esbuild only
 * strips types). Run directly: `tsx scripts/bundle.ts [outDir]`.
 *
 * @example
 * ```ts
 * const built = await bundleApp({ outDir: 'dist/app' });
 * require(built.main).routeTable; // every registered function
 * ```
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative, sep } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';

const ROOT = join(__dirname, '..');
const SOURCE = join(ROOT, 'src') + sep;

/** The bundle that registers every function; package.json's `main` (relative to the package folder). */
export const MAIN_FILE = 'functions.js';
/** Where the lazily loaded SDKs go, relative to the package folder. */
const SDK_DIRECTORY = 'sdk';
/** Provided by the Functions host's language worker at run time; never in a package. */
const HOST_PROVIDED = ['@azure/functions-core'];

/**
 * Packages an SDK requires as it loads but calls only on paths this app does
 * not take. Each becomes `sdk/<name>.js`, required on the first use of one of
 * its exports instead. jsonwebtoken: MSAL signs client assertions with it
 * (certificate credentials), and this app signs in with a client secret;
 * loading it (with semver, jws and lodash) was half of loading MSAL.
 */
const DEFERRED_IN_SDKS = ['jsonwebtoken'];

export interface BundleOptions {
  /** Default `dist/app`. Emptied first. */
  outDir?: string;
}

export interface BuiltPackage {
  directory: string;
  /** Absolute path of the functions bundle. */
  main: string;
  /** Package name -> absolute path of its bundle, for each package loaded on first use. */
  sdks: Record<string, string>;
  /** Package name -> absolute path of its bundle, for each package deferred inside the SDKs. */
  deferred: Record<string, string>;
  /** Bytes of the functions bundle, and of each SDK bundle. */
  bytes: { main: number; sdks: Record<string, number> };
}

/** The function modules, as the host found them before bundling (one file per function). */
export function functionNames(): string[] {
  return readdirSync(join(ROOT, 'src', 'functions'))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => name.slice(0, -'.ts'.length))
    .sort();
}

/** Requires every function module (each registers itself) and exports the route table for the development host. */
function entrySource(): string {
  return [
    ...functionNames().map((name) => `require('./src/functions/${name}');`),
    `module.exports = { routeTable: require('./src/lib/registry').routeTable };`,
  ].join('\n');
}

/** `@azure/msal-node` -> `sdk/azure-msal-node.js` */
function sdkFile(packageName: string): string {
  return `${SDK_DIRECTORY}/${packageName.replace(/^@/, '').replace(/\//g, '-')}.js`;
}

/** Turns `import('<package>')` in src/ into `require('./sdk/<package>.js')` and records the package. */
function lazyPackages(found: Set<string>): Plugin {
  return {
    name: 'lazy-packages',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind !== 'dynamic-import' || !args.importer.startsWith(SOURCE) || isBuiltin(args.path)) return undefined;
        found.add(args.path);
        return { path: `./${sdkFile(args.path)}`, external: true };
      });
    },
  };
}

/**
 * Stands a proxy in for each of {@link DEFERRED_IN_SDKS} that requires
 * `sdk/<name>.js` on the first use of an export. `__esModule` is answered
 * without loading: bundled ES modules ask for it when they import.
 */
function deferredPackages(found: Set<string>): Plugin {
  const names = new RegExp(`^(${DEFERRED_IN_SDKS.map((name) => name.replaceAll('.', '\\.')).join('|')})$`);
  return {
    name: 'deferred-packages',
    setup(builder) {
      builder.onResolve({ filter: names }, (args) => {
        // Only where the SDK resolves the very copy that sdk/<name>.js is built from.
        if (require.resolve(args.path, { paths: [args.resolveDir] }) !== require.resolve(args.path, { paths: [ROOT] })) return undefined;
        found.add(args.path);
        return { path: args.path, namespace: 'deferred' };
      });
      builder.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
        contents: [
          'let loaded;',
          `const load = () => (loaded ??= require(${JSON.stringify(`./${sdkFile(args.path).slice(SDK_DIRECTORY.length + 1)}`)}));`,
          "module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? undefined : load()[key]) });",
        ].join('\n'),
        loader: 'js',
      }));
      builder.onResolve({ filter: /^\.\/[^/]+\.js$/, namespace: 'deferred' }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/** Each package's own files that ended up in a bundle. */
function inlinedPackages(metafile: Metafile): Set<string> {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input);
    if (match) packages.add(match[1]!);
  }
  return packages;
}

const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // `import()` of a bundled SDK becomes a plain require: no ESM loader on the way.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
  metafile: true,
} as const;

/**
 * A linked source map for the functions bundle, so that a debugger attached to the worker
 * (`func start`, VS Code's *Attach to Node Functions*) stops on breakpoints set in `src/*.ts`: it
 * follows the bundle's last line, `//# sourceMappingURL=functions.js.map`, to the map, whose
 * `sources` are paths relative to it (`../../src/lib/health.ts`). Node reads the map only when
 * started with `--enable-source-maps`, so a cold start does not pay for it.
 *
 * Without `sourcesContent`: the map holds positions and relative paths, no source text, so it
 * ships no code or comment and stays about half the bundle's size; the debugger reads `src/` from
 * the working copy. The SDK bundles get none: nobody sets breakpoints there, esbuild leaves them
 * readable, and their maps would add more than a megabyte to every deployment.
 */
const FUNCTIONS_SOURCE_MAP = { sourcemap: 'linked', sourcesContent: false } as const;

export async function bundleApp(options: BundleOptions = {}): Promise<BuiltPackage> {
  const directory = options.outDir ?? join(ROOT, 'dist', 'app');
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });

  const lazy = new Set<string>();
  const main = join(directory, MAIN_FILE);
  const functions = await build({
    ...COMMON,
    ...FUNCTIONS_SOURCE_MAP,
    stdin: { contents: entrySource(), resolveDir: ROOT, sourcefile: 'functions-entry.js', loader: 'js' },
    outfile: main,
    external: HOST_PROVIDED,
    plugins: [lazyPackages(lazy)],
  });
  const twice = [...inlinedPackages(functions.metafile)].filter((name) => lazy.has(name));
  if (twice.length > 0) {
    throw new Error(`${twice.join(', ')}: imported with import() and also statically; load each SDK one way only, or it ships and loads twice.`);
  }

  const sdks: Record<string, string> = {};
  const sdkBytes: Record<string, number> = {};
  const deferredFound = new Set<string>();
  for (const name of [...lazy].sort()) {
    const file = join(directory, sdkFile(name));
    // The ES module build where there is one: esbuild leaves out what it does not export.
    await build({ ...COMMON, stdin: { contents: `export * from '${name}';`, resolveDir: ROOT, loader: 'js' }, outfile: file, plugins: [deferredPackages(deferredFound)] });
    sdks[name] = file;
    sdkBytes[name] = statSync(file).size;
  }
  const deferred: Record<string, string> = {};
  for (const name of [...deferredFound].sort()) {
    deferred[name] = join(directory, sdkFile(name));
    await build({ ...COMMON, stdin: { contents: `module.exports = require('${name}');`, resolveDir: ROOT, loader: 'js' }, outfile: deferred[name] });
  }

  const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  // No dependencies: everything the app runs is in the bundles, so nothing is installed on Azure.
  const deployedPackage = { name: rootPackage.name, version: rootPackage.version, private: true, type: 'commonjs', main: MAIN_FILE };
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify(deployedPackage, null, 2)}\n`);
  copyFileSync(join(ROOT, 'host.json'), join(directory, 'host.json'));

  return { directory, main, sdks, deferred, bytes: { main: statSync(main).size, sdks: sdkBytes } };
}

if (require.main === module) {
  const outDir = process.argv[2] ? join(process.cwd(), process.argv[2]) : undefined;
  bundleApp({ outDir }).then(
    (built) => {
      const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
      const lines = [`${relative(ROOT, built.main)} ${kib(built.bytes.main)}`];
      for (const [name, file] of Object.entries(built.sdks)) lines.push(`${relative(ROOT, file)} ${kib(built.bytes.sdks[name]!)} (${name}, loaded on first use)`);
      for (const [name, file] of Object.entries(built.deferred)) lines.push(`${relative(ROOT, file)} ${kib(statSync(file).size)} (${name}, loaded on first use inside an SDK)`);
      process.stdout.write(`${lines.join('\n')}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
