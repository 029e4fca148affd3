// Event Hubs for API Warden:
// - apim-logs: APIM writes request logs here (log-to-eventhub policy, GatewayLogs diagnostic
//   setting); the ingest function reads it with its own consumer group, api-warden.
// - alert-export: alerts in the Defender alert schema for a SIEM to read.
// Local (SAS) authentication is off unless APIM's logs come through a diagnostic setting, which
// can only stream with a SAS rule (diagnosticSettingRule).

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

@description('Create the shared access rule an Azure Monitor diagnostic setting streams APIM\'s GatewayLogs with. Azure Monitor authenticates to Event Hubs only with a namespace-level SAS rule, so this also turns local (SAS) authentication on for the whole namespace. False: no rule, SAS refused, Entra ID only.')
param diagnosticSettingRule bool = false

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
    // SAS keys are refused unless a diagnostic setting needs them (see diagnosticSettingRule).
    disableLocalAuth: !diagnosticSettingRule
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

// Azure Monitor's diagnostic-setting streaming needs a namespace-level rule with Manage, Send and
// Listen ("Diagnostic settings in Azure Monitor", destinations: Event Hubs). A rule of its own, so
// its keys can be regenerated without touching anything else; the app never uses it.
resource diagnosticSettingAuthRule 'Microsoft.EventHub/namespaces/authorizationRules@2024-01-01' = if (diagnosticSettingRule) {
  parent: ehNamespace
  name: 'apim-diagnostic-setting'
  properties: {
    rights: [
      'Listen'
      'Manage'
      'Send'
    ]
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
// Empty when there is no diagnostic-setting rule.
output diagnosticSettingRuleId string = diagnosticSettingRule ? diagnosticSettingAuthRule.id : ''
