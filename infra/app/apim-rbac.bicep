// Access on and from your existing API Management service. Deployed into the service's own
// resource group (main.bicep: scope resourceGroup(subscription, group)), which may be in another
// subscription.
// - The app's identity gets API Management Service Contributor on this one service: response
//   actions write policies (global, API, operation) and an API's subscriptionRequired flag, and the
//   inventory sync reads APIs, operations, products and subscriptions. The narrower built-in roles
//   cannot write: API Management Service Operator manages the service but not its APIs or policies,
//   and the Reader role only reads.
// - With APIM_LOGS=logger, the identity APIM's event-hub logger authenticates with is looked up
//   here and returned, so that rbac.bicep can give it Azure Event Hubs Data Sender on apim-logs.

@description('Name of the API Management service, in this resource group.')
param apimServiceName string

@description('Principal (object) id of the Function App\'s user-assigned managed identity.')
param appPrincipalId string

@description('Look up the identity APIM\'s event-hub logger sends with (APIM_LOGS=logger).')
param forLogger bool = false

@description('Resource id of a user-assigned identity attached to the APIM service for its logger. Empty: the service\'s system-assigned identity.')
param loggerIdentityId string = ''

// Built-in role definition ids, from https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var apiManagementServiceContributorRoleId = '312a565d-c81f-4fd8-895a-4e21e48d571c' // API Management Service Contributor

var useUserAssigned = !empty(loggerIdentityId)
var loggerIdentitySegments = split(loggerIdentityId, '/')
// /subscriptions/<id>/resourceGroups/<name>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>.
// Without one, harmless stand-ins: ARM evaluates only the branch of a condition that is taken.
var loggerIdentitySubscriptionId = useUserAssigned ? loggerIdentitySegments[2] : subscription().subscriptionId
var loggerIdentityResourceGroup = useUserAssigned ? loggerIdentitySegments[4] : resourceGroup().name

resource apim 'Microsoft.ApiManagement/service@2022-08-01' existing = {
  name: apimServiceName
}

resource loggerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = if (forLogger && useUserAssigned) {
  scope: resourceGroup(loggerIdentitySubscriptionId, loggerIdentityResourceGroup)
  name: useUserAssigned ? last(loggerIdentitySegments) : 'none'
}

resource appApimContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(apim.id, appPrincipalId, apiManagementServiceContributorRoleId)
  scope: apim
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', apiManagementServiceContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The logger needs a managed identity on the service: a system-assigned one must be switched on
// before provisioning, a user-assigned one must be attached to the service (docs/deploy.md).
output loggerPrincipalId string = !forLogger
  ? ''
  : useUserAssigned ? loggerIdentity.properties.principalId : apim.identity.principalId
// The logger's credentials.identityClientId: a client id, or 'SystemAssigned'.
output loggerIdentityClientId string = !forLogger
  ? ''
  : useUserAssigned ? loggerIdentity.properties.clientId : 'SystemAssigned'
