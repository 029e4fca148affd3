// The Function App on the Flex Consumption plan, running as a user-assigned managed identity.
//
// Its app settings are ONE map, built below from two parts: wardenSettings (API Warden's own
// settings, named in shared/settings.ts) and hostSettings (the Functions host's). The map is the
// single source of truth: add a setting here, not through a module parameter, and
// test/infra.test.ts checks it against shared/settings.ts and local.settings.sample.json.

@description('Function App name, unique across Azure (it is the host name).')
param name string

param location string = resourceGroup().location
param tags object = {}

@description('azd deploys the package for service `api` of azure.yaml to the app tagged with this name.')
param serviceName string = 'api'

@description('Resource id of the Flex Consumption (FC1) plan.')
param appServicePlanId string

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity: it selects the identity for every Entra token the app asks for.')
param identityClientId string

@description('Blob service URI of the storage account (with the trailing slash).')
param blobServiceUri string

@description('Table service URI of the storage account (with the trailing slash).')
param tableServiceUri string

@description('Table endpoint for WARDEN_TABLES_ENDPOINT (https://ACCOUNT.table.core.windows.net).')
param tablesEndpoint string

@description('Blob container the deployment package goes to.')
param deploymentContainerName string

@description('Application Insights component in this resource group.')
param applicationInsightsName string

@description('Host name of the Event Hubs namespace (NAME.servicebus.windows.net).')
param eventHubFullyQualifiedNamespace string

@description('Event Hub APIM logs arrive on.')
param logsHubName string

@description('Consumer group of the ingest function.')
param consumerGroupName string

@description('Event Hub, in the same namespace, that the dispatcher exports alerts to in Defender\'s export shape.')
param alertExportHubName string

