import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { functionDefinitions } from '../../functions/registry';
import { installFunctionsCore } from '../support/functionsHost';

// Load the built entry point (package.json "main") the way the host does, with the host's core
// API stood in, and look at what it registers.
const host = installFunctionsCore();
const appRoot = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require(join(appRoot, '..', 'package.json')) as { main: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(join(appRoot, '..', pkg.main));
host.uninstall();

function registration(name: string) {
  const found = host.registrations.find((r) => r.metadata.name === name);
  assert.ok(found, `function ${name} is registered`);
  return found;
}

function triggerOf(name: string): Record<string, unknown> {
  const bindings = Object.values(registration(name).metadata.bindings);
  const triggers = bindings.filter((b) => String(b.type).endsWith('Trigger'));
  assert.equal(triggers.length, 1, `${name} has exactly one trigger`);
  return triggers[0] as Record<string, unknown>;
}

test('the app registers exactly the expected functions, and sets its programming model', () => {
  assert.deepEqual(host.registrations.map((r) => r.metadata.name).sort(), [
    'allowAnonymous',
    'blockIp',
    'createAutomationRule',
    'createSampleAlerts',
    'createSuppressionRule',
    'deleteAutomationRule',
    'deleteSuppressionRule',
    'disableEndpoint',
    'dispatchAlerts',
    'enableEndpoint',
    'evaluateWindows',
    'expireActions',
    'getAlert',
    'getAutomationRule',
    'getOpenApi',
    'getSuppressionRule',
    'health',
    'ingest',
    'listAlerts',
    'listAutomationRules',
    'listEndpoints',
    'listRecommendations',
    'listSuppressionRules',
    'markInactiveEndpoints',
    'purgeExpired',
    'rateLimitIp',
    'recomputeBaselines',
    'refreshIntel',
    'removeRateLimit',
    'requireSubscription',
    'runPlaybook',
    'runRecommendationPlaybook',
    'syncInventory',
    'unblockIp',
    'updateAlert',
    'updateAlerts',
  ]);
  assert.equal(host.programmingModels.length, 1);
});

test('ingest is an Event Hub trigger with cardinality many, settings-driven hub and consumer group, and unlimited retry', () => {
  const trigger = triggerOf('ingest');
  assert.equal(trigger.type, 'eventHubTrigger');
  assert.equal(trigger.direction, 'in');
  assert.equal(trigger.connection, 'EVENTHUB_CONNECTION');
  assert.equal(trigger.eventHubName, '%EVENTHUB_NAME%');
  assert.equal(trigger.consumerGroup, '%EVENTHUB_CONSUMER_GROUP%');
  assert.equal(trigger.cardinality, 'many');
  const retry = registration('ingest').metadata.retryOptions ?? {};
  assert.equal(retry.retryStrategy, 'exponentialBackoff');
  assert.equal(retry.maxRetryCount, -1);
  assert.deepEqual(retry.minimumInterval, { seconds: 5 });
  assert.deepEqual(retry.maximumInterval, { seconds: 300 });
});

test('purgeExpired is a daily timer at 02:30 UTC that does not run on startup', () => {
  const trigger = triggerOf('purgeExpired');
  assert.equal(trigger.type, 'timerTrigger');
  assert.equal(trigger.schedule, '0 30 2 * * *');
  assert.notEqual(trigger.runOnStartup, true);
});

test('evaluateWindows runs every 5 minutes; recomputeBaselines daily at 01:00 UTC, not on startup', () => {
  assert.equal(triggerOf('evaluateWindows').schedule, '0 */5 * * * *');
  const recompute = triggerOf('recomputeBaselines');
  assert.equal(recompute.type, 'timerTrigger');
  assert.equal(recompute.schedule, '0 0 1 * * *');
  assert.notEqual(recompute.runOnStartup, true);
  assert.equal(triggerOf('refreshIntel').schedule, '0 15 3 * * *');
  assert.equal(triggerOf('markInactiveEndpoints').schedule, '0 30 1 * * *');
  const sync = triggerOf('syncInventory');
  assert.equal(sync.schedule, '0 */15 * * * *');
  assert.notEqual(sync.runOnStartup, true);
});

test('dispatchAlerts is a timer every minute that does not run on startup', () => {
  const trigger = triggerOf('dispatchAlerts');
  assert.equal(trigger.type, 'timerTrigger');
  assert.equal(trigger.schedule, '0 * * * * *');
  assert.notEqual(trigger.runOnStartup, true);
});

test('health is an anonymous GET on /api/health with an HTTP output', () => {
  const trigger = triggerOf('health');
  assert.equal(trigger.type, 'httpTrigger');
  assert.equal(trigger.route, 'health');
  assert.deepEqual(trigger.methods, ['GET']);
  assert.equal(trigger.authLevel, 'anonymous');
  const outputs = Object.values(registration('health').metadata.bindings).filter((b) => b.direction === 'out');
  assert.deepEqual(outputs.map((b) => b.type), ['http']);
});

test('every function lives in functions/<name> and exports a handler of its own name', () => {
  for (const definition of functionDefinitions) {
    const file = join(appRoot, 'functions', `${definition.name}.js`);
    assert.ok(existsSync(file), `${file} exists`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = (require(file) as Record<string, unknown>)[definition.name];
    assert.equal(exported, definition.handler, `${definition.name}.js exports the registered handler`);
  }
});


test('every other HTTP route needs a function key, on its route and method', () => {
  const routes = [
    ['listAlerts', 'alerts', 'GET'],
    ['getAlert', 'alerts/{id}', 'GET'],
    ['updateAlert', 'alerts/{id}', 'PATCH'],
    ['updateAlerts', 'alerts/bulk-update', 'POST'],
    ['createSampleAlerts', 'alerts/samples', 'POST'],
    ['getOpenApi', 'openapi.json', 'GET'],
    ['createSuppressionRule', 'suppression-rules', 'POST'],
    ['listSuppressionRules', 'suppression-rules', 'GET'],
    ['getSuppressionRule', 'suppression-rules/{id}', 'GET'],
    ['deleteSuppressionRule', 'suppression-rules/{id}', 'DELETE'],
    ['createAutomationRule', 'automation-rules', 'POST'],
    ['listAutomationRules', 'automation-rules', 'GET'],
    ['getAutomationRule', 'automation-rules/{id}', 'GET'],
    ['deleteAutomationRule', 'automation-rules/{id}', 'DELETE'],
    ['listEndpoints', 'endpoints', 'GET'],
    ['listRecommendations', 'recommendations', 'GET'],
    ['runRecommendationPlaybook', 'recommendations/{id}/run-playbook', 'POST'],
    ['blockIp', 'actions/block-ip', 'POST'],
    ['unblockIp', 'actions/unblock-ip', 'POST'],
    ['rateLimitIp', 'actions/rate-limit', 'POST'],
    ['removeRateLimit', 'actions/remove-rate-limit', 'POST'],
    ['disableEndpoint', 'actions/disable-endpoint', 'POST'],
    ['enableEndpoint', 'actions/enable-endpoint', 'POST'],
    ['requireSubscription', 'actions/require-subscription', 'POST'],
    ['allowAnonymous', 'actions/allow-anonymous', 'POST'],
    ['runPlaybook', 'actions/run-playbook', 'POST'],
  ] as const;
  for (const [name, route, method] of routes) {
    const trigger = triggerOf(name);
    assert.equal(trigger.route, route, name);
    assert.deepEqual(trigger.methods, [method], name);
    assert.equal(trigger.authLevel, 'function', name);
  }
  const http = host.registrations.filter((r) => Object.values(r.metadata.bindings).some((b) => b.type === 'httpTrigger'));
  assert.deepEqual(http.map((r) => r.metadata.name).sort(), [...routes.map(([name]) => name), 'health'].sort(), 'no HTTP route is left out');
});
