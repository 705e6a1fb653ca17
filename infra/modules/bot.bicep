// The Azure Bot registration with the Microsoft Teams channel. Single-tenant: the bot's own Entra
// app registration (client secret), or a user-assigned managed identity (no secret at all).

param name string
param displayName string
param tags object

@allowed([
  'SingleTenant'
  'UserAssignedMSI'
])
param appType string

@description('Client id of the bot app registration, or of the managed identity.')
param appId string

@description('Resource id of the managed identity (UserAssignedMSI only).')
param identityResourceId string

param messagingEndpoint string

@allowed([
  'F0'
  'S1'
])
param sku string

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: messagingEndpoint
    msaAppId: appId
    msaAppType: appType
    msaAppTenantId: tenant().tenantId
    msaAppMSIResourceId: appType == 'UserAssignedMSI' ? identityResourceId : null
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

output name string = bot.name
