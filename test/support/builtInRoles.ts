/** Built-in Azure roles the infra and docs may use, for the consistency tests. */
/**
 * Built-in Azure roles the deployment may assign, by role definition id, as published in
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (checked by hand
 * against the Storage, Analytics, Monitor, Integration and Security pages). A role id in infra/
 * that is not here is a typo or an unreviewed new role.
 */
export const BUILT_IN_ROLES: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  'a638d3c7-ab3a-418d-83e6-5f17a39d4fde': 'Azure Event Hubs Data Receiver',
  '2b629674-e913-4c01-ae53-ef4638d8f975': 'Azure Event Hubs Data Sender',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  // Integration: the response actions' policy edits and the inventory sync, on one APIM service.
  '312a565d-c81f-4fd8-895a-4e21e48d571c': 'API Management Service Contributor',
  // Security: workflows/read + triggers/listCallbackUrl, to run playbooks (infra/app/playbooks-rbac.bicep says why not a Logic App role).
  '51d6186e-6489-4900-b93f-92e23144cca5': 'Microsoft Sentinel Playbook Operator',
  // Security, for the Sentinel playbook (docs/playbooks.md): comment on incidents, run playbooks from automation rules.
  '3e150937-b8fe-4cfb-8069-0eaf05ecd056': 'Microsoft Sentinel Responder',
  'f4c81013-99ee-4d62-a7ee-b3f1f648599a': 'Microsoft Sentinel Automation Contributor',
  // Integration: named by the docs as the broader alternative to Playbook Operator.
  '87a39d53-fc1b-424a-814c-f7e04687dc9e': 'Logic App Contributor',
};

