// Migration Companion in Azure: App Service on Linux (Node 22 LTS, scale-out), Azure Bot with the
// Teams channel, Storage (Tables, Queues, Blobs), Application Insights with Log Analytics, and Key
// Vault holding every secret. Deployed by Microsoft 365 Agents Toolkit (teamsapp.yml, arm/deploy)
// with azure.parameters.json, or by hand: docs/deploy.md.

targetScope = 'resourceGroup'

@minLength(3)
@maxLength(16)
@description('Short lower-case name that every resource name starts with, such as "mcprod".')
param resourceBaseName string

param location string = resourceGroup().location

@description('Extra tags for every resource (cost centre, owner …).')
param tags object = {}

// --- Bot identity -------------------------------------------------------------------------------

@allowed([
  'SingleTenant'
  'UserAssignedMSI'
])
@description('SingleTenant: the bot app registration and its client secret. UserAssignedMSI: the managed identity created here, no secret.')
param botAppType string = 'SingleTenant'

@description('Client id of the single-tenant bot app registration (SingleTenant only).')
param botAppId string = ''

@secure()
@description('Client secret of the bot app registration (SingleTenant only); stored in Key Vault.')
param botAppPassword string = ''

@maxLength(42)
param botDisplayName string = 'Migration Companion'

@allowed([
  'F0'
  'S1'
])
@description('Azure Bot pricing tier; the Teams channel is a standard channel, free in both.')
param botSku string = 'F0'

// --- Microsoft Graph --------------------------------------------------------------------------------

@allowed([
  'clientSecret'
  'managedIdentity'
])
@description('clientSecret: an app registration (the bot\'s own by default). managedIdentity: the managed identity created here.')
param graphAuth string = 'clientSecret'

@description('App registration holding the Graph application permissions; empty: the bot app registration.')
param graphClientId string = ''

@secure()
@description('Its client secret; empty: the bot app registration\'s secret.')
param graphClientSecret string = ''

param graphBaseUrl string = 'https://graph.microsoft.com'

@minValue(1)
@maxValue(10)
param graphMaxAttempts int = 5

// --- Hosting ------------------------------------------------------------------------------------------

@description('App Service plan size (Linux). P0v3 and up can scale out automatically.')
param appServiceSku string = 'P0v3'

@minValue(1)
@maxValue(30)
@description('Instances always running; two or more keep the bot up through an instance restart.')
param minimumInstances int = 2

@minValue(1)
@maxValue(30)
@description('Autoscale ceiling (CPU above 70 % or memory above 80 % adds an instance).')
param maximumInstances int = 6

param zoneRedundant bool = false

@description('A custom domain already bound to the web app; empty: <name>.azurewebsites.net.')
param customDomain string = ''

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_ZRS'

@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

// --- The app's own settings (see .env.example for each) ----------------------------------------------

@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
  'silent'
])
param logLevel string = 'info'

param storagePrefix string = 'mc'
param teamsAppId string = ''
param helpdeskChannelId string
param helpdeskRoutes string = ''
param helpdeskTeamId string = ''
param adminGroupId string = ''
param adminUpns string = ''

@allowed([
  'workspace-one'
  'ivanti'
  'jamf'
  'blackberry'
  'citrix'
  'other'
])
param sourceMdm string = 'other'

param defaultLocale string = 'en-US'
@description('Languages the campaign speaks (CAMPAIGN_LANGUAGES), e.g. en,sv,nb,ar.')
param campaignLanguages string = 'en,sv'
@description('Language of the helpdesk channel (HELPDESK_LANGUAGE); empty: the language of defaultLocale.')
param helpdeskLanguage string = ''
param defaultTimeZone string = 'UTC'
param businessHours string = '08:00-17:00'
param businessDays string = 'mon-fri'
param escalateStuckAfterHours string = '8'
param escalateNoncompliantAfterHours string = '24'
param helpdeskSlaAssignMinutes string = '60'
param broadcastRatePerSecond string = '45'
param broadcastMaxAttempts string = '6'
param botServiceUrl string = 'https://smba.trafficmanager.net/teams/'
param announcementsChannelId string = ''
param guidanceOverridePath string = ''

@secure()
@minLength(32)
@description('Random secret (32+ characters) signing CSV download links; stored in Key Vault.')
param exportSigningKey string

// --- Old MDM inventory (docs/old-mdm.md; empty oldMdmSources: no API is read) --------------------

@description('OLD_MDM_SOURCES, e.g. workspace-one:ios,ipados,android;jamf:macos.')
param oldMdmSources string = ''
param oldMdmSyncMinutes string = '15'
param oldMdmFullSyncHours string = '24'

@description('OLD_MDM_ALLOW_RELEASE: sources whose devices may be released (workspace-one, jamf or all); empty: none.')
param oldMdmAllowRelease string = ''
@description('OLD_MDM_RELEASE_CONFIRM_MINUTES: how long a release may wait for the old MDM to confirm before the ticket says so.')
param oldMdmReleaseConfirmMinutes string = '30'

