# azd postprovision hook (azure.yaml, Windows): says where API Warden answers, how to read a
# function key and what to do next. azd passes the environment's values (main.bicep outputs
# included) as environment variables; to run it again: `azd hooks run postprovision`.
#
# It prints commands and never runs them: no key is ever read, so none can be printed.
$ErrorActionPreference = 'Stop'

$baseUrl = $env:API_BASE_URL
$resourceGroup = $env:RESOURCE_GROUP
$appName = $env:AZURE_FUNCTION_APP_NAME

if (-not $baseUrl -or -not $resourceGroup -or -not $appName) {
    Write-Warning 'API Warden: API_BASE_URL, RESOURCE_GROUP or AZURE_FUNCTION_APP_NAME is not set.'
    Write-Warning 'Run this after provisioning, through azd: azd hooks run postprovision'
    # Only a message is missing: provisioning itself succeeded.
    exit 0
}

$hubName = if ($env:EVENTHUB_NAME) { $env:EVENTHUB_NAME } else { 'apim-logs' }
$namespace = if ($env:EVENTHUB_NAMESPACE) { $env:EVENTHUB_NAMESPACE } else { '(see azd env get-values)' }

Write-Host @"

API Warden is provisioned.
  API base URL: $baseUrl
  Health:       $baseUrl/health
                (answers once the code is deployed: azd up deploys it next, or run azd deploy)

Every route but health needs a function key. To read the default host key into a variable
(the command prints the key, so capture it rather than show it):
  `$KEY = az functionapp keys list --resource-group "$resourceGroup" --name "$appName" --query functionKeys.default --output tsv
A key valid for one function only, e.g. the block-ip action a playbook calls:
  `$BLOCK_IP_KEY = az functionapp function keys list --resource-group "$resourceGroup" --name "$appName" --function-name blockIp --query default --output tsv

Next steps:
  1. Connect API Management: send its request logs to the Event Hub "$hubName" in
     the namespace "$namespace" (README: "Getting APIM's logs to API Warden").
  2. Create sample alerts, to try alerts, automation rules and playbooks:
       Invoke-RestMethod -Method Post -Uri "$baseUrl/alerts/samples" -Headers @{ 'x-functions-key' = `$KEY } -ContentType 'application/json' -Body '{}'
  3. Block the IP of an alert with a Logic App or Sentinel playbook: docs/playbooks.md
"@
