/**
 * What Azure refuses at deploy time, or a sign-in service should not do,
 * that valid Bicep syntax alone does not show: Flex Consumption's site
 * configuration rules and regions, no CORS (the session routes' cross-site
 * protection relies on it), Cosmos DB's role-assignment lock, and
 * Application Insights keeping client IP addresses.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bicepPaths,
  Expression,
  infraDir,
  isObject,
  parameterDecorators,
  parseBicep,
  propertiesNamed,
  resources,
  type BicepFile,
  type BicepValue,
} from './bicep';

/**
 * siteConfig properties Flex Consumption rejects (ARM error 51021, "… site configuration properties
 * … for Flex Consumption sites is invalid"); sources: microsoft/azure-pipelines-tasks#21032,
 * Azure/terraform-azurerm-avm-res-web-site#360.
 */
const REJECTED_BY_FLEX_CONSUMPTION = [
  'ftpsState',
  'use32BitWorkerProcess',
  'linuxFxVersion',
  'netFrameworkVersion',
  'preWarmedInstanceCount',
  'functionsRuntimeScaleMonitoringEnabled',
];

/** Every key of an object literal, at any depth. */
function keysDeep(value: BicepValue): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysDeep(inner)]);
}

describe('the function app on Flex Consumption', () => {
  let files: BicepFile[];

  beforeAll(async () => {
    files = await Promise.all(bicepPaths().map((path) => parseBicep(path)));
  });

  it('sets no siteConfig property that Flex Consumption rejects', () => {
    const siteConfigs = files.flatMap((file) => propertiesNamed(file, 'siteConfig').map((value) => ({ file: file.path, value })));
    expect(siteConfigs.length).toBeGreaterThan(0);
    for (const { file, value } of siteConfigs) {
      expect(isObject(value), `${file}: siteConfig is an object literal the test can read`).toBe(true);
      const rejected = keysDeep(value).filter((key) => REJECTED_BY_FLEX_CONSUMPTION.includes(key));
      expect(rejected, `${file} sets ${rejected.join(', ')}`).toEqual([]);
    }
  });

  it('sets no health check path: App Service Health check is for Premium and Dedicated plans only (README, "Health probes")', () => {
    const keys = files.flatMap((file) => propertiesNamed(file, 'siteConfig')).flatMap(keysDeep);
    expect(keys).not.toContain('healthCheckPath');
  });

  it('turns alwaysOn off, which the site module would otherwise turn on', () => {
    const [siteConfig] = files.flatMap((file) => propertiesNamed(file, 'siteConfig'));
    expect(siteConfig).toMatchObject({ alwaysOn: false });
  });

  it('allows no other origin (no `cors`, in siteConfig or anywhere): a DELETE from another site meets a preflight nothing allows', () => {
    const [siteConfig] = files.flatMap((file) => propertiesNamed(file, 'siteConfig'));
    expect(keysDeep(siteConfig!)).not.toContain('cors');
    const withCors = files.filter((file) => propertiesNamed(file, 'cors').length > 0).map((file) => file.path);
    expect(withCors, 'the session routes rely on the browser never sending a cross-origin DELETE with the cookie').toEqual([]);
  });

  it('lets azd offer only the regions that have Flex Consumption', async () => {
    const main = await parseBicep(join(infraDir, 'main.bicep'));
    const [allowed] = parameterDecorators(main, 'location').get('allowed') ?? [];
    expect(Array.isArray(allowed)).toBe(true);
    const regions = allowed as BicepValue[];
    expect(regions.length).toBeGreaterThan(20);
    for (const region of regions) expect(region).toMatch(/^[a-z]+[0-9]?$/);
    expect(regions).toEqual(expect.arrayContaining(['eastus', 'westeurope', 'swedencentral', 'australiaeast']));
    // The quickstarts' list has Microsoft's canary region too; ordinary subscriptions cannot deploy there.
    expect(regions).not.toContain('eastus2euap');
    expect(new Set(regions).size).toBe(regions.length);
  });
});

describe('Cosmos DB role assignments', () => {
  it('wait for the database and containers, and for each other', async () => {
    const cosmos = await parseBicep(join(infraDir, 'app/cosmos.bicep'));
    const assignments = resources(cosmos).filter((resource) => resource.type.startsWith('Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@'));
    expect(assignments.map((assignment) => assignment.name)).toEqual(['appDataContributor', 'userDataContributor']);
    const dependsOn = (body: BicepValue) =>
      isObject(body) && Array.isArray(body.dependsOn) ? body.dependsOn.map((item) => (item instanceof Expression ? item.text : String(item))) : [];
    expect(dependsOn(assignments[0]!.body)).toEqual(['database', 'containers']);
    expect(dependsOn(assignments[1]!.body)).toEqual(['database', 'containers', 'appDataContributor']);
  });
});

describe('Application Insights', () => {
  it('masks client IP addresses', async () => {
    const main = await parseBicep(join(infraDir, 'main.bicep'));
    expect(propertiesNamed(main, 'disableIpMasking')).toEqual([false]);
  });
});
