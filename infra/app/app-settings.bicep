// Replaces the app's settings with exactly these, so a setting removed from main.bicep
// does not linger on Azure (the AVM site module keeps existing settings by default).

param appName string

@description('Setting name to value. Secrets appear only as Key Vault references.')
param appSettings object

resource app 'Microsoft.Web/sites@2024-11-01' existing = {
  name: appName
}

resource settings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: app
  name: 'appsettings'
  properties: appSettings
}
