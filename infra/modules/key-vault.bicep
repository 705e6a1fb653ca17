// Key Vault for every secret the app reads: the storage connection string, the bot's client secret,
// a separate Graph client secret when there is one, the CSV export signing key, and the old MDMs'
// API credentials when the campaign reads them (Workspace ONE client secret and REST API key, Jamf
// Pro API client secret). Access by Azure
// RBAC; only the app's managed identity may read secrets. App settings refer to the secrets without a
// version, so a rotated secret reaches the app within a day, or at once after a restart.

param name string
param location string
param tags object
param storageAccountName string

@description('Principal (object) id of the managed identity that reads the secrets.')
param readerPrincipalId string

@description('Store the bot app registration\'s client secret (SingleTenant bots).')
param storeBotSecret bool

@secure()
param botAppPassword string

@description('Store a separate Graph client secret.')
param storeGraphSecret bool

@secure()
param graphClientSecret string

@secure()
param exportSigningKey string

@description('Store the Workspace ONE UEM OAuth client secret and REST API key.')
param storeWorkspaceOneSecrets bool = false

@secure()
param workspaceOneClientSecret string = ''

@secure()
param workspaceOneTenantCode string = ''

@description('Store the Jamf Pro API client secret.')
param storeJamfSecret bool = false

@secure()
param jamfClientSecret string = ''

// Key Vault Secrets User: read secret values, nothing else.
var secretsUserRole = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource storageSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'storage-connection-string'
  properties: {
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
    contentType: 'Azure Storage connection string (account key 1)'
  }
}

resource exportKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'export-signing-key'
  properties: {
    value: exportSigningKey
    contentType: 'HMAC key for CSV download links'
  }
}

resource botSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeBotSecret) {
  parent: vault
  name: 'bot-app-password'
  properties: {
    value: botAppPassword
    contentType: 'Client secret of the bot app registration'
  }
}

resource graphSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeGraphSecret) {
  parent: vault
  name: 'graph-client-secret'
  properties: {
    value: graphClientSecret
    contentType: 'Client secret of the Graph app registration'
  }
}

resource ws1ClientSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeWorkspaceOneSecrets) {
  parent: vault
  name: 'workspace-one-client-secret'
  properties: {
    value: workspaceOneClientSecret
    contentType: 'Workspace ONE UEM OAuth client secret (read-only admin role)'
  }
}

resource ws1TenantCode 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeWorkspaceOneSecrets) {
  parent: vault
  name: 'workspace-one-tenant-code'
  properties: {
    value: workspaceOneTenantCode
    contentType: 'Workspace ONE UEM REST API key (aw-tenant-code)'
  }
}

resource jamfSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeJamfSecret) {
  parent: vault
  name: 'jamf-client-secret'
  properties: {
    value: jamfClientSecret
    contentType: 'Jamf Pro API client secret (read-only API role)'
  }
}

resource readSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, readerPrincipalId, secretsUserRole)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRole)
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output storageConnectionStringUri string = storageSecret.properties.secretUri
output exportSigningKeyUri string = exportKeySecret.properties.secretUri
output botAppPasswordUri string = storeBotSecret ? botSecret.properties.secretUri : ''
output graphClientSecretUri string = storeGraphSecret ? graphSecret.properties.secretUri : ''
output workspaceOneClientSecretUri string = storeWorkspaceOneSecrets ? ws1ClientSecret.properties.secretUri : ''
output workspaceOneTenantCodeUri string = storeWorkspaceOneSecrets ? ws1TenantCode.properties.secretUri : ''
output jamfClientSecretUri string = storeJamfSecret ? jamfSecret.properties.secretUri : ''