@description('Retention after a wave closes (docs/privacy.md): participants, tickets, deliveries (days), import drafts (hours), audit pseudonymised / deleted (days).')
param retentionParticipantDays string = '90'
param retentionTicketDays string = '90'
param retentionDeliveryDays string = '30'
param retentionDraftHours string = '24'
param retentionAuditPseudonymiseDays string = '90'
param retentionAuditDays string = '730'
param workspaceOneApiUrl string = ''
param workspaceOneTokenUrl string = ''
param workspaceOneClientId string = ''

@secure()
@description('Workspace ONE UEM OAuth client secret; stored in Key Vault.')
param workspaceOneClientSecret string = ''

@secure()
@description('Workspace ONE UEM REST API key (aw-tenant-code); stored in Key Vault.')
param workspaceOneTenantCode string = ''

param jamfUrl string = ''
param jamfClientId string = ''

@secure()
@description('Jamf Pro API client secret; stored in Key Vault.')
param jamfClientSecret string = ''

// ------------------------------------------------------------------------------------------------------

var suffix = uniqueString(resourceGroup().id, resourceBaseName)
var allTags = union(tags, {
  application: 'migration-companion'
})
var webAppName = '${resourceBaseName}-${take(suffix, 6)}'
var usesBotSecret = botAppType == 'SingleTenant'
var separateGraphSecret = graphAuth == 'clientSecret' && !empty(graphClientSecret)
var storesWorkspaceOne = !empty(workspaceOneClientSecret)
var storesJamf = !empty(jamfClientSecret)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-identity'
  location: location
  tags: allTags
}

var effectiveBotAppId = usesBotSecret ? botAppId : identity.properties.clientId

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: resourceBaseName
    location: location
    tags: allTags
    retentionInDays: logRetentionDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${suffix}'
    location: location
    tags: allTags
    sku: storageSku
  }
}

module vault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    name: 'kv${suffix}'
    location: location
    tags: allTags
    storageAccountName: storage.outputs.name
    readerPrincipalId: identity.properties.principalId
    storeBotSecret: usesBotSecret
    botAppPassword: usesBotSecret ? botAppPassword : ''
    storeGraphSecret: separateGraphSecret
    graphClientSecret: separateGraphSecret ? graphClientSecret : ''
    exportSigningKey: exportSigningKey
    storeWorkspaceOneSecrets: storesWorkspaceOne
    workspaceOneClientSecret: workspaceOneClientSecret
    workspaceOneTenantCode: workspaceOneTenantCode
    storeJamfSecret: storesJamf
    jamfClientSecret: jamfClientSecret
  }
}

// App settings name Key Vault secrets; App Service resolves them with the managed identity.
var storageSecretRef = '@Microsoft.KeyVault(SecretUri=${vault.outputs.storageConnectionStringUri})'
var botSecretRef = '@Microsoft.KeyVault(SecretUri=${vault.outputs.botAppPasswordUri})'
var graphSecretRef = separateGraphSecret ? '@Microsoft.KeyVault(SecretUri=${vault.outputs.graphClientSecretUri})' : botSecretRef

