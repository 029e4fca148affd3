/**
 * Static checks of the APIM wiring (infra/main.bicep, infra/app/apim-*.bicep, playbooks-rbac.bicep,
 * eventhubs.bicep) against the code and the docs, reading the Bicep as text (test/support/bicep.ts).
 * Names, headers and categories are taken from the code, never copied into this test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { functionDefinitions } from '../../functions/registry';
import { parseConfig } from '../../shared/config';
import { CidrSet } from '../../shared/core/ip';
import { GATEWAY_LOGS_CATEGORY, parseGatewayLogRecord } from '../../shared/core/parse/gatewayLogs';
import { Settings } from '../../shared/settings';
import {
  bicepFiles,
  declaration,
  mapBody,
  moduleParams,
  nested,
  parameters,
  read,
  readBicep,
  stringArrayVar,
  stringVar,
  topLevelEntries,
} from '../support/bicep';

const main = readBicep('infra/main.bicep');
const api = readBicep('infra/app/api.bicep');
const eventHubs = readBicep('infra/app/eventhubs.bicep');
const rbac = readBicep('infra/app/rbac.bicep');
const apimRbac = readBicep('infra/app/apim-rbac.bicep');
const apimLogs = readBicep('infra/app/apim-logs.bicep');

/** The Function App's app settings: name → Bicep expression. */
function wardenSettings(): Map<string, string> {
  const body = mapBody(api, 'wardenSettings');
  assert.ok(body !== undefined, 'api.bicep has no wardenSettings map');
  return topLevelEntries(body);
}

/** Trims each line and drops blank ones, so that indentation (a Markdown list, a file) does not count. */
function normalizedLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** The first ```xml block of a Markdown file. */
function firstXmlBlock(markdown: string): string {
  const match = /```xml\r?\n([\s\S]*?)```/.exec(markdown);
  assert.ok(match !== null, 'no ```xml block');
  return match[1] ?? '';
}

/** The header names gatewayLogs.ts reads from a record's requestHeaders or responseHeaders. */
function headersTheParserReads(collection: 'requestHeaders' | 'responseHeaders'): string[] {
  const source = read('shared/core/parse/gatewayLogs.ts');
  return [...source.matchAll(new RegExp(`headerValue\\(\\s*${collection}\\s*,\\s*'([^']+)'\\s*\\)`, 'g'))].map((match) => match[1] ?? '');
}

const lower = (names: string[]) => names.map((name) => name.toLowerCase()).sort();

test('hub and consumer-group names agree between the code, the Bicep and local.settings.sample.json', () => {
  const defaults = parseConfig({ [Settings.tablesConnectionString]: 'UseDevelopmentStorage=true' });
  const sample = (JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> }).Values;
  assert.equal(stringVar(eventHubs, 'logsHubName'), defaults.eventHubName);
  assert.equal(stringVar(eventHubs, 'consumerGroupName'), defaults.eventHubConsumerGroup);
  assert.equal(sample[Settings.eventHubName], defaults.eventHubName);
  assert.equal(sample[Settings.eventHubConsumerGroup], defaults.eventHubConsumerGroup);

  // eventhubs.bicep's names reach the app settings through main.bicep and api.bicep unchanged.
  const passed = moduleParams(main, 'api');
  const settings = wardenSettings();
  for (const [setting, param, output] of [
    [Settings.eventHubName, 'logsHubName', 'logsHubName'],
    [Settings.eventHubConsumerGroup, 'consumerGroupName', 'consumerGroupName'],
    [Settings.alertExportHub, 'alertExportHubName', 'alertExportHubName'],
    [Settings.eventHubNamespace, 'eventHubFullyQualifiedNamespace', 'fullyQualifiedNamespace'],
  ] as const) {
    assert.equal(settings.get(setting), param, `api.bicep: ${setting} must be the ${param} parameter`);
    assert.equal(passed.get(param), `eventHubs.outputs.${output}`, `main.bicep: api's ${param} must come from eventhubs.bicep`);
  }
  assert.match(eventHubs, /^output logsHubName string = logsHub\.name$/m);
  assert.match(eventHubs, /^output consumerGroupName string = consumerGroup\.name$/m);
  assert.match(eventHubs, /^output alertExportHubName string = alertExportHub\.name$/m);
});

test('every app setting a function binds to (%NAME%, connection prefix) is deployed and in the sample', () => {
  const settings = wardenSettings();
  const sample = (JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> }).Values;
  let bindings = 0;
  for (const definition of functionDefinitions) {
    for (const value of Object.values(definition.options)) {
      const name = typeof value === 'string' ? /^%(\w+)%$/.exec(value)?.[1] : undefined;
      if (name === undefined) continue;
      bindings += 1;
      assert.ok(settings.has(name), `${definition.name} binds to %${name}%, which api.bicep does not set`);
      assert.ok(name in sample, `${definition.name} binds to %${name}%, which local.settings.sample.json lacks`);
    }
    if (definition.trigger === 'eventHub') {
      const connection = definition.options.connection ?? '';
      assert.ok(settings.has(`${connection}__fullyQualifiedNamespace`), `${definition.name}: no identity-based ${connection}__* in api.bicep`);
    }
  }
  assert.ok(bindings >= 2, 'the ingest trigger binds its hub and consumer group to settings');
});