@description('Node.js major version of the Functions worker.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '20'

@description('Memory of each instance, in MB.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to (Event Hubs ingest uses at most one per partition).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('WARDEN_TRUSTED_PROXIES: comma-separated IPs/CIDRs of the proxies in front of APIM whose X-Forwarded-For is believed. Empty: none.')
param trustedProxies string = ''

@description('WARDEN_TABLE_PREFIX: a letter then up to 19 letters or digits (table names allow nothing else).')
@minLength(1)
@maxLength(20)
param tablePrefix string = 'warden'

// The next five mirror the defaults and bounds of shared/config.ts.
@description('WARDEN_QUARANTINE_RAW_MAX_CHARS: longest raw record kept in quarantine, in characters.')
@minValue(256)
@maxValue(30000)
param quarantineRawMaxChars int = 16384

@description('WARDEN_STORAGE_MAX_ATTEMPTS: attempts of a failing Table Storage request before the batch fails.')
@minValue(1)
@maxValue(20)
param storageMaxAttempts int = 5

@description('WARDEN_LAST_SEEN_RESOLUTION_SECONDS: how far an endpoint\'s last-seen time moves before it is rewritten.')
@minValue(0)
@maxValue(86400)
param lastSeenResolutionSeconds int = 60

@description('WARDEN_WINDOW_RETENTION_DAYS: days of window aggregates kept (event time); 30-day baselines need at least 31.')
@minValue(31)
@maxValue(400)
param windowRetentionDays int = 35

@description('WARDEN_QUARANTINE_RETENTION_DAYS: days quarantined records are kept.')
@minValue(1)
@maxValue(400)
param quarantineRetentionDays int = 30

@description('WARDEN_INACTIVE_DAYS: days without traffic (event time) after which an endpoint is marked inactive.')
@minValue(1)
@maxValue(365)
param inactiveDays int = 30

@description('WARDEN_APIM_SUBSCRIPTION_ID / _RESOURCE_GROUP / _SERVICE_NAME: the APIM service response actions edit and the inventory sync reads, taken apart from main.bicep\'s apimServiceResourceId (empty: both off).')
param apimSubscriptionId string = ''
param apimResourceGroup string = ''
param apimServiceName string = ''

@description('WARDEN_BLOCK_ALLOWLIST: IPs/CIDRs response actions never block, comma-separated.')
param blockAllowlist string = ''

@description('WARDEN_TOR_FEED_URLS: Tor exit list URLs the daily refresh downloads (comma-separated).')
param torFeedUrls string = 'https://check.torproject.org/torbulkexitlist'

@description('WARDEN_THREAT_INTEL_FEED_URLS: threat-intel IP/CIDR feed URLs (comma-separated; IPsum format accepted).')
param threatIntelFeedUrls string = 'https://raw.githubusercontent.com/stamparm/ipsum/master/ipsum.txt'

@description('WARDEN_TOR_ALSO_SUSPICIOUS: true raises both the Tor and the threat-intel alert for a Tor exit on a feed.')
@allowed(['true', 'false'])
param torAlsoSuspicious string = 'false'

// Detection thresholds: defaults of shared/core/detectors/settings.ts (decimals allowed, hence strings).

@description('WARDEN_ALLOWED_LATENESS_MINUTES: event-time minutes window evaluation waits past a window\'s end for late events.')
@minValue(0)
@maxValue(1440)
param allowedLatenessMinutes int = 5

@description('WARDEN_MAX_WINDOWS_PER_RUN: most 20-minute windows one evaluation run handles.')
@minValue(1)
@maxValue(10000)
param maxWindowsPerRun int = 72

@description('WARDEN_BASELINE_DAYS: days of window history baselines are learned from.')
param baselineDays string = '30'

@description('WARDEN_MIN_CLIENT_HISTORY_WINDOWS: active windows a client needs before its own baselines are used.')
param minClientHistoryWindows string = '6'

@description('WARDEN_MIN_ENDPOINT_HISTORY_WINDOWS: windows since first seen an endpoint needs before population spikes are judged.')
param minEndpointHistoryWindows string = '72'

@description('WARDEN_SPIKE_FACTOR: a spike exceeds the baseline\'s 99th percentile times this.')
param spikeFactor string = '3'

@description('WARDEN_SPIKE_MAD_MULTIPLIER: … and its median plus this many scaled MADs.')
param spikeMadMultiplier string = '8'

@description('WARDEN_CLIENT_SPIKE_FLOOR: fewest requests per window from one client that can be a traffic spike.')
param clientSpikeFloor string = '30'

@description('WARDEN_POPULATION_SPIKE_FLOOR: fewest requests per window to an endpoint that can be a population spike.')
param populationSpikeFloor string = '100'

@description('WARDEN_SPRAY_FLOOR: distinct endpoints per window from one client below which there is no spray.')
param sprayFloor string = '12'

@description('WARDEN_UNKNOWN_ENDPOINTS_FLOOR: distinct unknown paths per window from one client below which there is no alert.')
param unknownEndpointsFloor string = '6'

@description('WARDEN_MIN_SIZE_SAMPLES: requests of an (endpoint, status) in the baseline before payload and latency spikes are judged.')
param minSizeSamples string = '100'

@description('WARDEN_MIN_CLIENT_SIZE_SAMPLES: requests a client needs of an (endpoint, status) to be judged by its own size history.')
param minClientSizeSamples string = '50'

@description('WARDEN_SIZE_FACTOR: a payload or latency spike exceeds the baseline 99.9th percentile times this.')
param sizeFactor string = '4'

@description('WARDEN_REQUEST_PAYLOAD_FLOOR_BYTES: smallest request body (bytes) that can be a payload spike.')
param requestPayloadFloor string = '65536'

@description('WARDEN_RESPONSE_PAYLOAD_FLOOR_BYTES: smallest response (bytes) that can be a payload spike.')
param responsePayloadFloor string = '1048576'

@description('WARDEN_LATENCY_FLOOR_MS: smallest latency (ms) that can be a latency spike.')
param latencyFloorMs string = '5000'

@description('WARDEN_MIN_ENDPOINT_REQUESTS_FOR_PARAMS: requests an endpoint needs in the baseline before unseen parameters are judged.')
param minEndpointRequestsForParams string = '500'

@description('WARDEN_MIN_PARAM_REQUESTS_FOR_TYPES: requests a parameter needs in the baseline before unseen value types are judged.')
param minParamRequestsForTypes string = '100'

@description('WARDEN_ENUMERATION_FACTOR: enumeration exceeds the baseline 99.9th percentile of distinct values times this.')
param enumerationFactor string = '3'

@description('WARDEN_ENUMERATION_FLOOR: fewest distinct values of a parameter from one client in a window that can be enumeration.')
param enumerationFloor string = '25'

@description('WARDEN_DISTRIBUTED_ENUMERATION_FLOOR: fewest distinct values from all clients in a window that can be distributed enumeration.')
param distributedEnumerationFloor string = '60'

@description('WARDEN_DISTRIBUTED_ENUMERATION_MIN_CLIENTS: fewest clients that make an enumeration distributed.')
param distributedEnumerationMinClients string = '5'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// API Warden's settings: every name in shared/settings.ts that applies in Azure. The local-only
// ones (WARDEN_TABLES_CONNECTION_STRING, EVENTHUB_CONNECTION, WARDEN_ALERT_EXPORT_CONNECTION) must stay out: a plain
// EVENTHUB_CONNECTION would win over the EVENTHUB_CONNECTION__* identity settings below.
var wardenSettings = {
  WARDEN_TABLES_ENDPOINT: tablesEndpoint
  WARDEN_TABLE_PREFIX: tablePrefix
  // DefaultAzureCredential in the SDK clients picks the user-assigned identity by this id.
  AZURE_CLIENT_ID: identityClientId
  // The ingest trigger's connection "EVENTHUB_CONNECTION", identity-based: namespace + which identity.
  EVENTHUB_CONNECTION__fullyQualifiedNamespace: eventHubFullyQualifiedNamespace
  EVENTHUB_CONNECTION__credential: 'managedidentity'
  EVENTHUB_CONNECTION__clientId: identityClientId
  EVENTHUB_NAME: logsHubName
  EVENTHUB_CONSUMER_GROUP: consumerGroupName
  // The SIEM export, sent by the SDK with the identity (AZURE_CLIENT_ID), which holds Data Sender on that hub only.
  WARDEN_ALERT_EXPORT_HUB: alertExportHubName
  WARDEN_ALERT_EXPORT_NAMESPACE: eventHubFullyQualifiedNamespace
  WARDEN_TRUSTED_PROXIES: trustedProxies
  WARDEN_QUARANTINE_RAW_MAX_CHARS: string(quarantineRawMaxChars)
  WARDEN_STORAGE_MAX_ATTEMPTS: string(storageMaxAttempts)
  WARDEN_LAST_SEEN_RESOLUTION_SECONDS: string(lastSeenResolutionSeconds)
  WARDEN_WINDOW_RETENTION_DAYS: string(windowRetentionDays)
  WARDEN_QUARANTINE_RETENTION_DAYS: string(quarantineRetentionDays)
  WARDEN_INACTIVE_DAYS: string(inactiveDays)
  WARDEN_APIM_SUBSCRIPTION_ID: apimSubscriptionId
  WARDEN_APIM_RESOURCE_GROUP: apimResourceGroup
  WARDEN_APIM_SERVICE_NAME: apimServiceName
  WARDEN_BLOCK_ALLOWLIST: blockAllowlist
  WARDEN_TOR_FEED_URLS: torFeedUrls
  WARDEN_THREAT_INTEL_FEED_URLS: threatIntelFeedUrls
  WARDEN_TOR_ALSO_SUSPICIOUS: torAlsoSuspicious
  WARDEN_ALLOWED_LATENESS_MINUTES: string(allowedLatenessMinutes)
  WARDEN_MAX_WINDOWS_PER_RUN: string(maxWindowsPerRun)
  WARDEN_BASELINE_DAYS: baselineDays
  WARDEN_MIN_CLIENT_HISTORY_WINDOWS: minClientHistoryWindows
  WARDEN_MIN_ENDPOINT_HISTORY_WINDOWS: minEndpointHistoryWindows
  WARDEN_SPIKE_FACTOR: spikeFactor
  WARDEN_SPIKE_MAD_MULTIPLIER: spikeMadMultiplier
  WARDEN_CLIENT_SPIKE_FLOOR: clientSpikeFloor
  WARDEN_POPULATION_SPIKE_FLOOR: populationSpikeFloor
  WARDEN_SPRAY_FLOOR: sprayFloor
  WARDEN_UNKNOWN_ENDPOINTS_FLOOR: unknownEndpointsFloor
  WARDEN_MIN_SIZE_SAMPLES: minSizeSamples
  WARDEN_MIN_CLIENT_SIZE_SAMPLES: minClientSizeSamples
  WARDEN_SIZE_FACTOR: sizeFactor
  WARDEN_REQUEST_PAYLOAD_FLOOR_BYTES: requestPayloadFloor
  WARDEN_RESPONSE_PAYLOAD_FLOOR_BYTES: responsePayloadFloor
  WARDEN_LATENCY_FLOOR_MS: latencyFloorMs
  WARDEN_MIN_ENDPOINT_REQUESTS_FOR_PARAMS: minEndpointRequestsForParams
  WARDEN_MIN_PARAM_REQUESTS_FOR_TYPES: minParamRequestsForTypes
  WARDEN_ENUMERATION_FACTOR: enumerationFactor
  WARDEN_ENUMERATION_FLOOR: enumerationFloor
  WARDEN_DISTRIBUTED_ENUMERATION_FLOOR: distributedEnumerationFloor
  WARDEN_DISTRIBUTED_ENUMERATION_MIN_CLIENTS: distributedEnumerationMinClients
}

// The Functions host's own settings. No FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION:
// on Flex Consumption the runtime comes from functionAppConfig.runtime below.
var hostSettings = {
  // Host storage through the identity, service by service; no queue URI, as nothing uses queues.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobServiceUri
  // Lets the host persist its diagnostic events; the identity already holds the table role.
  AzureWebJobsStorage__tableServiceUri: tableServiceUri
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  // Send telemetry with an Entra token for this identity: the component refuses key-only telemetry.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

var appSettings = union(wardenSettings, hostSettings)

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: appServicePlanId
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobServiceUri}${deploymentContainerName}'
          // The platform fetches the package as the identity: no key or SAS in a setting.
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

output name string = functionApp.name
output id string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
