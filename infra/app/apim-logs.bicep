// Sends your existing API Management service's request logs to the apim-logs event hub, one of two
// ways (APIM_LOGS; docs/deploy.md compares them). Deployed into the service's own resource group.
//
// - diagnosticSetting: an Azure Monitor diagnostic setting streams the GatewayLogs category, and
//   the service's `azuremonitor` diagnostic is set to put the headers the parser reads into those
//   records. Classic and v2 tiers only: Consumption and the self-hosted gateway emit no resource logs.
// - logger: an event-hub logger that authenticates with the service's managed identity, and the
//   policy fragment api-warden-log that builds one record per request (docs/log-to-eventhub.md).
//   Bicep cannot merge XML, so this module does NOT touch any policy: including the fragment in your
//   global policy is one paste, in docs/deploy.md, that keeps everything else in that policy.
//
// Either way, each request must be logged once: switching modes does not remove the other one.

@description('Name of the API Management service, in this resource group.')
param apimServiceName string

@description('How APIM\'s logs reach the hub.')
@allowed([
  'diagnosticSetting'
  'logger'
])
param mode string

@description('Event Hub the logs go to (apim-logs).')
param logsHubName string

@description('Host name of the Event Hubs namespace (NAME.servicebus.windows.net), for the logger.')
param eventHubFullyQualifiedNamespace string

@description('Namespace-level shared access rule the diagnostic setting streams with (mode diagnosticSetting).')
param diagnosticSettingRuleId string = ''

@description('credentials.identityClientId of the logger: \'SystemAssigned\' or a user-assigned identity\'s client id (mode logger).')
param loggerIdentityClientId string = ''

@description('Name of the diagnostic setting on the APIM service.')
param diagnosticSettingName string = 'api-warden'

// The names the policy fragment refers to; test/infra keeps them equal to docs/log-to-eventhub.md.
var loggerName = 'api-warden-logger'
var fragmentName = 'api-warden-log'

// The request and response headers shared/core/parse/gatewayLogs.ts reads from GatewayLogs: the
// User-Agent detector, the client IP behind trusted proxies, and sizes from Content-Length.
// APIM logs no header unless its diagnostic lists it.
var gatewayLogsRequestHeaders = [
  'User-Agent'
  'X-Forwarded-For'
  'Content-Length'
]
var gatewayLogsResponseHeaders = [
  'Content-Length'
]

var viaDiagnosticSetting = mode == 'diagnosticSetting'
var viaLogger = mode == 'logger'

resource apim 'Microsoft.ApiManagement/service@2022-08-01' existing = {
  name: apimServiceName
}

// ---- mode diagnosticSetting --------------------------------------------------------------

// Azure Monitor streams to Event Hubs only with a namespace-level SAS rule, and only to a
// namespace in the service's region.
resource gatewayLogsToHub 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (viaDiagnosticSetting) {
  name: diagnosticSettingName
  scope: apim
  properties: {
    eventHubAuthorizationRuleId: diagnosticSettingRuleId
    eventHubName: logsHubName
    logs: [
      {
        category: 'GatewayLogs'
        enabled: true
      }
    ]
  }
}

// The built-in logger behind resource logs; declared so the diagnostic below can name it.
resource azureMonitorLogger 'Microsoft.ApiManagement/service/loggers@2022-08-01' = if (viaDiagnosticSetting) {
  parent: apim
  name: 'azuremonitor'
  properties: {
    loggerType: 'azureMonitor'
    isBuffered: true
  }
}

// What GatewayLogs records carry, for all APIs. This REPLACES the service-level azuremonitor
// diagnostic (body bytes, masking and other headers you set there are reset); an API with its own
// azuremonitor diagnostic overrides it and must list these headers itself.
resource azureMonitorDiagnostic 'Microsoft.ApiManagement/service/diagnostics@2022-08-01' = if (viaDiagnosticSetting) {
  parent: apim
  name: 'azuremonitor'
  properties: {
    loggerId: azureMonitorLogger.id
    // Every request: baselines and window counts assume nothing is sampled away.
    sampling: {
      samplingType: 'fixed'
      percentage: 100
    }
    alwaysLog: 'allErrors'
    verbosity: 'information'
    // callerIpAddress is required by the parser (a record without it is quarantined as missing_ip).
    logClientIp: true
    frontend: {
      request: {
        headers: gatewayLogsRequestHeaders
        body: {
          bytes: 0
        }
      }
      response: {
        headers: gatewayLogsResponseHeaders
        body: {
          bytes: 0
        }
      }
    }
  }
}

// ---- mode logger ---------------------------------------------------------------------------

// Authenticates with the service's managed identity, which rbac.bicep makes an Azure Event Hubs
// Data Sender on apim-logs only, so the namespace keeps refusing SAS keys.
resource wardenLogger 'Microsoft.ApiManagement/service/loggers@2022-08-01' = if (viaLogger) {
  parent: apim
  name: loggerName
  properties: {
    loggerType: 'azureEventHub'
    description: 'API Warden request log (apim-logs)'
    credentials: {
      endpointAddress: eventHubFullyQualifiedNamespace
      identityClientId: loggerIdentityClientId
      name: logsHubName
    }
  }
}

// A new, named fragment: creating it changes no request until a policy includes it.
resource wardenLogFragment 'Microsoft.ApiManagement/service/policyFragments@2022-08-01' = if (viaLogger) {
  parent: apim
  name: fragmentName
  properties: {
    description: 'API Warden: one log-to-eventhub record per request (docs/log-to-eventhub.md)'
    // rawxml: the policy expressions keep their quotes unescaped, as in the editor.
    format: 'rawxml'
    value: loadTextContent('api-warden-log.xml')
  }
  dependsOn: [
    wardenLogger
  ]
}

// The two lines to add to the global (All APIs) policy, in <outbound> and in <on-error>.
output includeFragment string = viaLogger ? '<include-fragment fragment-id="${fragmentName}" />' : ''
