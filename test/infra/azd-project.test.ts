/** azure.yaml and .funcignore: what azd deploys, and how. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './bicep';

interface HookCommand {
  shell?: string;
  run?: string;
}

interface AzureYaml {
  name?: string;
  services?: Record<string, { project?: string; language?: string; host?: string; remoteBuild?: boolean }>;
  hooks?: Record<string, { posix?: HookCommand; windows?: HookCommand }>;
}

const azureYaml = parse(readFileSync(join(repoRoot, 'azure.yaml'), 'utf8')) as AzureYaml;
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main?: string; scripts?: Record<string, string> };

/**
 * The subset of gitignore rules .funcignore uses, as azd applies them: a leading or inner slash
 * anchors a pattern to the root, a trailing slash matches directories only, `*` stays within a
 * path segment, `!` re-includes, the last matching rule wins, and an excluded directory excludes
 * everything below it.
 */
function ignoreRules(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      let pattern = negated ? line.slice(1) : line;
      const directoryOnly = pattern.endsWith('/');
      if (directoryOnly) pattern = pattern.slice(0, -1);
      const anchored = pattern.includes('/');
      if (pattern.startsWith('/')) pattern = pattern.slice(1);
      const source = pattern
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) =>
          part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      return { negated, directoryOnly, anchored, regex: new RegExp(`^${source}$`) };
    });

  const matches = (path: string, isDirectory: boolean): boolean | undefined => {
    let result: boolean | undefined;
    const name = path.slice(path.lastIndexOf('/') + 1);
    for (const rule of rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.regex.test(rule.anchored ? path : name)) result = !rule.negated;
    }
    return result;
  };

  return (path) => {
    const segments = path.replace(/\/$/, '').split('/');
    for (let index = 1; index <= segments.length; index++) {
      const isDirectory = index < segments.length || path.endsWith('/');
      if (matches(segments.slice(0, index).join('/'), isDirectory)) return true;
    }
    return false;
  };
}

const excluded = ignoreRules(readFileSync(join(repoRoot, '.funcignore'), 'utf8'));

describe('azure.yaml', () => {
  it('names the project the way azd requires', () => {
    expect(azureYaml.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('deploys one TypeScript function app service from the project root', () => {
    expect(Object.keys(azureYaml.services ?? {})).toEqual(['api']);
    expect(azureYaml.services?.api).toMatchObject({ project: '.', language: 'ts', host: 'function' });
  });

  it('builds remotely, which azd allows only when .funcignore excludes node_modules', () => {
    expect(azureYaml.services?.api?.remoteBuild).toBe(true);
    expect(excluded('node_modules/')).toBe(true);
  });

  it('runs the postprovision hook with sh on posix and pwsh on Windows', () => {
    const hook = azureYaml.hooks?.postprovision;
    expect(hook?.posix?.shell).toBe('sh');
    expect(hook?.windows?.shell).toBe('pwsh');
    for (const command of [hook?.posix?.run, hook?.windows?.run]) {
      expect(command).toBeTruthy();
      expect(existsSync(join(repoRoot, command ?? ''))).toBe(true);
    }
  });
});

describe('.funcignore', () => {
  it.each(['test/', 'test/infra/bicep.ts', 'dev/', 'bench/', 'infra/', 'infra/main.bicep', 'README.md'])(
    'leaves out %s',
    (path) => expect(excluded(path)).toBe(true),
  );

  it.each(['local.settings.json', 'local.settings.example.json', '.git/config', '.azure/dev/.env', 'coverage/index.html', 'vitest.config.mts'])(
    'leaves out %s',
    (path) => expect(excluded(path)).toBe(true),
  );

  it('leaves out dependencies and local build output, which the remote build recreates on Linux', () => {
    expect(excluded('node_modules/@azure/cosmos/package.json')).toBe(true);
    expect(excluded('dist/src/functions/login.js')).toBe(true);
  });

  it.each(['package.json', 'package-lock.json', 'host.json', 'tsconfig.json', 'tsconfig.build.json', 'src/functions/login.ts', 'src/lib/config.ts'])(
    'keeps %s, which the remote `npm install` and `npm run build` need',
    (path) => expect(excluded(path)).toBe(false),
  );

  it('keeps what the build script compiles and where "main" points', () => {
    expect(packageJson.scripts?.build).toBe('tsc -p tsconfig.build.json');
    expect(packageJson.main).toMatch(/^dist\//);
    const buildConfig = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as { include?: string[] };
    for (const included of buildConfig.include ?? []) expect(excluded(`${included}/`)).toBe(false);
  });

  it('is read the way git reads it', () => {
    // The matcher itself: anchoring, directory-only rules and basename rules.
    const rules = ignoreRules('/only-root/\nanywhere/\n*.log\n!keep.log\ndir-only/');
    expect(rules('only-root/x')).toBe(true);
    expect(rules('src/only-root/x')).toBe(false);
    expect(rules('src/anywhere/x')).toBe(true);
    expect(rules('a/b.log')).toBe(true);
    expect(rules('a/keep.log')).toBe(false);
    expect(rules('dir-only')).toBe(false);
  });
});
