/**
 * package.json and its lockfile: what `npm install`, `npm ci` and `npm start`
 * do on a new machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

interface PackageJson {
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

interface LockEntry {
  version?: string;
  optional?: boolean;
  dev?: boolean;
  hasInstallScript?: boolean;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/** "node_modules/a/node_modules/@scope/b" -> "@scope/b" */
const packageName = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('Azure Functions Core Tools', () => {
  it('are an optional dependency, so a failed download of func never fails npm install or npm ci', () => {
    expect(pkg.optionalDependencies?.['azure-functions-core-tools']).toMatch(/^\^4\./);
    expect(pkg.dependencies['azure-functions-core-tools']).toBeUndefined();
    expect(pkg.devDependencies['azure-functions-core-tools']).toBeUndefined();
    // npm ci drops an optional package whose install script fails only when the lockfile marks it optional.
    expect(lock.packages['node_modules/azure-functions-core-tools']).toMatchObject({ optional: true, hasInstallScript: true });
  });

  it('are looked for by npm start after the build, which falls back to the built-in host', () => {
    expect(pkg.scripts.prestart).toBe('npm run build');
    expect(pkg.scripts.start).toBe('tsx dev/start-functions.ts');
  });
});

describe('install scripts', () => {
  it('are all listed in allowScripts, so a strict npm still installs the project', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
      .map(([path]) => packageName(path));
    expect(withScripts).toEqual(expect.arrayContaining(['azure-functions-core-tools', 'esbuild', 'msw', 'tree-sitter-bicep']));
    for (const name of withScripts) expect(pkg.allowScripts?.[name], `${name} runs an install script`).toBe(true);
  });

  it('lists no package the project does not install', () => {
    const installed = new Set(Object.keys(lock.packages).map(packageName));
    for (const name of Object.keys(pkg.allowScripts ?? {})) expect(installed.has(name), name).toBe(true);
  });
});

describe('Node versions', () => {
  const ranges = pkg.engines.node.split('||').map((range) => range.trim());
  /** Whether engines accepts `version`; its ranges are `^x.y.z` (that major only) and `>=x.y.z`. */
  const accepts = (version: string) =>
    ranges.some((range) => {
      const [, operator, ...least] = /^(\^|>=)(\d+)\.(\d+)\.(\d+)$/.exec(range) ?? [];
      if (!operator) throw new Error(`engines holds a range this test does not read: ${range}`);
      const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
      const [leastMajor, leastMinor, leastPatch] = least.map(Number) as [number, number, number];
      const atLeast = major !== leastMajor ? major > leastMajor : minor !== leastMinor ? minor > leastMinor : patch >= leastPatch;
      return atLeast && (operator === '>=' || major === leastMajor);
    });

  it('are 20 from 20.19, and 22.12 or later (Node 24, the current LTS, too), the one running the tests included', () => {
    for (const version of ['20.19.0', '20.20.2', '22.12.0', '22.21.1', '24.0.0', '24.11.1', process.versions.node]) {
      expect(accepts(version), version).toBe(true);
    }
    for (const version of ['18.20.8', '20.18.3', '21.7.3', '22.11.0']) expect(accepts(version), version).toBe(false);
  });
});
