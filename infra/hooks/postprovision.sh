#!/bin/sh
# azd postprovision hook (azure.yaml, POSIX): says where API Warden answers, how to read a
# function key and what to do next. azd passes the environment's values (main.bicep outputs
# included) as environment variables; to run it again: `azd hooks run postprovision`.
#
# It prints commands and never runs them: no key is ever read, so none can be printed.
set -eu

base_url="${API_BASE_URL:-}"
resource_group="${RESOURCE_GROUP:-}"
app_name="${AZURE_FUNCTION_APP_NAME:-}"

if [ -z "$base_url" ] || [ -z "$resource_group" ] || [ -z "$app_name" ]; then
  echo "API Warden: API_BASE_URL, RESOURCE_GROUP or AZURE_FUNCTION_APP_NAME is not set." >&2
  echo "Run this after provisioning, through azd: azd hooks run postprovision" >&2
  # Only a message is missing: provisioning itself succeeded.
  exit 0
fi

cat <<EOF

API Warden is provisioned.
  API base URL: $base_url
  Health:       $base_url/health
                (answers once the code is deployed: azd up deploys it next, or run azd deploy)

Every route but health needs a function key. To read the default host key into a variable
(the command prints the key, so capture it rather than show it):
  KEY=\$(az functionapp keys list --resource-group "$resource_group" --name "$app_name" --query functionKeys.default --output tsv)
A key valid for one function only, e.g. the block-ip action a playbook calls:
  BLOCK_IP_KEY=\$(az functionapp function keys list --resource-group "$resource_group" --name "$app_name" --function-name blockIp --query default --output tsv)

Next steps:
  1. Connect API Management: send its request logs to the Event Hub "${EVENTHUB_NAME:-apim-logs}" in
     the namespace "${EVENTHUB_NAMESPACE:-(see azd env get-values)}" (README: "Getting APIM's logs to API Warden").
  2. Create sample alerts, to try alerts, automation rules and playbooks:
       curl -X POST "$base_url/alerts/samples" -H "x-functions-key: \$KEY" -H "Content-Type: application/json" -d '{}'
  3. Block the IP of an alert with a Logic App or Sentinel playbook: docs/playbooks.md
EOF
