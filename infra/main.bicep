targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it names the resource group and seeds the unique suffix of every resource name.')
param environmentName string

// The regions that offer Flex Consumption, as the Azure Functions quickstarts list them (without
// their canary region, eastus2euap, which ordinary subscriptions cannot use). azd offers only these.
// Azure adds regions over time: az functionapp list-flexconsumption-locations --output table
@minLength(1)
@description('Region for every resource. It must offer Flex Consumption: az functionapp list-flexconsumption-locations')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object ID of the principal running the deployment. It gets data access to Cosmos DB (to run the app locally against Azure) and to the Key Vault secrets (to rotate cookie secrets). Empty to skip.')
param principalId string = deployer().objectId

@minLength(1)
@description('Subdomain of the Microsoft Entra External ID tenant: "contoso" for contoso.ciamlogin.com. Set with: azd env set TENANT_SUBDOMAIN contoso')
param tenantSubdomain string

@minLength(1)
@description('Application (client) ID of the app registration in the External ID tenant. Set with: azd env set CLIENT_ID <id>')
param clientId string

@secure()
@minLength(1)
@description('A client secret of that app registration. Set with: azd env set CLIENT_SECRET <secret>')
param clientSecret string

// The External ID tenant holds no subscription, so nothing here can create the registration or its secret:
// the user brings both. The cookie secret is ours: azd generates it on the first provision and keeps it in
// the azd environment, so later provisions do not sign everyone out (a newGuid() default would).
@secure()
@description('Comma-separated cookie signing secrets, newest first. To rotate: azd env set COOKIE_SECRETS "<new>,<current>" (README, "Rotate the cookie secrets").')
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 48
      noSpecial: true
    }
  }
})
param cookieSecrets string

// Optional app settings. Left empty, they are not written and the app's own defaults apply (src/lib/config.ts).
param applicationName string = ''
param allowedReturnOrigins string = ''
param sessionIdleTimeoutMinutes string = ''
param sessionAbsoluteTimeoutMinutes string = ''
param sessionCacheSeconds string = ''
param downstreamApiUrl string = ''
param downstreamApiScopes string = ''
param apiRequiredScope string = ''
param apiAudiences string = ''
param apiAllowedClientIds string = ''
param sessionsAdminRole string = ''
param revokeTenantSessions string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

// The names the app falls back to when COSMOS_* are unset (src/lib/config.ts); test/infra keeps both in step.
var cosmosNames = {
  database: 'auth'
  sessionsContainer: 'sessions'
}

var secretNames = {
  clientSecret: 'client-secret'
  cookieSecrets: 'cookie-secrets'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// One user-assigned identity for everything the app reaches: host storage, deployment package,
// Key Vault references, Cosmos DB and Application Insights. Unlike a system-assigned identity it
// exists before the app, so its role assignments are in place before the app gets its settings.
module apiIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.6.0' = {
  name: 'api-identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

var deploymentContainerName = 'app-package'

module storage 'br/public:avm/res/storage/storage-account:0.33.0' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    // No account keys: the host and the deployment both use the app identity.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        { name: deploymentContainerName }
      ]
    }
    roleAssignments: [
      {
        // Owner, not Contributor: the Functions host manages blob leases and containers of its own.
        roleDefinitionIdOrName: 'Storage Blob Data Owner'
        principalId: apiIdentity.outputs.principalId
        principalType: 'ServicePrincipal'
      }
    ]
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.16.1' = {
  name: 'log-analytics'
  scope: rg
  params: {
    name: 'log-${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

module appInsights 'br/public:avm/res/insights/component:0.8.0' = {
  name: 'app-insights'
  scope: rg
  params: {
    name: 'appi-${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    retentionInDays: 30
    // The connection string alone cannot send telemetry: ingestion needs the app identity's Entra token.
    disableLocalAuth: true
    // Mask client IP addresses: a sign-in service should not keep them. The module's default keeps them.
    disableIpMasking: false
    roleAssignments: [
      {
        roleDefinitionIdOrName: 'Monitoring Metrics Publisher'
        principalId: apiIdentity.outputs.principalId
        principalType: 'ServicePrincipal'
      }
    ]
  }
}

module keyVault 'br/public:avm/res/key-vault/vault:0.14.0' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    sku: 'standard'
    enableRbacAuthorization: true
    enableVaultForDeployment: false
    enableVaultForTemplateDeployment: false
    enableVaultForDiskEncryption: false
    // Purge protection would make `azd down --purge` fail and hold the name for the whole retention period.
    enablePurgeProtection: false
    softDeleteRetentionInDays: 7
    secrets: [
      {
        name: secretNames.clientSecret
        value: clientSecret
      }
      {
        name: secretNames.cookieSecrets
        value: cookieSecrets
      }
    ]
    roleAssignments: concat(
      [
        {
          roleDefinitionIdOrName: 'Key Vault Secrets User'
          principalId: apiIdentity.outputs.principalId
          principalType: 'ServicePrincipal'
        }
      ],
      // No principalType: the deployer may be a user or a service principal, and it already exists.
      empty(principalId)
        ? []
        : [
            {
              roleDefinitionIdOrName: 'Key Vault Secrets Officer'
              principalId: principalId
            }
          ]
    )
  }
}

