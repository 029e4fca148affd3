// The app's access to your Logic App playbooks. Deployed into the playbooks' resource group
// (main.bicep: scope resourceGroup(subscription, group)), which may be in another subscription.
//
// Running a playbook takes one ARM call, WorkflowTriggers_ListCallbackUrl, which needs the action
// Microsoft.Logic/workflows/triggers/listCallbackUrl/action; the app then POSTs the alert to the
// signed URL it gets. Built-in roles that include the action (Azure built-in roles, Integration and
// Security categories):
// - Logic App Operator does NOT: it has Microsoft.Logic/*/read and enable/disable/validate only.
// - Logic App Contributor does, through Microsoft.Logic/*, which also lets its holder rewrite or
//   delete every workflow in the group: far more than calling one.
// - Microsoft Sentinel Playbook Operator has exactly workflows/read and triggers/listCallbackUrl
//   (plus their Logic Apps Standard equivalents): the least privilege that works, and the role
//   Microsoft gives people who may run playbooks but not edit them. It is an ordinary Azure role;
//   Microsoft Sentinel need not be deployed anywhere.
// The resource group is the narrowest scope that covers playbooks added later.

@description('Principal (object) id of the Function App\'s user-assigned managed identity.')
param appPrincipalId string

// Built-in role definition ids, from https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var sentinelPlaybookOperatorRoleId = '51d6186e-6489-4900-b93f-92e23144cca5' // Microsoft Sentinel Playbook Operator

// No scope: a role assignment without one applies to the resource group this module deploys to.
resource appPlaybookOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, appPrincipalId, sentinelPlaybookOperatorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', sentinelPlaybookOperatorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}
