// Every role assignment on this resource group's resources, each scoped as narrowly as its
// resource allows. Names are guid(scope, principal, role): deterministic, so a re-run of
// `azd provision` updates the same assignment instead of failing on a duplicate.
//
// What is deliberately NOT assigned:
// - Storage Queue Data Contributor: the host needs queues only for blob triggers (poison and
//   receipt queues) and Durable Functions, and API Warden uses neither. Its triggers are Event Hubs
//   (checkpoints in blobs), timers (leases in blobs) and HTTP (keys in blobs).
// - Any management-plane role: the roles on your API Management service and on your playbooks'
//   resource group live in other resource groups, so apim-rbac.bicep and playbooks-rbac.bicep
//   assign them there.

param storageAccountName string
param applicationInsightsName string
param eventHubNamespaceName string
param logsHubName string
param alertExportHubName string

@description('Principal (object) id of the Function App\'s user-assigned managed identity.')
param appPrincipalId string

@description('Object id of the person or pipeline running azd, given the same data access for local debugging and the replay CLI. Empty: none.')
param deployerPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'

@description('Principal (object) id of the identity APIM\'s event-hub logger sends with (APIM_LOGS=logger). Empty: none.')
param apimLoggerPrincipalId string = ''

// Built-in role definition ids, from https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
var eventHubsDataReceiverRoleId = 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde' // Azure Event Hubs Data Receiver
var eventHubsDataSenderRoleId = '2b629674-e913-4c01-ae53-ef4638d8f975' // Azure Event Hubs Data Sender
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher

var withDeployer = !empty(deployerPrincipalId)

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubNamespaceName
}

resource logsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: eventHubNamespace
  name: logsHubName
}

resource alertExportHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: eventHubNamespace
  name: alertExportHubName
}

// ---- The app's managed identity ----------------------------------------------------------

// Host storage: the deployment package, function keys, timer leases and Event Hubs checkpoints
// are blobs, and the host creates its own containers, which needs account scope.
resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, appPrincipalId, storageBlobDataOwnerRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// API Warden's tables. Account scope because the app creates the tables at run time, after this
// deployment; the account holds nothing else of value. Also lets the host keep its diagnostic
// events (AzureWebJobsStorage__tableServiceUri) without any further role.
resource appTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, appPrincipalId, storageTableDataContributorRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The ingest trigger reads apim-logs only.
resource appLogsReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(logsHub.id, appPrincipalId, eventHubsDataReceiverRoleId)
  scope: logsHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataReceiverRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The SIEM export writes alerts to alert-export only; it cannot write into apim-logs.
resource appAlertExportSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(alertExportHub.id, appPrincipalId, eventHubsDataSenderRoleId)
  scope: alertExportHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataSenderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Application Insights refuses key-only telemetry (DisableLocalAuth); this role lets the host
// send it with the identity's token.
resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// ---- API Management's own identity, with APIM_LOGS=logger -------------------------------

// APIM's event-hub logger writes request records into apim-logs, and nowhere else.
resource apimLogsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(apimLoggerPrincipalId)) {
  name: guid(logsHub.id, apimLoggerPrincipalId, eventHubsDataSenderRoleId)
  scope: logsHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataSenderRoleId)
    principalId: apimLoggerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// ---- The deployer, optional: the same data access for running the code locally ----------

resource deployerBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer) {
  name: guid(storageAccount.id, deployerPrincipalId, storageBlobDataOwnerRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource deployerTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer) {
  name: guid(storageAccount.id, deployerPrincipalId, storageTableDataContributorRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource deployerLogsReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer) {
  name: guid(logsHub.id, deployerPrincipalId, eventHubsDataReceiverRoleId)
  scope: logsHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataReceiverRoleId)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// Only the deployer may write into apim-logs (the app never does): the CLI's replay command
// sends a recorded log file there.
resource deployerLogsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer) {
  name: guid(logsHub.id, deployerPrincipalId, eventHubsDataSenderRoleId)
  scope: logsHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataSenderRoleId)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource deployerAlertExportSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer) {
  name: guid(alertExportHub.id, deployerPrincipalId, eventHubsDataSenderRoleId)
  scope: alertExportHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataSenderRoleId)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource deployerMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer) {
  name: guid(applicationInsights.id, deployerPrincipalId, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}
