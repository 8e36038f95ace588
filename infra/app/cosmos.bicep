@description('Name of the Cosmos DB account.')
param name string
param location string = resourceGroup().location
param tags object = {}

param databaseName string
param containerNames string[]

@description('Principal ID of the app identity; it gets the built-in Cosmos DB Data Contributor role.')
param appPrincipalId string

@description('Principal ID of the deploying user or service principal; empty to skip its role.')
param userPrincipalId string = ''

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: [
      { name: 'EnableServerless' }
    ]
    // Keys cannot be used: the app and developers sign in with Microsoft Entra ID and the role below.
    disableLocalAuth: true
    // Databases and containers change through this template only, never through a data-plane client.
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for containerName in containerNames: {
    parent: database
    name: containerName
    properties: {
      resource: {
        id: containerName
        // One logical partition per user (src/lib/session/documents.ts): a user's sessions and token caches
        // live together, so listing or ending them is one single-partition query and batches.
        partitionKey: {
          paths: [
            '/userKey'
          ]
          kind: 'Hash'
          version: 2
        }
        // -1 turns TTL on without a default lifetime: the app sets `ttl` on each item.
        defaultTtl: -1
        // Only what is queried is indexed (src/lib/cosmos.ts, INDEXING_POLICY): the document kind and the
        // sid hash of front-channel logout. Claims and token caches stay out of the index, which keeps each
        // write at the minimum RU charge. Not indexingMode 'none': Cosmos DB refuses TTL without indexing.
        indexingPolicy: {
          indexingMode: 'consistent'
          automatic: true
          includedPaths: [
            { path: '/type/?' }
            { path: '/sidHash/?' }
          ]
          excludedPaths: [
            { path: '/*' }
          ]
        }
      }
    }
  }
]

// Built-in data-plane role; the account-scoped ID below is how Cosmos DB names it.
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'

// Role assignments wait for the database and containers: Cosmos DB takes an exclusive account lock
// for role-assignment writes, and writes running beside it fail (the Cosmos DB quickstart and the
// AVM module order them the same way).
resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, appPrincipalId, dataContributorRoleId)
  dependsOn: [
    database
    containers
  ]
  properties: {
    principalId: appPrincipalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    scope: account.id
  }
}

resource userDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(userPrincipalId)) {
  parent: account
  name: guid(account.id, userPrincipalId, dataContributorRoleId)
  dependsOn: [
    database
    containers
    // One role-assignment write at a time, for the same lock.
    appDataContributor
  ]
  properties: {
    principalId: userPrincipalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    scope: account.id
  }
}

output name string = account.name
output endpoint string = account.properties.documentEndpoint