var settings = {
  NODE_ENV: 'production'
  LOG_LEVEL: logLevel
  BOT_APP_TYPE: botAppType
  BOT_APP_ID: effectiveBotAppId
  BOT_APP_PASSWORD: usesBotSecret ? botSecretRef : ''
  BOT_TENANT_ID: tenant().tenantId
  STORAGE_CONNECTION_STRING: storageSecretRef
  STORAGE_PREFIX: storagePrefix
  GRAPH_BASE_URL: graphBaseUrl
  GRAPH_TENANT_ID: tenant().tenantId
  GRAPH_CLIENT_ID: graphAuth == 'managedIdentity' ? identity.properties.clientId : (empty(graphClientId) ? effectiveBotAppId : graphClientId)
  GRAPH_CLIENT_SECRET: graphAuth == 'clientSecret' ? graphSecretRef : ''
  GRAPH_CERTIFICATE_PATH: ''
  BOT_ALLOW_MULTI_TENANT: ''
  BOT_OPENID_ISSUER: ''
  GRAPH_USE_MANAGED_IDENTITY: graphAuth == 'managedIdentity' ? 'true' : 'false'
  GRAPH_MAX_ATTEMPTS: string(graphMaxAttempts)
  HELPDESK_CHANNEL_ID: helpdeskChannelId
  HELPDESK_ROUTES: helpdeskRoutes
  HELPDESK_TEAM_ID: helpdeskTeamId
  ESCALATE_STUCK_AFTER_HOURS: escalateStuckAfterHours
  ESCALATE_NONCOMPLIANT_AFTER_HOURS: escalateNoncompliantAfterHours
  HELPDESK_SLA_ASSIGN_MINUTES: helpdeskSlaAssignMinutes
  ADMIN_GROUP_ID: adminGroupId
  ADMIN_UPNS: adminUpns
  SOURCE_MDM: sourceMdm
  DEFAULT_LOCALE: defaultLocale
  CAMPAIGN_LANGUAGES: campaignLanguages
  HELPDESK_LANGUAGE: helpdeskLanguage
  DEFAULT_TIME_ZONE: defaultTimeZone
  BUSINESS_HOURS: businessHours
  BUSINESS_DAYS: businessDays
  GUIDANCE_OVERRIDE_PATH: guidanceOverridePath
  BROADCAST_RATE_PER_SECOND: broadcastRatePerSecond
  BROADCAST_MAX_ATTEMPTS: broadcastMaxAttempts
  BOT_SERVICE_URL: botServiceUrl
  TEAMS_APP_ID: teamsAppId
  ANNOUNCEMENTS_CHANNEL_ID: announcementsChannelId
  EXPORT_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=${vault.outputs.exportSigningKeyUri})'
  OLD_MDM_SOURCES: oldMdmSources
  OLD_MDM_SYNC_MINUTES: oldMdmSyncMinutes
  OLD_MDM_FULL_SYNC_HOURS: oldMdmFullSyncHours
  OLD_MDM_ALLOW_RELEASE: oldMdmAllowRelease
  OLD_MDM_RELEASE_CONFIRM_MINUTES: oldMdmReleaseConfirmMinutes
  RETENTION_PARTICIPANT_DAYS: retentionParticipantDays
  RETENTION_TICKET_DAYS: retentionTicketDays
  RETENTION_DELIVERY_DAYS: retentionDeliveryDays
  RETENTION_DRAFT_HOURS: retentionDraftHours
  RETENTION_AUDIT_PSEUDONYMISE_DAYS: retentionAuditPseudonymiseDays
  RETENTION_AUDIT_DAYS: retentionAuditDays
  // Empty: the audit's pseudonyms are keyed from EXPORT_SIGNING_KEY (docs/privacy.md).
  PRIVACY_PSEUDONYM_KEY: ''
  WORKSPACE_ONE_API_URL: workspaceOneApiUrl
  WORKSPACE_ONE_TOKEN_URL: workspaceOneTokenUrl
  WORKSPACE_ONE_CLIENT_ID: workspaceOneClientId
  WORKSPACE_ONE_CLIENT_SECRET: storesWorkspaceOne ? '@Microsoft.KeyVault(SecretUri=${vault.outputs.workspaceOneClientSecretUri})' : ''
  WORKSPACE_ONE_TENANT_CODE: storesWorkspaceOne ? '@Microsoft.KeyVault(SecretUri=${vault.outputs.workspaceOneTenantCodeUri})' : ''
  JAMF_URL: jamfUrl
  JAMF_CLIENT_ID: jamfClientId
  JAMF_CLIENT_SECRET: storesJamf ? '@Microsoft.KeyVault(SecretUri=${vault.outputs.jamfClientSecretUri})' : ''
  // Platform: run the deployed zip as is (built before upload), probe patiently, send telemetry.
  WEBSITE_RUN_FROM_PACKAGE: '1'
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
  WEBSITE_HEALTHCHECK_MAXPINGFAILURES: '3'
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  ApplicationInsightsAgent_EXTENSION_VERSION: '~3'
}

module app 'modules/app-service.bicep' = {
  name: 'app-service'
  params: {
    name: webAppName
    location: location
    tags: allTags
    sku: appServiceSku
    minimumInstances: minimumInstances
    maximumInstances: max(minimumInstances, maximumInstances)
    zoneRedundant: zoneRedundant
    identityId: identity.id
    customDomain: customDomain
    settings: settings
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

module bot 'modules/bot.bicep' = {
  name: 'azure-bot'
  params: {
    name: '${resourceBaseName}-bot'
    displayName: botDisplayName
    tags: allTags
    appType: botAppType
    appId: effectiveBotAppId
    identityResourceId: identity.id
    messagingEndpoint: 'https://${app.outputs.host}/api/messages'
    sku: botSku
  }
}

// Outputs are written to env/.env.<environment> by the toolkit (names as they are).
output AZURE_APP_SERVICE_RESOURCE_ID string = app.outputs.id
output APP_SERVICE_NAME string = app.outputs.name
output BOT_DOMAIN string = app.outputs.host
output BOT_ENDPOINT string = 'https://${app.outputs.host}'
output BOT_ID string = effectiveBotAppId
output AZURE_BOT_NAME string = bot.outputs.name
output KEY_VAULT_NAME string = vault.outputs.name
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATION_INSIGHTS_NAME string = monitoring.outputs.insightsName
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
