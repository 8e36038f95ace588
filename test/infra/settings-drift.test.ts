/**
 * Keeps infra/ in step with the settings the app reads (src/lib/config.ts) and
 * with the Cosmos DB layout the code assumes (src/lib/cosmos.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, settingsSchema } from '../../src/lib/config';
import { INDEXING_POLICY, PARTITION_KEY_PATH } from '../../src/lib/cosmos';
import {
  Expression,
  infraDir,
  isObject,
  parameterDecorators,
  parameterDefault,
  parseBicep,
  propertiesNamed,
  variable,
  type BicepFile,
  type BicepValue,
} from './bicep';

type SettingName = keyof typeof settingsSchema;
const schemaNames = Object.keys(settingsSchema) as SettingName[];
const isSettingName = (name: string): name is SettingName => name in settingsSchema;

/** Settings the Functions platform and SDKs read, not the app's schema. */
const PLATFORM_SETTING = /^(AzureWebJobsStorage__\w+|APPLICATIONINSIGHTS_[A-Z_]+|FUNCTIONS_[A-Z_]+|AZURE_CLIENT_ID)$/;

/**
 * Settings the user brings, since External ID has no subscription to deploy into: each comes from
 * the azd variable of the same name through a main.bicep parameter.
 */
const USER_SUPPLIED: Partial<Record<SettingName, string>> = {
  TENANT_SUBDOMAIN: 'tenantSubdomain',
  CLIENT_ID: 'clientId',
  CLIENT_SECRET: 'clientSecret',
};

/** Optional in the schema but wrong on Azure if left to the local defaults. */
const NEEDED_ON_AZURE: SettingName[] = [
  'TENANT_SUBDOMAIN',
  'REDIRECT_URI',
  'POST_LOGOUT_REDIRECT_URI',
  'COSMOS_DATABASE',
  'COSMOS_SESSIONS_CONTAINER',
  'COSMOS_CREATE_IF_MISSING',
];

const MINIMAL_ENV = {
  TENANT_SUBDOMAIN: 'contoso',
  CLIENT_ID: '00000000-0000-0000-0000-000000000001',
  CLIENT_SECRET: 'client-secret',
  COOKIE_SECRETS: 'c'.repeat(32),
  COSMOS_ENDPOINT: 'https://cosmos.documents.azure.com:443/',
};

const parameters = JSON.parse(readFileSync(join(infraDir, 'main.parameters.json'), 'utf8')) as {
  parameters: Record<string, { value: unknown }>;
};

function objectVariable(file: BicepFile, name: string): { [key: string]: BicepValue } {
  const value = variable(file, name);
  if (!isObject(value)) throw new Error(`var ${name} in ${file.path} is not an object literal`);
  return value;
}

function expressionText(value: BicepValue | undefined): string {
  if (!(value instanceof Expression)) throw new Error(`expected an expression, got ${JSON.stringify(value)}`);
  return value.text;
}

