import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bicepPaths, calls, infraDir, moduleSources, parseBicep, syntaxErrors, type BicepFile } from './bicep';

const paths = bicepPaths();

describe('infra/**/*.bicep', () => {
  let files: BicepFile[];

  beforeAll(async () => {
    files = await Promise.all(paths.map(parseBicep));
  });

  it('finds the entry point and its modules', () => {
    expect(files.map((file) => file.path)).toEqual(
      expect.arrayContaining(['infra/main.bicep', 'infra/app/api.bicep', 'infra/app/cosmos.bicep', 'infra/app/app-settings.bicep']),
    );
  });

  it.each(paths.map((path) => [path.slice(infraDir.length + 1), path]))('%s parses without syntax errors', async (_name, path) => {
    expect(syntaxErrors(await parseBicep(path))).toEqual([]);
  });

  it('deploys at subscription scope, creating the resource group', () => {
    const main = readFileSync(`${infraDir}/main.bicep`, 'utf8');
    expect(main).toMatch(/^targetScope = 'subscription'$/m);
    expect(main).toMatch(/^resource \w+ 'Microsoft\.Resources\/resourceGroups@[\d-]+' = \{$/m);
  });

  it('pins every registry module to an Azure Verified Modules version', () => {
    const sources = files.flatMap(moduleSources).filter((source) => !source.endsWith('.bicep'));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source).toMatch(/^br\/public:avm\/(res|ptn|utl)\/[a-z0-9/-]+:\d+\.\d+\.\d+$/);
  });

  it('never generates a secret per deployment', () => {
    // A newGuid() default would replace the cookie secret on every `azd provision`, signing everyone out.
    for (const file of files) expect(calls(file, 'newGuid')).toEqual([]);
    // The check itself works: it sees calls, not comments.
    expect(calls(files.find((file) => file.path === 'infra/main.bicep')!, 'deployer')).toEqual(['deployer()']);
  });
});
