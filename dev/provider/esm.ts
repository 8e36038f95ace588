/**
 * Loads an ES module from this CommonJS project, under plain Node/tsx and under vitest alike.
 *
 * `tsc` with `module: commonjs` (and tsx/esbuild) rewrite `import(x)` to `require(x)`, which
 * cannot load ESM-only packages such as `oidc-provider` 9 on every Node 20 release. A
 * `Function`-built `import()` is left alone and runs Node's own ESM loader. Vitest, however,
 * evaluates modules in a `vm` context where such an `import()` fails with
 * ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING; there the ordinary `import()` below is what works
 * (vitest rewrites it to its own loader).
 */
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export async function importEsm<T>(specifier: string): Promise<T> {
  try {
    return (await nativeImport(specifier)) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING') throw error;
    return (await import(specifier)) as T;
  }
}
