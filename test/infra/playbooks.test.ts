/**
 * The playbooks in infra/playbooks/ and the azd hooks in infra/hooks/, checked against the code.
 *
 * Bicep and Logic Apps cannot run here, so the workflow definitions are run by a small WDL
 * interpreter (./workflowRunner.ts) on alerts made by the real alert code (sampleFindings,
 * newAlert, toDefenderExport): the block-ip request each playbook would send must pass the very
 * schema POST /api/actions/block-ip validates with. The Bicep files are read as text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { functionDefinitions } from '../../functions/registry';
import { defenderAlertSchema, newAlert, playbookRefSchema, sampleFindings, toDefenderExport, type DefenderAlert } from '../../shared/core/alerts';
import { addressActionSchema } from '../../shared/services/actionRequests';
import { BUILT_IN_ROLES } from '../support/builtInRoles';
import { runWorkflow, type HttpCall, type Json, type WorkflowDefinition } from './workflowRunner';

/** Repository root: this file runs as dist/test/infra/playbooks.test.js. */
const root = path.resolve(__dirname, '../../..');

function read(relativePath: string): string {
  const file = path.join(root, relativePath);
  assert.ok(existsSync(file), `${relativePath} is missing`);
  return readFileSync(file, 'utf8');
}

const PLAYBOOKS = ['block-ip-on-alert', 'sentinel-block-ip'] as const;
type Playbook = (typeof PLAYBOOKS)[number];

const definitionText = (playbook: Playbook) => read(`infra/playbooks/${playbook}.workflow.json`);
const definitionOf = (playbook: Playbook) => JSON.parse(definitionText(playbook)) as WorkflowDefinition & Record<string, Json>;
const bicepOf = (playbook: Playbook) => read(`infra/playbooks/${playbook}.bicep`);

const NOW = Date.parse('2026-11-23T09:00:00Z');
const BASE_URL = 'https://func-api-abc123.azurewebsites.net/api';
const KEY = 'test-function-key-0123456789';
const BLOCK_IP_ROUTE = (() => {
  const blockIp = functionDefinitions.find((definition) => definition.name === 'blockIp');
  assert.ok(blockIp !== undefined && blockIp.trigger === 'http');
  assert.deepEqual(blockIp.options.methods, ['POST']);
  return `${BASE_URL}/${blockIp.options.route}`;
})();

type ActionMap = Record<string, { type: string; actions?: ActionMap; else?: { actions: ActionMap }; [key: string]: unknown }>;

/** Every action of a definition, nested ones (If, Foreach) included, by name. */
function allActions(actions: ActionMap): [string, ActionMap[string]][] {
  return Object.entries(actions).flatMap(([name, action]) => [
    [name, action] as [string, ActionMap[string]],
    ...allActions(action.actions ?? {}),
    ...allActions(action.else?.actions ?? {}),
  ]);
}

function httpActionOf(playbook: Playbook): Record<string, unknown> {
  const https = allActions(definitionOf(playbook).actions as ActionMap).filter(([, action]) => action.type === 'Http');
  assert.equal(https.length, 1, `${playbook} has exactly one HTTP action`);
  return https[0]![1];
}

/** Every string in a JSON value. */
function strings(value: Json): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

function sampleAlerts(): DefenderAlert[] {
  return sampleFindings(NOW).map((finding) => toDefenderExport(newAlert(finding, { detectedAt: new Date(NOW), isSample: true })));
}

function ipsOf(alert: DefenderAlert): string[] {
  return alert.Entities.flatMap((entity) => (entity.Type === 'ip' ? [entity.Address] : []));
}

/** The block-ip-on-alert workflow run on one alert, API Warden answering 200. */
function runOnAlert(alert: DefenderAlert, parameters: Record<string, Json> = {}): HttpCall[] {
  return runWorkflow(definitionOf('block-ip-on-alert'), {
    triggerBody: alert as unknown as Json,
    parameters: { apiWardenBaseUrl: BASE_URL, apiWardenFunctionKey: KEY, ...parameters },
    workflowName: 'block-ip-on-alert',
    runName: '08584000000000000000000000000CU00',
    now: new Date(NOW),
    http: () => ({ statusCode: 200, body: { id: 'audit-1', result: 'applied' } }),
  }).httpCalls;
}