describe('app settings in infra/main.bicep', () => {
  let main: BicepFile;
  let appSettings: { [key: string]: BicepValue };
  let optionalAppSettings: { [key: string]: BicepValue };
  let platformSettings: { [key: string]: BicepValue };
  let names: string[];

  beforeAll(async () => {
    main = await parseBicep(join(infraDir, 'main.bicep'));
    appSettings = objectVariable(main, 'appSettings');
    optionalAppSettings = objectVariable(main, 'optionalAppSettings');
    platformSettings = objectVariable(main, 'platformSettings');
    names = [...Object.keys(appSettings), ...Object.keys(optionalAppSettings), ...Object.keys(platformSettings)];
  });

  it('applies all three groups to the function app', () => {
    const applied = propertiesNamed(main, 'appSettings').map((value) => (value instanceof Expression ? value.text : ''));
    expect(applied).toContain('union(appSettings, setOptionalAppSettings, platformSettings)');
    expect(expressionText(variable(main, 'setOptionalAppSettings'))).toContain('items(optionalAppSettings)');
  });

  it('sets every setting the schema requires, or has the user supply it', () => {
    const required = schemaNames.filter((name) => !settingsSchema[name].read(undefined).ok);
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) {
      expect(name in appSettings || name in USER_SUPPLIED, `${name} is required by settingsSchema`).toBe(true);
    }
  });

  it('sets the settings whose local defaults would be wrong on Azure', () => {
    for (const name of NEEDED_ON_AZURE) expect(Object.keys(appSettings)).toContain(name);
  });

  it('names only settings the app or the platform reads', () => {
    const unknown = names.filter((name) => !isSettingName(name) && !PLATFORM_SETTING.test(name));
    expect(unknown).toEqual([]);
  });

  it('keeps app settings and platform settings apart', () => {
    for (const name of [...Object.keys(appSettings), ...Object.keys(optionalAppSettings)]) expect(isSettingName(name)).toBe(true);
    for (const name of Object.keys(platformSettings)) expect(name).toMatch(PLATFORM_SETTING);
  });

  it('uses Entra ID for Cosmos DB, storage and telemetry instead of keys', () => {
    expect(names).not.toContain('COSMOS_KEY');
    expect(names).not.toContain('AzureWebJobsStorage');
    expect(names).not.toContain('APPINSIGHTS_INSTRUMENTATIONKEY');
    expect(platformSettings.AzureWebJobsStorage__credential).toBe('managedidentity');
    expect(expressionText(platformSettings.AzureWebJobsStorage__clientId)).toBe('apiIdentity.outputs.clientId');
    expect(expressionText(platformSettings.AZURE_CLIENT_ID)).toBe('apiIdentity.outputs.clientId');
    expect(expressionText(platformSettings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING)).toBe(
      "'Authorization=AAD;ClientId=${apiIdentity.outputs.clientId}'",
    );
  });

  it('does not set what Flex Consumption configures itself', () => {
    expect(names).not.toContain('FUNCTIONS_WORKER_RUNTIME');
    expect(names).not.toContain('FUNCTIONS_EXTENSION_VERSION');
  });

  it('turns off container creation, which the data-plane role cannot do', () => {
    expect(appSettings.COSMOS_CREATE_IF_MISSING).toBe('false');
    expect(settingsSchema.COSMOS_CREATE_IF_MISSING.read(String(appSettings.COSMOS_CREATE_IF_MISSING))).toEqual({ ok: true, value: false });
  });

  it('passes secrets only as Key Vault references', () => {
    for (const name of ['CLIENT_SECRET', 'COOKIE_SECRETS']) {
      expect(expressionText(appSettings[name])).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=\$\{keyVault\.outputs\.uri\}secrets\/\$\{secretNames\.\w+\}\)'$/);
    }
  });

  it('points the redirect URIs at the deployed app over https', () => {
    expect(expressionText(appSettings.REDIRECT_URI)).toBe("'${appUrl}/api/redirect'");
    expect(expressionText(appSettings.POST_LOGOUT_REDIRECT_URI)).toBe("'${appUrl}/api/home'");
    expect(expressionText(variable(main, 'appUrl'))).toBe("'https://${api.outputs.defaultHostname}'");
  });

  it('writes optional settings only from same-named azd variables, and an empty one keeps the default', () => {
    for (const [name, value] of Object.entries(optionalAppSettings)) {
      expect(isSettingName(name) && settingsSchema[name].read(undefined).ok, `${name} is optional`).toBe(true);
      expect(isSettingName(name) && settingsSchema[name].read('').ok, `${name} accepts ''`).toBe(true);
      const parameter = expressionText(value);
      expect(parameters.parameters[parameter]?.value, `main.parameters.json maps ${parameter}`).toBe(`\${${name}}`);
      expect(parameterDefault(main, parameter)).toBe("''");
    }
  });

  it('takes each user-supplied setting from its azd variable, with no default to fall back on', () => {
    for (const [name, parameter] of Object.entries(USER_SUPPLIED)) {
      expect(parameters.parameters[parameter]?.value, `${parameter} comes from \${${name}}`).toBe(`\${${name}}`);
      expect(parameterDefault(main, parameter), `${parameter} has no default`).toBeUndefined();
    }
    expect(expressionText(appSettings.TENANT_SUBDOMAIN)).toBe('tenantSubdomain');
    expect(expressionText(appSettings.CLIENT_ID)).toBe('clientId');
  });

  it('keeps the client secret secure and in Key Vault', () => {
    expect(parameterDecorators(main, 'clientSecret').has('secure')).toBe(true);
    const [secrets] = propertiesNamed(main, 'secrets');
    expect(Array.isArray(secrets) && secrets.map((secret) => isObject(secret) && expressionText(secret.value))).toEqual([
      'clientSecret',
      'cookieSecrets',
    ]);
  });

  it('generates the cookie secret once with azd, long enough for the app', () => {
    const decorators = parameterDecorators(main, 'cookieSecrets');
    expect(decorators.has('secure')).toBe(true);
    expect(parameterDefault(main, 'cookieSecrets')).toBeUndefined();
    const [metadata] = decorators.get('metadata') ?? [];
    // No special characters: the value is a comma-separated list that users paste into shells to rotate it.
    expect(metadata).toMatchObject({ azd: { type: 'generate', config: { noSpecial: true } } });
    const length = (metadata as { azd: { config: { length: unknown } } }).azd.config.length;
    expect(length).toBeGreaterThanOrEqual(32);
    // Rotation goes through the same parameter: azd env set COOKIE_SECRETS "<new>,<current>".
    expect(parameters.parameters.cookieSecrets?.value).toBe('${COOKIE_SECRETS}');
  });
});

