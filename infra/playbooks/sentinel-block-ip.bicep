// Microsoft Sentinel playbook: block every IP entity of an incident through API Warden.
//
// A Logic App (Consumption) workflow with the Microsoft Sentinel incident trigger. For each IP
// entity of the incident it calls API Warden's POST /api/actions/block-ip, then comments on the
// incident with the outcome. The Sentinel connection authenticates as the workflow's
// system-assigned managed identity, which needs Microsoft Sentinel Responder on the workspace
// (assigned separately: docs/playbooks.md). The workflow lives in sentinel-block-ip.workflow.json.
//
// Deploys on its own, into any resource group:
//   az deployment group create -g <rg> -f infra/playbooks/sentinel-block-ip.bicep \
//     -p apiWardenBaseUrl=<API_BASE_URL> functionKey=<key>

@description('Name of the workflow, as Sentinel automation rules list it.')
@minLength(1)
@maxLength(80)
param workflowName string = 'sentinel-block-ip'

@description('Region of the workflow and its Sentinel connection.')
param location string = resourceGroup().location

param tags object = {}

@description('Name of the Microsoft Sentinel API connection the workflow uses.')
param connectionName string = 'azuresentinel-${workflowName}'

@description('Base of API Warden\'s HTTP API, ending in /api without a slash: the azd environment value API_BASE_URL (https://func-api-<token>.azurewebsites.net/api).')
@minLength(1)
param apiWardenBaseUrl string

@secure()
@description('Function key for POST /api/actions/block-ip (a key of the blockIp function, or a host key). Passed to the workflow as a SecureString parameter; never an output.')
param functionKey string

@description('Hours until API Warden lifts each block (expiresAt). 0: no expiry.')
@minValue(0)
@maxValue(8760)
param blockDurationHours int = 24

var sentinelApiId = subscriptionResourceId('Microsoft.Web/locations/managedApis', location, 'azuresentinel')

// A managed-identity connection: no user consent, no secret. `kind: 'V1'` (Consumption) and
// `parameterValueType: 'Alternative'` switch a single-authentication connector to the workflow's
// managed identity (Logic Apps docs, "ARM template for API connections and managed identities").
// Bicep's type for this API version does not list them (warnings BCP187, BCP037): disabled below.
resource sentinelConnection 'Microsoft.Web/connections@2016-06-01' = {
  name: connectionName
  location: location
  tags: tags
  #disable-next-line BCP187
  kind: 'V1'
  properties: {
    displayName: connectionName
    customParameterValues: {}
    #disable-next-line BCP037
    parameterValueType: 'Alternative'
    api: {
      id: sentinelApiId
    }
  }
}

resource workflow 'Microsoft.Logic/workflows@2019-05-01' = {
  name: workflowName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    state: 'Enabled'
    definition: loadJsonContent('sentinel-block-ip.workflow.json')
    parameters: {
      '$connections': {
        value: {
          azuresentinel: {
            connectionId: sentinelConnection.id
            connectionName: sentinelConnection.name
            id: sentinelApiId
            connectionProperties: {
              authentication: {
                type: 'ManagedServiceIdentity'
              }
            }
          }
        }
      }
      apiWardenBaseUrl: { value: apiWardenBaseUrl }
      apiWardenFunctionKey: { value: functionKey }
      blockDurationHours: { value: blockDurationHours }
    }
  }
}

output workflowName string = workflow.name
output workflowId string = workflow.id
// Give this identity Microsoft Sentinel Responder on the workspace (docs/playbooks.md).
output principalId string = workflow.identity.principalId