test('the APIM service and playbook group are taken apart from their ids the way the code expects', () => {
  const subscriptionId = '3f06647e-1c2b-4b8e-9d1a-530eb9f15261';
  const apimId = `/subscriptions/${subscriptionId}/resourceGroups/rg-apis/providers/Microsoft.ApiManagement/service/contoso-apim`;
  const segment = (source: string, variable: string, segments: string) => {
    const match = new RegExp(`^var\\s+${variable}\\s*=\\s*\\w+\\s*\\?\\s*(?:${segments}\\[(\\d)\\]|last\\(${segments}\\))\\s*:`, 'm').exec(source);
    assert.ok(match !== null, `main.bicep: ${variable} is not a segment of ${segments}`);
    const parts = apimId.split('/');
    return match[1] === undefined ? parts[parts.length - 1] : parts[Number(match[1])];
  };
  assert.match(main, /^var\s+apimIdSegments\s*=\s*split\(apimServiceResourceId, '\/'\)$/m);
  const taken = {
    [Settings.apimSubscriptionId]: segment(main, 'apimSubscriptionId', 'apimIdSegments'),
    [Settings.apimResourceGroup]: segment(main, 'apimResourceGroupName', 'apimIdSegments'),
    [Settings.apimServiceName]: segment(main, 'apimServiceName', 'apimIdSegments'),
  };
  assert.deepEqual(parseConfig({ [Settings.tablesConnectionString]: 'UseDevelopmentStorage=true', ...taken }).apim, {
    subscriptionId,
    resourceGroup: 'rg-apis',
    serviceName: 'contoso-apim',
  });
  // main.bicep → api.bicep → the three app settings.
  const passed = moduleParams(main, 'api');
  const settings = wardenSettings();
  for (const [setting, param, variable] of [
    [Settings.apimSubscriptionId, 'apimSubscriptionId', 'apimSubscriptionId'],
    [Settings.apimResourceGroup, 'apimResourceGroup', 'apimResourceGroupName'],
    [Settings.apimServiceName, 'apimServiceName', 'apimServiceName'],
  ] as const) {
    assert.equal(settings.get(setting), param);
    assert.equal(passed.get(param), variable);
  }
  // The playbooks' group: by id, or a bare name in the deployment's subscription.
  assert.match(main, /^var\s+playbooksSubscriptionId\s*=\s*playbooksById\s*\?\s*playbooksSegments\[2\]\s*:\s*subscription\(\)\.subscriptionId$/m);
  assert.match(main, /^var\s+playbooksResourceGroupName\s*=\s*playbooksById\s*\?\s*playbooksSegments\[4\]\s*:\s*playbooksResourceGroup$/m);
});