/** The body of a block-ip call, validated exactly as the route validates it. */
function blockRequest(call: HttpCall) {
  const parsed = addressActionSchema.safeParse(call.body);
  assert.ok(parsed.success, `the body fails addressActionSchema: ${JSON.stringify(call.body)} ${parsed.error?.message ?? ''}`);
  return parsed.data;
}

function assertBlockCall(call: HttpCall): void {
  assert.equal(call.method, 'POST');
  assert.equal(call.uri, BLOCK_IP_ROUTE);
  assert.equal(call.headers['x-functions-key'], KEY);
  assert.equal(call.headers['Content-Type'], 'application/json');
}

// ---- The workflow definitions ---------------------------------------------------------------

test('both workflow definitions parse, use the 2016-06-01 schema and hold no string ARM would read as a template expression', () => {
  for (const playbook of PLAYBOOKS) {
    const definition = definitionOf(playbook);
    assert.equal(definition.$schema, 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#');
    // loadJsonContent embeds the file in the ARM template, where a string starting with '[' is an expression.
    assert.deepEqual(strings(definition).filter((text) => text.startsWith('[')), [], playbook);
  }
});

test("block-ip-on-alert's trigger is a POST Request trigger named manual, the trigger name API Warden uses by default", () => {
  const triggers = definitionOf('block-ip-on-alert').triggers as Record<string, { type: string; kind: string; inputs: { method: string } }>;
  assert.deepEqual(Object.keys(triggers), ['manual']);
  assert.equal(triggers.manual?.type, 'Request');
  assert.equal(triggers.manual?.kind, 'Http');
  assert.equal(triggers.manual?.inputs.method, 'POST');
  const ref = playbookRefSchema.parse({ subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg', workflowName: 'block-ip-on-alert' });
  assert.equal(ref.triggerName, 'manual', 'automation rules and run-playbook default to the trigger the workflow has');
});

test("the fields the trigger schema declares are fields of Defender's export shape", () => {
  const schema = (definitionOf('block-ip-on-alert').triggers as Record<string, { inputs: { schema: { properties: Record<string, { items?: { properties: object } }> } } }>).manual?.inputs.schema;
  assert.ok(schema !== undefined);
  const exportFields = Object.keys(defenderAlertSchema.shape);
  const unknown = Object.keys(schema.properties).filter((field) => !exportFields.includes(field));
  assert.deepEqual(unknown, [], 'trigger schema fields missing from the export');
  assert.deepEqual(Object.keys(schema.properties.Entities?.items?.properties ?? {}).sort(), ['Address', 'Type']);
});

test('the alert fields the workflow reads are in toDefenderExport output of a sample alert', () => {
  const text = definitionText('block-ip-on-alert');
  const read = new Set([...text.matchAll(/triggerBody\(\)\?\['(\w+)'\]/g)].map((match) => match[1] ?? ''));
  for (const field of ['SystemAlertId', 'AlertDisplayName', 'Entities']) assert.ok(read.has(field), `the workflow reads ${field}`);
  const [alert] = sampleAlerts().filter((sample) => sample.AlertType === 'API_AccessFromTorExitNode');
  assert.ok(alert !== undefined);
  for (const field of read) assert.ok(field in alert, `${field} is not in the exported alert`);
  assert.ok(alert.Entities.some((entity) => entity.Type === 'ip' && 'Address' in entity), 'an ip entity with Address');
  assert.equal(alert.ExtendedProperties.apiId, 'sample-shop', 'ExtendedProperties.apiId, read for blockScope api');
});

test('each workflow calls POST <API_BASE_URL>/actions/block-ip with the key from a SecureString parameter, inputs hidden from run history', () => {
  for (const playbook of PLAYBOOKS) {
    const definition = definitionOf(playbook);
    const http = httpActionOf(playbook) as { inputs: { method: string; uri: string; headers: Record<string, string> }; runtimeConfiguration?: { secureData?: { properties?: string[] } } };
    assert.equal(http.inputs.method, 'POST', playbook);
    assert.equal(http.inputs.uri, "@{parameters('apiWardenBaseUrl')}/actions/block-ip", playbook);
    assert.equal(http.inputs.headers['x-functions-key'], "@parameters('apiWardenFunctionKey')", playbook);
    assert.ok(http.runtimeConfiguration?.secureData?.properties?.includes('inputs'), `${playbook}: the HTTP action's inputs must be secure`);
    const keyParameter = (definition.parameters ?? {}).apiWardenFunctionKey;
    assert.equal(keyParameter?.type.toLowerCase(), 'securestring', playbook);
    assert.equal(keyParameter?.defaultValue, undefined, `${playbook}: the key has no default`);
    // Declared once, used once: in the header of the action whose inputs are secured.
    assert.equal(definitionText(playbook).split('apiWardenFunctionKey').length - 1, 2, `${playbook}: the key is used only in the HTTP header`);
  }
});

// ---- block-ip-on-alert, run on every sample alert ------------------------------------------

test('block-ip-on-alert sends, for every sample alert with an IP, a block-ip request that passes addressActionSchema', () => {
  const alerts = sampleAlerts();
  const withIp = alerts.filter((alert) => ipsOf(alert).length > 0);
  assert.ok(withIp.length > 0 && withIp.length < alerts.length, 'samples with and without an IP entity');
  for (const alert of alerts) {
    const calls = runOnAlert(alert);
    if (ipsOf(alert).length === 0) {
      assert.deepEqual(calls, [], `${alert.AlertType} has no IP entity: nothing to block`);
      continue;
    }
    assert.equal(calls.length, 1, alert.AlertType);
    assertBlockCall(calls[0]!);
    const body = blockRequest(calls[0]!);
    assert.deepEqual(body.addresses, ipsOf(alert));
    assert.equal(body.alertId, alert.SystemAlertId);
    assert.ok(body.reason.includes(alert.AlertDisplayName) && body.reason.includes(alert.AlertType), body.reason);
    assert.equal(body.requestedBy, 'playbook block-ip-on-alert (run 08584000000000000000000000000CU00)');
    assert.equal(Date.parse(body.expiresAt ?? ''), NOW + 24 * 3_600_000, 'blockDurationHours defaults to 24');
    assert.equal(body.apiId, undefined, 'blockScope defaults to the whole service');
  }
});

test('block-ip-on-alert: blockDurationHours 0 sets no expiry', () => {
  const [alert] = sampleAlerts().filter((sample) => ipsOf(sample).length > 0);
  assert.ok(alert !== undefined);
  const [call] = runOnAlert(alert, { blockDurationHours: 0 });
  assert.ok(call !== undefined);
  assert.equal(blockRequest(call).expiresAt, undefined);
});

test("block-ip-on-alert: blockScope api blocks on the alert's API, and service-wide when the alert names none", () => {
  const alerts = sampleAlerts().filter((alert) => ipsOf(alert).length > 0);
  const onApi = alerts.find((alert) => alert.ExtendedProperties.apiId !== undefined);
  const noApi = alerts.find((alert) => alert.ExtendedProperties.apiId === undefined);
  assert.ok(onApi !== undefined && noApi !== undefined);
  const [scoped] = runOnAlert(onApi, { blockScope: 'api' });
  assert.equal(blockRequest(scoped!).apiId, onApi.ExtendedProperties.apiId);
  const [global] = runOnAlert(noApi, { blockScope: 'api' });
  assert.equal(blockRequest(global!).apiId, undefined, `${noApi.AlertType} names no API`);
});

// ---- sentinel-block-ip, run on an incident --------------------------------------------------

const INCIDENT_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-soc/providers/Microsoft.OperationalInsights/workspaces/soc/providers/Microsoft.SecurityInsights/Incidents/6b3f1d2e-1111-4c4c-9a9a-123456789abc';

/** The Sentinel connection's key in $connections, as sentinel-block-ip.bicep writes it. */
function sentinelConnectionKey(): string {
  const match = /'\$connections':\s*\{\s*value:\s*\{\s*(\w+):/.exec(bicepOf('sentinel-block-ip'));
  assert.ok(match !== null, 'sentinel-block-ip.bicep sets $connections');
  return match[1] ?? '';
}

test('sentinel-block-ip blocks each IP entity of an incident and comments the outcome on the incident', () => {
  const connectionId = '/subscriptions/s/resourceGroups/rg-soc/providers/Microsoft.Web/connections/azuresentinel-sentinel-block-ip';
  interface RelatedEntity {
    kind: string;
    properties: { address?: string; accountName?: string };
  }
  const relatedEntities: RelatedEntity[] = [
    { kind: 'Ip', properties: { address: '203.0.113.9' } },
    { kind: 'Account', properties: { accountName: 'ana' } },
    { kind: 'Ip', properties: { address: '10.1.2.3' } },
  ];
  const incident = {
    object: {
      id: INCIDENT_ID,
      properties: {
        incidentNumber: 4711,
        title: 'API Warden: API_SprayInRequests on shop-api',
        relatedEntities,
      },
    },
  };
  const answers: Record<string, { statusCode: number; body: Json }> = {
    '203.0.113.9': { statusCode: 200, body: { id: 'audit-7', result: 'applied' } },
    '10.1.2.3': { statusCode: 400, body: { error: { code: 'validation', message: 'addresses.0: 10.1.2.3 is on WARDEN_BLOCK_ALLOWLIST', field: 'addresses.0' } } },
  };
  const run = runWorkflow(definitionOf('sentinel-block-ip'), {
    triggerBody: incident as unknown as Json,
    parameters: {
      $connections: { [sentinelConnectionKey()]: { connectionId } },
      apiWardenBaseUrl: BASE_URL,
      apiWardenFunctionKey: KEY,
    },
    workflowName: 'sentinel-block-ip',
    runName: 'run-1',
    now: new Date(NOW),
    http: (call) => answers[(blockRequest(call).addresses[0] ?? '') as string] ?? { statusCode: 500, body: null },
    // Stand-in for the connector: "Entities - Get IPs" returns the incident's IP entities as { IPs: [{ Address }] }.
    connector: (call): Json => {
      if (call.path !== '/entities/ip') return {};
      const entities = call.body as unknown as RelatedEntity[];
      return { IPs: entities.filter((entity) => entity.kind === 'Ip').map((entity) => ({ Address: entity.properties.address ?? null })) };
    },
  });

  assert.deepEqual(
    run.httpCalls.map((call) => blockRequest(call).addresses),
    [['203.0.113.9'], ['10.1.2.3']],
  );
  for (const call of run.httpCalls) {
    assertBlockCall(call);
    const body = blockRequest(call);
    assert.equal(body.reason, 'Microsoft Sentinel incident 4711: API Warden: API_SprayInRequests on shop-api');
    assert.equal(body.alertId, undefined, "an incident's alerts are Sentinel's, not API Warden alert ids");
    assert.equal(Date.parse(body.expiresAt ?? ''), NOW + 24 * 3_600_000);
  }
  const comments = run.connectorCalls.filter((call) => call.path === '/Incidents/Comment');
  assert.equal(comments.length, 2, 'one comment per IP, after a refusal too');
  for (const call of run.connectorCalls) assert.equal(call.connection, connectionId, call.path);
  assert.deepEqual(
    comments.map((call) => (call.body as { incidentArmId: string }).incidentArmId),
    [INCIDENT_ID, INCIDENT_ID],
  );
  const [applied, refused] = comments.map((call) => (call.body as { message: string }).message);
  assert.match(applied ?? '', /203\.0\.113\.9: HTTP 200, applied\. Audit record: audit-7\./);
  assert.match(refused ?? '', /10\.1\.2\.3: HTTP 400, addresses\.0: 10\.1\.2\.3 is on WARDEN_BLOCK_ALLOWLIST\. Audit record: none\./);
});

test('sentinel-block-ip is triggered by Sentinel incidents through an azuresentinel connection that uses the managed identity', () => {
  const triggers = definitionOf('sentinel-block-ip').triggers as Record<string, { type: string; inputs: { path: string; host: { connection: { name: string } } } }>;
  const trigger = triggers.Microsoft_Sentinel_incident;
  assert.ok(trigger !== undefined);
  assert.equal(trigger.type, 'ApiConnectionWebhook');
  assert.equal(trigger.inputs.path, '/incident-creation');
  assert.equal(trigger.inputs.host.connection.name, `@parameters('$connections')['${sentinelConnectionKey()}']['connectionId']`);
  const bicep = bicepOf('sentinel-block-ip');
  assert.equal(sentinelConnectionKey(), 'azuresentinel');
  assert.match(bicep, /subscriptionResourceId\('Microsoft\.Web\/locations\/managedApis', location, 'azuresentinel'\)/);
  assert.match(bicep, /parameterValueType: 'Alternative'/);
  assert.match(bicep, /connectionProperties: \{\s*authentication: \{\s*type: 'ManagedServiceIdentity'\s*\}/);
});

// ---- The Bicep files ------------------------------------------------------------------------

test('each Bicep file loads its workflow JSON, passes every workflow parameter, and takes the key as a @secure() parameter it never outputs', () => {
  for (const playbook of PLAYBOOKS) {
    const bicep = bicepOf(playbook);
    assert.match(bicep, new RegExp(`definition: loadJsonContent\\('${playbook}\\.workflow\\.json'\\)`), playbook);
    assert.match(bicep, /resource workflow 'Microsoft\.Logic\/workflows@2019-05-01'/);
    assert.match(bicep, /identity: \{\s*type: 'SystemAssigned'\s*\}/, `${playbook}: a system-assigned identity`);
    assert.match(bicep, /@secure\(\)\n(?:@\w+\(.*\)\n)*param functionKey string\n/, `${playbook}: functionKey must be @secure()`);
    const passed = [...bicep.matchAll(/^\s+(\w+): \{ value: (\w+) \}$/gm)].map((match) => [match[1], match[2]]);
    assert.deepEqual(passed.find(([name]) => name === 'apiWardenFunctionKey'), ['apiWardenFunctionKey', 'functionKey']);
    const declared = Object.keys(definitionOf(playbook).parameters ?? {}).filter((name) => name !== '$connections');
    assert.deepEqual(passed.map(([name]) => name).sort(), declared.sort(), `${playbook}: the parameters Bicep passes`);
    const outputs = bicep.split('\n').filter((line) => line.startsWith('output '));
    assert.ok(outputs.length > 0);
    for (const line of outputs) assert.doesNotMatch(line, /functionKey|apiWardenFunctionKey/, `${playbook} outputs the key: ${line}`);
  }
});

// ---- The azd hooks --------------------------------------------------------------------------

const HOOK_ENV = {
  API_BASE_URL: BASE_URL,
  RESOURCE_GROUP: 'rg-warden-prod',
  AZURE_FUNCTION_APP_NAME: 'func-api-abc123',
  EVENTHUB_NAMESPACE: 'evhns-abc123',
  EVENTHUB_NAME: 'apim-logs',
};

const KEY_COMMANDS = [
  `az functionapp keys list --resource-group "rg-warden-prod" --name "func-api-abc123" --query functionKeys.default --output tsv`,
  `az functionapp function keys list --resource-group "rg-warden-prod" --name "func-api-abc123" --function-name blockIp --query default --output tsv`,
];

function mainBicepOutputs(): string[] {
  return [...read('infra/main.bicep').matchAll(/^output\s+(\w+)\s/gm)].map((match) => match[1] ?? '');
}

test('azure.yaml runs the postprovision hook: sh on POSIX, pwsh on Windows, both scripts present', () => {
  const yaml = read('azure.yaml');
  const hook = /^hooks:\n {2}postprovision:\n((?: {4}.*\n?)*)/m.exec(yaml.replace(/^\s*#.*\n/gm, ''));
  assert.ok(hook !== null, 'azure.yaml has hooks.postprovision');
  const body = hook[1] ?? '';
  assert.match(body, /^ {4}posix:\n {6}shell: sh\n {6}run: \.\/infra\/hooks\/postprovision\.sh\n/m);
  assert.match(body, /^ {4}windows:\n {6}shell: pwsh\n {6}run: \.\/infra\/hooks\/postprovision\.ps1\n/m);
  for (const script of ['infra/hooks/postprovision.sh', 'infra/hooks/postprovision.ps1']) read(script);
});

test('the hooks read only values main.bicep outputs', () => {
  const outputs = mainBicepOutputs();
  // sh: $NAME or ${NAME...}, not escaped (\$KEY is printed text).
  const sh = [...read('infra/hooks/postprovision.sh').matchAll(/(?<!\\)\$\{?([A-Z][A-Z0-9_]*)/g)].map((match) => match[1] ?? '');
  const ps1 = [...read('infra/hooks/postprovision.ps1').matchAll(/\$env:([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] ?? '');
  assert.ok(sh.length > 0 && ps1.length > 0);
  for (const name of [...sh, ...ps1]) assert.ok(outputs.includes(name), `${name} is not a main.bicep output`);
  assert.deepEqual([...new Set(sh)].sort(), [...new Set(ps1)].sort(), 'both hooks read the same values');
});

test("docs/deploy.md's table of azd values: its outputs are main.bicep outputs, and it names every value the hooks read", () => {
  const docs = read('docs/deploy.md');
  const start = docs.indexOf('## After provisioning');
  assert.ok(start !== -1, 'docs/deploy.md has the "After provisioning" section');
  const section = docs.slice(start, docs.indexOf('\n## ', start + 1));
  const outputs = mainBicepOutputs();
  const documented = section.split('\n').filter((line) => /^\| [^|]+ \| output \|/.test(line)).flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`(\w+)`/g)].map((match) => match[1] ?? ''));
  assert.ok(documented.length > 0);
  for (const name of documented) assert.ok(outputs.includes(name), `${name} is documented as an output but main.bicep has none`);
  const hookReads = [...read('infra/hooks/postprovision.ps1').matchAll(/\$env:(\w+)/g)].map((match) => match[1] ?? '');
  for (const name of hookReads) assert.ok(documented.includes(name), `the hook reads ${name}, which the table does not name`);
});

test('the POSIX hook prints the URLs and the exact key commands, and runs nothing that could print a key', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-hook-'));
  try {
    // An `az` first on PATH that would leave a mark and print a key if the hook ever ran it.
    const marker = path.join(dir, 'az-was-run');
    writeFileSync(path.join(dir, 'az'), `#!/bin/sh\ntouch "${marker}"\necho LEAKED-KEY-VALUE\n`);
    chmodSync(path.join(dir, 'az'), 0o755);
    const run = (env: Record<string, string>) =>
      spawnSync('sh', [path.join(root, 'infra/hooks/postprovision.sh')], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin`, ...env } });

    const result = run(HOOK_ENV);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.stdout.includes(`API base URL: ${BASE_URL}\n`), result.stdout);
    assert.ok(result.stdout.includes(`Health:       ${BASE_URL}/health\n`), result.stdout);
    assert.ok(result.stdout.includes(`KEY=$(${KEY_COMMANDS[0]})`), 'the host-key command, captured into $KEY');
    assert.ok(result.stdout.includes(`BLOCK_IP_KEY=$(${KEY_COMMANDS[1]})`), 'the blockIp function-key command');
    assert.ok(result.stdout.includes(`curl -X POST "${BASE_URL}/alerts/samples" -H "x-functions-key: $KEY"`), 'the sample-alerts call, key by reference');
    assert.ok(result.stdout.includes('"evhns-abc123"') && result.stdout.includes('docs/playbooks.md'));
    assert.equal(existsSync(marker), false, 'the hook ran az');
    assert.doesNotMatch(result.stdout + result.stderr, /LEAKED-KEY-VALUE/);

    const unset = run({});
    assert.equal(unset.status, 0, 'a missing value does not fail azd provision');
    assert.equal(unset.stdout, '');
    assert.match(unset.stderr, /azd hooks run postprovision/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the PowerShell hook prints the same commands (read as text: PowerShell is not installed here)', () => {
  const script = read('infra/hooks/postprovision.ps1');
  const hereString = /^Write-Host @"\n([\s\S]*?)\n"@$/m.exec(script);
  assert.ok(hereString !== null, 'the message is one expandable here-string');
  // Outside the printed text, nothing runs a command.
  const code = script.replace(hereString[0], '');
  assert.doesNotMatch(code, /\baz\b|Invoke-Expression|\biex\b|Invoke-RestMethod|&\s*\S/, 'the hook must only print');
  const variables: Record<string, string> = {
    baseUrl: HOOK_ENV.API_BASE_URL,
    resourceGroup: HOOK_ENV.RESOURCE_GROUP,
    appName: HOOK_ENV.AZURE_FUNCTION_APP_NAME,
    hubName: HOOK_ENV.EVENTHUB_NAME,
    namespace: HOOK_ENV.EVENTHUB_NAMESPACE,
  };
  // PowerShell's expansion: `$ is a literal $, $name a variable.
  const printed = (hereString[1] ?? '').replace(/(`?)\$(\w+)/g, (_whole: string, escaped: string, name: string) => {
    if (escaped !== '') return `$${name}`;
    const value = variables[name];
    assert.ok(value !== undefined, `the here-string uses $${name}, which the script does not set`);
    return value;
  });
  assert.ok(printed.includes(`$KEY = ${KEY_COMMANDS[0]}`), printed);
  assert.ok(printed.includes(`$BLOCK_IP_KEY = ${KEY_COMMANDS[1]}`), printed);
  assert.ok(printed.includes(`Health:       ${BASE_URL}/health`));
  assert.ok(printed.includes(`-Uri "${BASE_URL}/alerts/samples" -Headers @{ 'x-functions-key' = $KEY }`));
});

// ---- docs/playbooks.md ----------------------------------------------------------------------

/** Roles docs/playbooks.md must give the id of: the Sentinel playbook's, and API Warden's on the playbooks. */
const PLAYBOOK_ROLES = ['Microsoft Sentinel Responder', 'Microsoft Sentinel Automation Contributor', 'Microsoft Sentinel Playbook Operator'];
/** GUIDs that are not roles: Microsoft Sentinel's first-party app ("Azure Security Insights") and the placeholder. */
const OTHER_GUIDS: Record<string, string> = {
  '98785600-1bb7-4fb9-b9fa-19afe2c8a360': 'Azure Security Insights',
  '00000000-0000-0000-0000-000000000000': 'placeholder',
};

test('every GUID in the playbook docs and Bicep is a documented built-in role named beside it, Sentinel\'s app id or the placeholder', () => {
  const files = ['docs/playbooks.md', ...readdirSync(path.join(root, 'infra/playbooks')).map((name) => `infra/playbooks/${name}`)];
  const roleIds = new Set<string>();
  for (const file of files) {
    for (const line of read(file).split('\n')) {
      for (const [guid] of line.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi)) {
        const id = guid.toLowerCase();
        const role = BUILT_IN_ROLES[id];
        const other = OTHER_GUIDS[id];
        assert.ok(role !== undefined || other !== undefined, `${file}: unknown GUID ${guid}`);
        if (role !== undefined) {
          assert.ok(line.includes(role), `${file}: ${guid} must be named ${role} on its line: ${line}`);
          roleIds.add(id);
        }
      }
    }
  }
  assert.deepEqual([...roleIds].map((id) => BUILT_IN_ROLES[id]).sort(), [...PLAYBOOK_ROLES].sort(), 'the docs give the id of every role they need');
});

test('docs/playbooks.md documents every parameter of both playbooks and the calls it relies on', () => {
  const docs = read('docs/playbooks.md');
  for (const playbook of PLAYBOOKS) {
    assert.ok(docs.includes(`infra/playbooks/${playbook}.bicep`), playbook);
    for (const [, name] of bicepOf(playbook).matchAll(/^param (\w+) /gm)) assert.ok(docs.includes(`\`${name}\``), `${playbook}: parameter ${name} is not documented`);
  }
  for (const route of ['/api/automation-rules', '/api/alerts/samples', '/api/actions/run-playbook', '/api/actions/block-ip']) assert.ok(docs.includes(route), route);
});
