// One storage account for two users, both through Entra ID (no account keys anywhere):
// - the Functions host: deployment package, function keys, timer leases, Event Hubs checkpoints (blobs);
// - API Warden itself: its tables, which the app creates on first use (shared/storage/tables.ts),
//   named WARDEN_TABLE_PREFIX + logical name so that several deployments could share an account.

@description('Storage account name: 3-24 lowercase letters and digits, unique across Azure.')
@minLength(3)
@maxLength(24)
param name string

param location string = resourceGroup().location
param tags object = {}

@description('Blob container the Flex Consumption app reads its deployment package from.')
param deploymentContainerName string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    // Entra ID only: requests signed with the account key, or SAS derived from it, are refused.
    allowSharedKeyAccess: false
    // The portal and the CLI then use the signed-in identity instead of trying keys first.
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    // No virtual network in this deployment: the app reaches the account over its public
    // endpoint, authorised per request by RBAC (see rbac.bicep).
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Declared so the table endpoint is part of the template; the tables themselves are created by
// the app, whose table list and prefix live in code and settings, not here.
resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

// primaryEndpoints end with '/': kept for the host's AzureWebJobsStorage__*ServiceUri settings,
// trimmed for WARDEN_TABLES_ENDPOINT, which shared/settings.ts documents without it.
var tableServiceUri = account.properties.primaryEndpoints.table

output name string = account.name
output id string = account.id
output blobServiceUri string = account.properties.primaryEndpoints.blob
output tableServiceUri string = tableServiceUri
output tablesEndpoint string = endsWith(tableServiceUri, '/')
  ? substring(tableServiceUri, 0, length(tableServiceUri) - 1)
  : tableServiceUri
output deploymentContainerName string = deploymentContainer.name