test('the roles on APIM and on the playbooks are assigned in their own resource groups, to the app, on the narrowest scope', () => {
  const apimModule = declaration(main, 'module', 'apimRbac');
  assert.equal(apimModule.condition, 'hasApim');
  assert.match(apimModule.body, /scope:\s*resourceGroup\(hasApim \? apimSubscriptionId : [^,]+, hasApim \? apimResourceGroupName : rg\.name\)/);
  assert.equal(moduleParams(main, 'apimRbac').get('appPrincipalId'), 'apiIdentity.outputs.principalId');
  // On the one service, not its resource group.
  assert.match(declaration(apimRbac, 'resource', 'apim').target, /^Microsoft\.ApiManagement\/service@/);
  assert.match(declaration(apimRbac, 'resource', 'appApimContributor').body, /^\s*scope:\s*apim\s*$/m);

  const playbooksModule = declaration(main, 'module', 'playbooksRbac');
  assert.equal(playbooksModule.condition, 'hasPlaybooks');
  assert.match(playbooksModule.body, /scope:\s*resourceGroup\(playbooksSubscriptionId,/);
  assert.equal(moduleParams(main, 'playbooksRbac').get('appPrincipalId'), 'apiIdentity.outputs.principalId');

  // The app starts only after its roles exist.
  const apiDependsOn = nested(declaration(main, 'module', 'api').body, 'dependsOn');
  for (const module of ['rbac', 'apimRbac', 'playbooksRbac']) assert.match(apiDependsOn, new RegExp(`^\\s*${module}\\s*$`, 'm'));
});

test("diagnosticSetting mode streams the parser's GatewayLogs category to apim-logs with its own SAS rule", () => {
  assert.match(apimLogs, /^var\s+viaDiagnosticSetting\s*=\s*mode == 'diagnosticSetting'$/m);
  const setting = declaration(apimLogs, 'resource', 'gatewayLogsToHub');
  assert.match(setting.target, /^Microsoft\.Insights\/diagnosticSettings@/);
  assert.equal(setting.condition, 'viaDiagnosticSetting');
  assert.match(setting.body, /^\s*scope:\s*apim\s*$/m);
  const properties = topLevelEntries(nested(setting.body, 'properties'));
  assert.equal(properties.get('eventHubName'), 'logsHubName');
  assert.equal(properties.get('eventHubAuthorizationRuleId'), 'diagnosticSettingRuleId');
  const categories = [...nested(setting.body, 'properties', 'logs').matchAll(/category:\s*'([^']+)'/g)].map((match) => match[1]);
  assert.deepEqual(categories, [GATEWAY_LOGS_CATEGORY], 'stream exactly the category the parser reads');
  assert.doesNotMatch(nested(setting.body, 'properties'), /categoryGroup/, 'a category group would send categories the parser skips');
  const settingName = parameters(apimLogs).get('diagnosticSettingName');
  assert.ok(read('docs/deploy.md').includes(`diagnostic-settings delete --name ${settingName?.replace(/'/g, '')} `), 'docs/deploy.md deletes another setting');

  // main.bicep: the rule exists, and SAS is on, only in this mode; the hub and rule come from eventhubs.bicep.
  assert.equal(moduleParams(main, 'eventHubs').get('diagnosticSettingRule'), "apimLogsMode == 'diagnosticSetting'");
  const wiring = moduleParams(main, 'apimLogsWiring');
  assert.equal(wiring.get('logsHubName'), 'eventHubs.outputs.logsHubName');
  assert.equal(wiring.get('diagnosticSettingRuleId'), 'eventHubs.outputs.diagnosticSettingRuleId');
  assert.match(eventHubs, /^\s*disableLocalAuth:\s*!diagnosticSettingRule\s*$/m);
  const rule = declaration(eventHubs, 'resource', 'diagnosticSettingAuthRule');
  assert.match(rule.target, /^Microsoft\.EventHub\/namespaces\/authorizationRules@/, 'Azure Monitor needs a namespace-level rule');
  assert.equal(rule.condition, 'diagnosticSettingRule');
  const rights = [...nested(rule.body, 'properties', 'rights').matchAll(/'(\w+)'/g)].map((match) => match[1]);
  assert.deepEqual(rights, ['Listen', 'Manage', 'Send'], 'Azure Monitor streams with Manage, Send and Listen');
});

test('the azuremonitor diagnostic logs every header the GatewayLogs parser reads, for every request and caller IP', () => {
  const requestHeaders = stringArrayVar(apimLogs, 'gatewayLogsRequestHeaders');
  const responseHeaders = stringArrayVar(apimLogs, 'gatewayLogsResponseHeaders');
  assert.deepEqual(lower(requestHeaders), lower(headersTheParserReads('requestHeaders')));
  assert.deepEqual(lower(responseHeaders), lower(headersTheParserReads('responseHeaders')));
  assert.ok(requestHeaders.length >= 3, 'the parser reads User-Agent, X-Forwarded-For and Content-Length');

  const diagnostic = declaration(apimLogs, 'resource', 'azureMonitorDiagnostic');
  assert.match(diagnostic.target, /^Microsoft\.ApiManagement\/service\/diagnostics@/);
  assert.equal(diagnostic.condition, 'viaDiagnosticSetting');
  assert.match(diagnostic.body, /^\s*name:\s*'azuremonitor'\s*$/m, 'GatewayLogs follow the diagnostic named azuremonitor');
  const properties = topLevelEntries(nested(diagnostic.body, 'properties'));
  assert.equal(properties.get('loggerId'), 'azureMonitorLogger.id');
  assert.equal(properties.get('logClientIp'), 'true', 'callerIpAddress is required');
  const sampling = topLevelEntries(nested(diagnostic.body, 'properties', 'sampling'));
  assert.equal(sampling.get('samplingType'), "'fixed'");
  assert.equal(sampling.get('percentage'), '100');
  assert.equal(topLevelEntries(nested(diagnostic.body, 'properties', 'frontend', 'request')).get('headers'), 'gatewayLogsRequestHeaders');
  assert.equal(topLevelEntries(nested(diagnostic.body, 'properties', 'frontend', 'response')).get('headers'), 'gatewayLogsResponseHeaders');
  const logger = declaration(apimLogs, 'resource', 'azureMonitorLogger');
  assert.match(logger.body, /^\s*name:\s*'azuremonitor'\s*$/m);
  assert.match(logger.body, /^\s*loggerType:\s*'azureMonitor'\s*$/m);

  // And what those headers give the parser: a record carrying exactly them loses nothing.
  const value: Record<string, string> = { 'user-agent': 'curl/8.5.0', 'x-forwarded-for': '198.51.100.4', 'content-length': '42' };
  const record = {
    time: '2024-05-13T09:15:26.4496706Z',
    category: GATEWAY_LOGS_CATEGORY,
    durationMs: 152,
    callerIpAddress: '203.0.113.7',
    resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/Y/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/CONTOSO',
    properties: {
      method: 'POST',
      url: 'https://contoso.azure-api.net/echo/resource',
      responseCode: 200,
      requestSize: 900,
      responseSize: 1025,
      requestHeaders: Object.fromEntries(requestHeaders.map((name) => [name, value[name.toLowerCase()] ?? ''])),
      responseHeaders: Object.fromEntries(responseHeaders.map((name) => [name, '7'])),
    },
  };
  const trusted = CidrSet.parse(['203.0.113.7']);
  assert.ok(trusted.ok);
  const parsed = parseGatewayLogRecord(record, { partitionId: '0', sequenceNumber: 1, offset: '0', recordIndex: 0 }, trusted.set);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.equal(parsed.event.userAgent, 'curl/8.5.0');
  assert.equal(parsed.event.clientIp, '198.51.100.4');
  assert.deepEqual([parsed.event.requestSize, parsed.event.requestSizeSource], [42, 'contentLength']);
  assert.deepEqual([parsed.event.responseSize, parsed.event.responseSizeSource], [7, 'contentLength']);
});

test('logger mode: names and fragment agree with docs/log-to-eventhub.md, and no policy is ever overwritten', () => {
  const loggerName = stringVar(apimLogs, 'loggerName');
  const fragmentName = stringVar(apimLogs, 'fragmentName');
  const fragment = read('infra/app/api-warden-log.xml');
  assert.equal(normalizedLines(fragment), normalizedLines(firstXmlBlock(read('docs/log-to-eventhub.md'))), 'infra/app/api-warden-log.xml differs from the documented fragment');
  assert.equal(normalizedLines(fragment), normalizedLines(firstXmlBlock(read('README.md'))), 'README.md shows another fragment');
  assert.match(fragment, new RegExp(`logger-id="${loggerName}"`));
  const include = `<include-fragment fragment-id="${fragmentName}" />`;
  for (const doc of ['docs/log-to-eventhub.md', 'docs/deploy.md']) assert.ok(read(doc).includes(include), `${doc} does not show ${include}`);

  const logger = declaration(apimLogs, 'resource', 'wardenLogger');
  assert.equal(logger.condition, 'viaLogger');
  assert.match(logger.body, /^\s*name:\s*loggerName\s*$/m);
  assert.match(logger.body, /^\s*loggerType:\s*'azureEventHub'\s*$/m);
  const credentials = topLevelEntries(nested(logger.body, 'properties', 'credentials'));
  assert.deepEqual(Object.fromEntries(credentials), {
    endpointAddress: 'eventHubFullyQualifiedNamespace',
    identityClientId: 'loggerIdentityClientId',
    name: 'logsHubName',
  }, 'a managed identity, never a connection string');
  const fragmentResource = declaration(apimLogs, 'resource', 'wardenLogFragment');
  assert.match(fragmentResource.body, /^\s*name:\s*fragmentName\s*$/m);
  assert.match(fragmentResource.body, /^\s*value:\s*loadTextContent\('api-warden-log\.xml'\)\s*$/m);
  assert.match(fragmentResource.body, /^\s*format:\s*'rawxml'\s*$/m, 'the fragment keeps its quotes unescaped');

  // Bicep cannot merge XML: no file may deploy a policy document.
  for (const file of bicepFiles()) {
    assert.doesNotMatch(readBicep(file), /'Microsoft\.ApiManagement\/service\/(?:[\w/]+\/)?policies@/, `${file} would replace a policy`);
  }

  // APIM's identity sends to apim-logs only, and before the logger exists.
  const sender = declaration(rbac, 'resource', 'apimLogsSender');
  assert.match(sender.body, /^\s*scope:\s*logsHub\s*$/m);
  assert.match(sender.body, /eventHubsDataSenderRoleId/);
  assert.equal(moduleParams(main, 'rbac').get('apimLoggerPrincipalId'), "apimLogsMode == 'logger' ? apimRbac.outputs.loggerPrincipalId : ''");
  const wiring = declaration(main, 'module', 'apimLogsWiring');
  assert.match(nested(wiring.body, 'dependsOn'), /^\s*rbac\s*$/m);
  assert.equal(moduleParams(main, 'apimLogsWiring').get('eventHubFullyQualifiedNamespace'), 'eventHubs.outputs.fullyQualifiedNamespace');
});
