// Event Hubs for API Warden:
// - apim-logs: APIM writes request logs here (log-to-eventhub policy, GatewayLogs diagnostic
//   setting); the ingest function reads it with its own consumer group, api-warden.
// - alert-export: alerts in the Defender alert schema for a SIEM to read.

@description('Namespace name: 6-50 letters, digits and hyphens, unique across Azure.')
@minLength(6)
@maxLength(50)
param name string

param location string = resourceGroup().location
param tags object = {}

@description('Partitions of apim-logs: the most ingest instances that run at once. The Standard tier cannot change it after creation.')
@minValue(1)
@maxValue(32)
param logsPartitionCount int = 4

@description('Partitions of alert-export; alerts are few, so two suffice.')
@minValue(1)
@maxValue(32)
param alertExportPartitionCount int = 2

@description('How long events stay readable, in hours. 168 (7 days) is the Standard tier maximum.')
@minValue(1)
@maxValue(168)
param retentionHours int = 168

@description('Upper bound for auto-inflate. One throughput unit takes 1 MB/s or 1,000 events/s in.')
@minValue(1)
@maxValue(40)
param maximumThroughputUnits int = 4

@description('Refuse SAS keys, so only Entra ID identities with a data role can send or receive. Azure Monitor diagnostic settings can only stream to a namespace that accepts SAS: the APIM diagnostic-setting module that needs it must set this to false and add its own send-only rule.')
param disableLocalAuth bool = true

var logsHubName = 'apim-logs'
var consumerGroupName = 'api-warden'
var alertExportHubName = 'alert-export'

resource ehNamespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: disableLocalAuth
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    // Grow instead of throttling APIM's writes during the very traffic spikes API Warden must see.
    isAutoInflateEnabled: true
    maximumThroughputUnits: maximumThroughputUnits
  }
}

resource logsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: ehNamespace
  name: logsHubName
  properties: {
    partitionCount: logsPartitionCount
    // Long enough to catch up after an outage over a weekend without losing logs.
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionHours
    }
  }
}

// Its own consumer group, not $Default, so other readers (a replay, a SIEM) never steal partitions
// from the ingest function.
resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: logsHub
  name: consumerGroupName
  properties: {
    userMetadata: 'API Warden ingest function'
  }
}

resource alertExportHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: ehNamespace
  name: alertExportHubName
  properties: {
    partitionCount: alertExportPartitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionHours
    }
  }
}

output name string = ehNamespace.name
output id string = ehNamespace.id
// serviceBusEndpoint is https://NAME.servicebus.windows.net:443/ (another suffix in sovereign
// clouds); the host name is what EVENTHUB_CONNECTION__fullyQualifiedNamespace expects.
output fullyQualifiedNamespace string = split(split(ehNamespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
output logsHubName string = logsHub.name
output consumerGroupName string = consumerGroup.name
output alertExportHubName string = alertExportHub.name