describe('Cosmos DB layout', () => {
  const defaults = loadConfig(MINIMAL_ENV).cosmos;
  let main: BicepFile;
  let cosmos: BicepFile;

  beforeAll(async () => {
    main = await parseBicep(join(infraDir, 'main.bicep'));
    cosmos = await parseBicep(join(infraDir, 'app/cosmos.bicep'));
  });

  it('creates the database and the one container under the names the app defaults to', () => {
    expect(variable(main, 'cosmosNames')).toEqual({
      database: defaults.database,
      sessionsContainer: defaults.sessionsContainer,
    });
    const [containerNames] = propertiesNamed(main, 'containerNames');
    expect(Array.isArray(containerNames) && containerNames.map(expressionText)).toEqual(['cosmosNames.sessionsContainer']);
  });

  it('partitions the container by the user key the code reads and writes with', () => {
    const partitionKeys = propertiesNamed(cosmos, 'partitionKey');
    expect(partitionKeys).toEqual([{ paths: [PARTITION_KEY_PATH], kind: 'Hash', version: 2 }]);
  });

  it('turns TTL on so items expire by their own ttl, and indexes exactly what the code queries', () => {
    expect(propertiesNamed(cosmos, 'defaultTtl')).toEqual([-1]);
    expect(propertiesNamed(cosmos, 'indexingPolicy')).toEqual([JSON.parse(JSON.stringify(INDEXING_POLICY))]);
  });

  it('is serverless and accepts Entra ID only', () => {
    expect(propertiesNamed(cosmos, 'capabilities')).toEqual([[{ name: 'EnableServerless' }]]);
    expect(propertiesNamed(cosmos, 'disableLocalAuth')).toEqual([true]);
  });

  it('grants the built-in Data Contributor role to the app and the deployer', () => {
    expect(variable(cosmos, 'dataContributorRoleId')).toBe('00000000-0000-0000-0000-000000000002');
    expect(propertiesNamed(cosmos, 'principalId').map(expressionText)).toEqual(['appPrincipalId', 'userPrincipalId']);
  });
});
