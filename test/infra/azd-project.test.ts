/** azure.yaml and package.json: what azd deploys, and how. What the package holds is tested in test/scripts/bundle.test.ts. */
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
  services?: Record<string, { project?: string; language?: string; host?: string; dist?: string; remoteBuild?: boolean }>;
  hooks?: Record<string, { posix?: HookCommand; windows?: HookCommand }>;
}

const azureYaml = parse(readFileSync(join(repoRoot, 'azure.yaml'), 'utf8')) as AzureYaml;
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main?: string; scripts?: Record<string, string> };

describe('azure.yaml', () => {
  it('names the project the way azd requires', () => {
    expect(azureYaml.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('deploys one TypeScript function app service from the project root', () => {
    expect(Object.keys(azureYaml.services ?? {})).toEqual(['api']);
    expect(azureYaml.services?.api).toMatchObject({ project: '.', language: 'ts', host: 'function' });
  });

  it('deploys the package npm run build writes to dist/app as is, without a remote build', () => {
    const service = azureYaml.services?.api;
    expect(service).toMatchObject({ dist: 'dist/app', remoteBuild: false });
    // azd runs the build script before packaging; the root's main is the deployed bundle, so `func start` runs what ships.
    expect(packageJson.scripts?.build).toMatch(/\bscripts\/bundle\.ts\b/);
    expect(packageJson.main).toMatch(new RegExp(`^${service?.dist}/[^/]+\\.js$`));
  });

  it('has no .funcignore, which azd would read only to refuse remoteBuild: false if it excluded node_modules', () => {
    expect(existsSync(join(repoRoot, '.funcignore'))).toBe(false);
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
