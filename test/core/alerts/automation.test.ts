import assert from 'node:assert/strict';
import { test } from 'node:test';

import { matchingAutomationRules, newAlert, newAutomationRule, newAutomationRuleSchema, type AutomationRule } from '../../../shared/core/alerts';
import { findingOf, ORDERS, UNMATCHED, USERS } from './helpers';

const playbook = { subscriptionId: '00000000-0000-4000-8000-0000000000dd', resourceGroup: 'rg', workflowName: 'wf' };

function rule(id: string, body: Record<string, unknown>, createdAt = '2026-01-01T00:00:00Z'): AutomationRule {
  return newAutomationRule(newAutomationRuleSchema.parse({ name: id, playbook, ...body }), { id, createdBy: 'test', createdAt });
}

const at = { detectedAt: new Date('2025-03-01T10:20:00Z') };

test('a rule matches on alert type, severity and endpoint globs (case-insensitive); an alert without that endpoint part does not match', () => {
  const rules = [
    rule('any', {}),
    rule('spike', { alertTypes: ['API_SpikeInAPITraffic'] }),
    rule('high', { severities: ['High'] }),
    rule('orders', { endpoint: { apiId: 'ORDERS-*' } }),
    rule('get-op', { endpoint: { operationId: 'get-*' } }),
  ];
  const ids = (alert: Parameters<typeof matchingAutomationRules>[0]) => matchingAutomationRules(alert, rules).map((r) => r.id).sort();
  const onOrders = newAlert(findingOf('API_SpikeInAPITraffic', { entities: { clientIp: '203.0.113.7', endpoint: ORDERS, status: 200 } }), at);
  assert.equal(onOrders.severity, 'Medium');
  assert.deepEqual(ids(onOrders), ['any', 'get-op', 'orders', 'spike']);
  const onUsers = newAlert(findingOf('API_AccessFromSuspiciousIP', { entities: { clientIp: '203.0.113.7', endpoint: USERS } }), at);
  assert.deepEqual(ids(onUsers), ['any', 'high']);
  const unmatched = newAlert(findingOf('API_AccessToUnknownEndpoints', { entities: { clientIp: '203.0.113.7', endpoint: UNMATCHED } }), at);
  assert.deepEqual(ids(unmatched), ['any']);
});

test('disabled rules, samples without includeSampleAlerts and suppressed alerts run nothing; rules come oldest first', () => {
  const rules = [
    rule('late', {}, '2026-03-01T00:00:00Z'),
    rule('off', { enabled: false }),
    rule('samples', { includeSampleAlerts: true }, '2026-02-01T00:00:00Z'),
  ];
  const alert = newAlert(findingOf('API_SpikeInAPITraffic'), at);
  assert.deepEqual(matchingAutomationRules(alert, rules).map((r) => r.id), ['samples', 'late']);
  const sample = newAlert(findingOf('API_SpikeInAPITraffic'), { ...at, isSample: true });
  assert.deepEqual(matchingAutomationRules(sample, rules).map((r) => r.id), ['samples']);
  const suppressed = { ...alert, status: 'Dismissed' as const, suppression: { ruleId: 's', reason: 'r', suppressedAtUtc: '2025-03-01T10:20:00Z' } };
  assert.deepEqual(matchingAutomationRules(suppressed, rules), []);
});
