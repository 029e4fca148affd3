// API Warden: the deployment behind `azd up`.
// One resource group rg-<environment> with the Function App (Flex Consumption), its managed
// identity, Event Hubs, Storage, Log Analytics + Application Insights, and the role assignments
// that let the identity (and, optionally, the deployer) use them. Nothing here uses a key.
// Optionally, it connects an existing API Management service and a playbooks resource group, in
// their own resource groups and subscriptions (apimServiceResourceId, apimLogs,
// playbooksResourceGroup): roles there, and APIM's request logs into the apim-logs hub.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment: names the resource group and seeds the token in every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource. Limited to the regions that offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
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

@description('Object id of the person or pipeline running azd (azd fills AZURE_PRINCIPAL_ID). It gets the app\'s data roles for local debugging and the replay CLI. Empty: none.')
param principalId string = ''

@description('Kind of principal principalId is.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Give principalId the data roles at all. Set DEPLOYER_DATA_ACCESS=false for production environments.')
param deployerDataAccess bool = true

@description('Partitions of the apim-logs Event Hub, the most ingest instances that run at once. Cannot change after creation on the Standard tier.')
@minValue(1)
@maxValue(32)
param eventHubPartitionCount int = 4

@description('Node.js major version of the Functions worker.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '20'

@description('WARDEN_TRUSTED_PROXIES of the app: comma-separated IPs/CIDRs of Front Door or Application Gateway in front of APIM. Empty: none.')
param trustedProxies string = ''

@description('WARDEN_TABLE_PREFIX of the app: a letter then up to 19 letters or digits.')
@minLength(1)
@maxLength(20)
param tablePrefix string = 'warden'

@description('Resource id of the API Management service API Warden protects: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ApiManagement/service/<name>, in any subscription of the tenant. The app gets API Management Service Contributor on it. Empty: none, and response actions and the inventory sync stay off.')
param apimServiceResourceId string = ''

@description('How that service\'s request logs reach the apim-logs hub: none (wire them yourself), diagnosticSetting (GatewayLogs through Azure Monitor; classic and v2 tiers; turns SAS keys on for the namespace) or logger (the log-to-eventhub policy with APIM\'s managed identity; every tier; add one fragment include to your global policy).')
@allowed([
  'none'
  'diagnosticSetting'
  'logger'
])
param apimLogs string = 'none'

@description('With apimLogs=logger: resource id of a user-assigned identity attached to the APIM service that its logger sends with. Empty: the service\'s system-assigned identity.')
param apimLoggerIdentityId string = ''

@description('Resource group of your Logic App playbooks: a name in this subscription, or /subscriptions/<id>/resourceGroups/<name>. The app gets Microsoft Sentinel Playbook Operator on it, to read trigger callback URLs. Empty: none.')
param playbooksResourceGroup string = ''

var abbrs = loadJsonContent('./abbreviations.json')
// Stable per subscription + environment + region, so names are unique yet the same on every run.
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'

// The APIM service, from /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ApiManagement/service/<name>.
// Empty parts when there is none, which is what the app settings expect. ARM evaluates only the
// taken branch of a condition, so the indexes are never read from an empty id.
var hasApim = !empty(apimServiceResourceId)
var apimIdSegments = split(apimServiceResourceId, '/')
var apimSubscriptionId = hasApim ? apimIdSegments[2] : ''
var apimResourceGroupName = hasApim ? apimIdSegments[4] : ''
var apimServiceName = hasApim ? last(apimIdSegments) : ''
var apimLogsMode = hasApim ? apimLogs : 'none'

// The playbooks' resource group, by name (this subscription) or by resource id.
var hasPlaybooks = !empty(playbooksResourceGroup)
var playbooksById = startsWith(playbooksResourceGroup, '/')
var playbooksSegments = split(playbooksResourceGroup, '/')
var playbooksSubscriptionId = playbooksById ? playbooksSegments[2] : subscription().subscriptionId
var playbooksResourceGroupName = playbooksById ? playbooksSegments[4] : playbooksResourceGroup

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// The identity the app runs as; rbac.bicep grants it exactly the data access it needs.
module apiIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'apiIdentity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    // Flex Consumption runs on Linux only.
    reserved: true
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package-${resourceToken}'
  }
}