// Plain resources rather than the AVM module, whose defaults (public network access disabled, zone
// redundancy, 30-day continuous backup) would each need overriding for a small serverless account.
module cosmos 'app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: 'cosmos-${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosNames.database
    containerNames: [
      cosmosNames.sessionsContainer
    ]
    appPrincipalId: apiIdentity.outputs.principalId
    userPrincipalId: principalId
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: 'func-api-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityResourceId: apiIdentity.outputs.resourceId
    deploymentContainerUrl: '${storage.outputs.serviceEndpoints.blob}${deploymentContainerName}'
  }
}

var appUrl = 'https://${api.outputs.defaultHostname}'

// Every environment variable the app reads on Azure (src/lib/config.ts, settingsSchema).
// test/infra checks these names against the schema.
var appSettings = {
  TENANT_SUBDOMAIN: tenantSubdomain
  CLIENT_ID: clientId
  CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${secretNames.clientSecret})'
  COOKIE_SECRETS: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${secretNames.cookieSecrets})'
  REDIRECT_URI: '${appUrl}/api/redirect'
  POST_LOGOUT_REDIRECT_URI: '${appUrl}/api/home'
  COSMOS_ENDPOINT: cosmos.outputs.endpoint
  COSMOS_DATABASE: cosmosNames.database
  COSMOS_SESSIONS_CONTAINER: cosmosNames.sessionsContainer
  // The container exists already, and the data-plane role could not create them anyway.
  COSMOS_CREATE_IF_MISSING: 'false'
}

var optionalAppSettings = {
  APP_NAME: applicationName
  ALLOWED_RETURN_ORIGINS: allowedReturnOrigins
  SESSION_IDLE_TIMEOUT_MINUTES: sessionIdleTimeoutMinutes
  SESSION_ABSOLUTE_TIMEOUT_MINUTES: sessionAbsoluteTimeoutMinutes
  SESSION_CACHE_SECONDS: sessionCacheSeconds
  DOWNSTREAM_API_URL: downstreamApiUrl
  DOWNSTREAM_API_SCOPES: downstreamApiScopes
  API_REQUIRED_SCOPE: apiRequiredScope
  API_AUDIENCES: apiAudiences
  API_ALLOWED_CLIENT_IDS: apiAllowedClientIds
  SESSIONS_ADMIN_ROLE: sessionsAdminRole
  REVOKE_TENANT_SESSIONS: revokeTenantSessions
}

var setOptionalAppSettings = toObject(
  filter(items(optionalAppSettings), setting => !empty(setting.value)),
  setting => setting.key,
  setting => setting.value
)

var platformSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: apiIdentity.outputs.clientId
  AzureWebJobsStorage__blobServiceUri: storage.outputs.serviceEndpoints.blob
  // DefaultAzureCredential (Cosmos DB) picks the user-assigned identity by this client ID.
  AZURE_CLIENT_ID: apiIdentity.outputs.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${apiIdentity.outputs.clientId}'
}

// A separate step because REDIRECT_URI needs the host name the app only has once it exists.
module apiSettings 'app/app-settings.bicep' = {
  name: 'api-settings'
  scope: rg
  params: {
    appName: api.outputs.name
    appSettings: union(appSettings, setOptionalAppSettings, platformSettings)
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = appUrl
output REDIRECT_URI string = appSettings.REDIRECT_URI
output POST_LOGOUT_REDIRECT_URI string = appSettings.POST_LOGOUT_REDIRECT_URI
// Registered as the app's Front-channel logout URL: the tenant's sign-out ends the app's sessions through it.
output FRONTCHANNEL_LOGOUT_URI string = '${appUrl}/api/logout/frontchannel'
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmosNames.database
output COSMOS_SESSIONS_CONTAINER string = cosmosNames.sessionsContainer
output AZURE_COSMOS_ACCOUNT_NAME string = cosmos.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output APPLICATIONINSIGHTS_CONNECTION_STRING string = appInsights.outputs.connectionString
