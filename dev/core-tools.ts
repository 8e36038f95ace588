/**
 * Finding Azure Functions Core Tools (`func`) the way `npm start` and
 * `npm run dev` need it: in the project's `node_modules/.bin` (the optional
 * dependency `azure-functions-core-tools` puts it there when its download
 * works), then on `PATH`.
 *
 * Only the file system is searched; nothing is run, so a missing `func` costs
 * no time and never prints a shell's bare "func: not found".
 *
 * @example
 * ```ts
 * const func = findFunc(projectRoot); // '/app/node_modules/.bin/func', or undefined
 * ```
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What to tell someone who has no `func`: how to get it, and that nothing else is needed. */
export const CORE_TOOLS_HINT =
  'Azure Functions Core Tools were not found (no func in node_modules/.bin or on PATH). ' +
  'Install them with "npm install" where their download is allowed, or from ' +
  'https://learn.microsoft.com/azure/azure-functions/functions-run-local. ' +
  'Until then the built-in development host serves the same functions.';

const NAMES = process.platform === 'win32' ? ['func.cmd', 'func.exe', 'func'] : ['func'];

/** Absolute path of the `func` to run, or undefined when there is none. */
export function findFunc(projectRoot: string, path = process.env.PATH ?? ''): string | undefined {
  const folders = [join(projectRoot, 'node_modules', '.bin'), ...path.split(delimiter).filter(Boolean)];
  for (const folder of folders) {
    for (const name of NAMES) {
      const candidate = join(folder, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
