// The Flex Consumption plan and function app. App settings are applied by app-settings.bicep
// once the app exists, because REDIRECT_URI needs the host name Azure gives it.

param name string
param planName string
param location string = resourceGroup().location
param tags object = {}

@description('Resource ID of the user-assigned identity the app runs as.')
param identityResourceId string

@description('URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

param nodeVersion string = '22'
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100

module plan 'br/public:avm/res/web/serverfarm:0.7.0' = {
  name: '${name}-plan'
  params: {
    name: planName
    location: location
    tags: tags
    skuName: 'FC1'
    kind: 'functionapp'
    reserved: true
  }
}

module app 'br/public:avm/res/web/site:0.24.0' = {
  name: '${name}-site'
  params: {
    name: name
    location: location
    // azd finds the app to deploy to by this tag.
    tags: union(tags, { 'azd-service-name': 'api' })
    kind: 'functionapp,linux'
    reserved: true
    serverFarmResourceId: plan.outputs.resourceId
    managedIdentities: {
      userAssignedResourceIds: [
        identityResourceId
      ]
    }
    // Key Vault references resolve with the user-assigned identity, not a system-assigned one.
    keyVaultAccessIdentityResourceId: identityResourceId
    httpsOnly: true
    // Sessions live in Cosmos DB, so no instance affinity, and no extra ARRAffinity cookie in the browser.
    clientAffinityEnabled: false
    // No healthCheckPath: App Service Health check is for Premium and Dedicated plans only. Microsoft's
    // page on it (https://learn.microsoft.com/azure/app-service/monitor-instances-health-check) says:
    // "In order to use Health check on a function app, you must use a premium or dedicated hosting
    // plan." Monitors probe /api/health instead (README, "Health probes").
    // Always given: the module's default (alwaysOn: true, ftpsState: 'FtpsOnly') fails on Flex
    // Consumption, which also rejects use32BitWorkerProcess, linuxFxVersion, netFrameworkVersion,
    // preWarmedInstanceCount and functionsRuntimeScaleMonitoringEnabled (ARM error 51021).
    // test/infra/deploy-rules.test.ts keeps them out.
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

output name string = app.outputs.name
output resourceId string = app.outputs.resourceId
output defaultHostname string = app.outputs.defaultHostname
