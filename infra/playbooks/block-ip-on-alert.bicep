// Playbook: block the client IP of an API Warden alert.
//
// A Logic App (Consumption) workflow whose Request trigger `manual` receives an alert in
// Defender's continuous-export shape (what API Warden's automation rules and
// POST /api/actions/run-playbook send) and calls API Warden's POST /api/actions/block-ip with
// the alert's IP entities. The workflow itself lives in block-ip-on-alert.workflow.json.
//
// Deploys on its own, into any resource group:
//   az deployment group create -g <rg> -f infra/playbooks/block-ip-on-alert.bicep \
//     -p apiWardenBaseUrl=<API_BASE_URL> functionKey=<key>
// docs/playbooks.md covers the parameters, the key, the role API Warden's identity needs on
// this workflow, and wiring it to an automation rule.

@description('Name of the workflow: the workflowName of API Warden automation rules and run-playbook calls.')
@minLength(1)
@maxLength(80)
param workflowName string = 'block-ip-on-alert'

@description('Region of the workflow.')
param location string = resourceGroup().location

param tags object = {}

@description('Base of API Warden\'s HTTP API, ending in /api without a slash: the azd environment value API_BASE_URL (https://func-api-<token>.azurewebsites.net/api).')
@minLength(1)
param apiWardenBaseUrl string

@secure()
@description('Function key for POST /api/actions/block-ip (a key of the blockIp function, or a host key). Passed to the workflow as a SecureString parameter; never an output.')
param functionKey string

@description('Hours until API Warden lifts the block (expiresAt). 0: no expiry.')
@minValue(0)
@maxValue(8760)
param blockDurationHours int = 24

@description('service: block the address on the whole APIM service. api: only on the API the alert names (service-wide when it names none).')
@allowed([
  'service'
  'api'
])
param blockScope string = 'service'


resource workflow 'Microsoft.Logic/workflows@2019-05-01' = {
  name: workflowName
  location: location
  tags: tags
  // Unused unless API Warden sits behind App Service authentication: then the HTTP action asks
  // for a token as this identity (docs/playbooks.md, "Managed identity").
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    state: 'Enabled'
    definition: loadJsonContent('block-ip-on-alert.workflow.json')
    parameters: {
      apiWardenBaseUrl: { value: apiWardenBaseUrl }
      apiWardenFunctionKey: { value: functionKey }
      blockDurationHours: { value: blockDurationHours }
      blockScope: { value: blockScope }
    }
  }
}

output workflowName string = workflow.name
output workflowId string = workflow.id
// The trigger automation rules name (their default triggerName).
output triggerName string = 'manual'
output principalId string = workflow.identity.principalId