module eventHubs 'app/eventhubs.bicep' = {
  name: 'eventhubs'
  scope: rg
  params: {
    name: '${abbrs.eventHubNamespaces}${resourceToken}'
    location: location
    tags: tags
    logsPartitionCount: eventHubPartitionCount
    diagnosticSettingRule: apimLogsMode == 'diagnosticSetting'
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

// The app's role on the APIM service, and the identity APIM's logger sends with. A module's scope
// must be valid even when the module is skipped, hence the stand-ins.
module apimRbac 'app/apim-rbac.bicep' = if (hasApim) {
  name: 'api-warden-apim-rbac-${resourceToken}'
  scope: resourceGroup(hasApim ? apimSubscriptionId : subscription().subscriptionId, hasApim ? apimResourceGroupName : rg.name)
  params: {
    apimServiceName: apimServiceName
    appPrincipalId: apiIdentity.outputs.principalId
    forLogger: apimLogsMode == 'logger'
    loggerIdentityId: apimLoggerIdentityId
  }
}

module playbooksRbac 'app/playbooks-rbac.bicep' = if (hasPlaybooks) {
  name: 'api-warden-playbooks-rbac-${resourceToken}'
  scope: resourceGroup(playbooksSubscriptionId, hasPlaybooks ? playbooksResourceGroupName : rg.name)
  params: {
    appPrincipalId: apiIdentity.outputs.principalId
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    eventHubNamespaceName: eventHubs.outputs.name
    logsHubName: eventHubs.outputs.logsHubName
    alertExportHubName: eventHubs.outputs.alertExportHubName
    appPrincipalId: apiIdentity.outputs.principalId
    deployerPrincipalId: deployerDataAccess ? principalId : ''
    deployerPrincipalType: principalType
    apimLoggerPrincipalId: apimLogsMode == 'logger' ? apimRbac.outputs.loggerPrincipalId : ''
  }
}

// APIM's request logs into apim-logs. After rbac: the logger's identity must be able to send.
module apimLogsWiring 'app/apim-logs.bicep' = if (apimLogsMode != 'none') {
  name: 'api-warden-apim-logs-${resourceToken}'
  scope: resourceGroup(hasApim ? apimSubscriptionId : subscription().subscriptionId, hasApim ? apimResourceGroupName : rg.name)
  params: {
    apimServiceName: apimServiceName
    mode: apimLogsMode
    logsHubName: eventHubs.outputs.logsHubName
    eventHubFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    diagnosticSettingRuleId: eventHubs.outputs.diagnosticSettingRuleId
    loggerIdentityClientId: apimLogsMode == 'logger' ? apimRbac.outputs.loggerIdentityClientId : ''
  }
  dependsOn: [
    rbac
  ]
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    appServicePlanId: plan.outputs.resourceId
    identityId: apiIdentity.outputs.resourceId
    identityClientId: apiIdentity.outputs.clientId
    blobServiceUri: storage.outputs.blobServiceUri
    tableServiceUri: storage.outputs.tableServiceUri
    tablesEndpoint: storage.outputs.tablesEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    eventHubFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    logsHubName: eventHubs.outputs.logsHubName
    consumerGroupName: eventHubs.outputs.consumerGroupName
    alertExportHubName: eventHubs.outputs.alertExportHubName
    nodeVersion: nodeVersion
    trustedProxies: trustedProxies
    tablePrefix: tablePrefix
    apimSubscriptionId: apimSubscriptionId
    apimResourceGroup: apimResourceGroupName
    apimServiceName: apimServiceName
  }
  // The roles exist before the host first starts, so its first storage, Event Hubs and ARM calls
  // do not fail with 403 while assignments are still being created.
  dependsOn: [
    rbac
    apimRbac
    playbooksRbac
  ]
}

// Outputs become azd environment values (`azd env get-values`). Where a value is also an app
// setting, the output has the setting's name, so a local run against Azure can use it as is.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output RESOURCE_GROUP string = rg.name

output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = 'https://${api.outputs.defaultHostName}'
// HTTP routes live under the Functions default route prefix, /api.
output API_BASE_URL string = 'https://${api.outputs.defaultHostName}/api'
output API_IDENTITY_CLIENT_ID string = apiIdentity.outputs.clientId
output API_IDENTITY_PRINCIPAL_ID string = apiIdentity.outputs.principalId

output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output WARDEN_TABLES_ENDPOINT string = storage.outputs.tablesEndpoint
output WARDEN_TABLE_PREFIX string = tablePrefix

output EVENTHUB_NAMESPACE string = eventHubs.outputs.name
output EVENTHUB_NAMESPACE_ID string = eventHubs.outputs.id
// The value of the app setting EVENTHUB_CONNECTION__fullyQualifiedNamespace.
output EVENTHUB_FULLY_QUALIFIED_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
output EVENTHUB_NAME string = eventHubs.outputs.logsHubName
output EVENTHUB_CONSUMER_GROUP string = eventHubs.outputs.consumerGroupName
output EVENTHUB_ALERT_EXPORT_NAME string = eventHubs.outputs.alertExportHubName

output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString

// With APIM_LOGS=logger: the line to add to the global (All APIs) policy, in <outbound> and <on-error>.
output APIM_LOG_FRAGMENT_INCLUDE string = apimLogsMode == 'logger' ? apimLogsWiring.outputs.includeFragment : ''
