import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { newAlert } from '../../../shared/core/alerts/alert';
import {
  applySuppression,
  findSuppressingRule,
  parseSuppressionRule,
  suppressionRuleSchema,
  type SuppressionRule,
} from '../../../shared/core/alerts/suppression';
import { makeEndpoint } from '../../../shared/core/requestEvent';
import { findingOf, ORDERS, spikeFinding, T0, UNMATCHED, USERS, WINDOW } from './helpers';

const NOW = new Date(T0 + WINDOW);

function rule(overrides: Partial<SuppressionRule> = {}): SuppressionRule {
  return {
    id: 'rule-1',
    alertType: 'API_SpikeInAPITraffic',
    entities: {},
    reason: 'nightly load test',
    createdBy: 'alice@contoso.com',
    createdAt: '2025-02-01T00:00:00Z',
    ...overrides,
  };
}

function errorsOf(input: unknown): string[] {
  const result = parseSuppressionRule(input);
  assert.equal(result.ok, false, JSON.stringify(input));
  return result.ok ? [] : result.errors;
}

describe('suppression rule validation', () => {
  test('accepts a complete rule and normalizes it', () => {
    const result = parseSuppressionRule({
      id: 'load-test',
      alertType: '*',
      entities: { clientIp: ' 10.1.2.3/16 ', apiId: 'orders-*', service: 'Contoso-APIM', parameterName: 'orderId' },
      expiresAt: '2025-04-01T00:00:00Z',
      reason: '  weekly load test  ',
      createdBy: 'alice@contoso.com',
      createdAt: '2025-02-01T00:00:00Z',
    });
    assert.ok(result.ok);
    assert.deepEqual(result.rule, {
      id: 'load-test',
      alertType: '*',
      entities: { clientIp: '10.1.2.3/16', apiId: 'orders-*', service: 'contoso-apim', parameterName: 'orderId' },
      expiresAt: '2025-04-01T00:00:00Z',
      reason: 'weekly load test',
      createdBy: 'alice@contoso.com',
      createdAt: '2025-02-01T00:00:00Z',
    });
  });

  test('canonicalizes IPv6 and IPv4-mapped patterns', () => {
    const parse = (clientIp: string): string | undefined => {
      const result = parseSuppressionRule({ ...rule(), entities: { clientIp } });
      return result.ok ? result.rule.entities.clientIp : undefined;
    };
    assert.equal(parse('2001:DB8::/32'), '2001:db8::/32');
    assert.equal(parse('2001:db8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(parse('::ffff:10.0.0.0/104'), '10.0.0.0/8');
  });

  test('rejects invalid IPs and CIDRs, naming the field', () => {
    for (const clientIp of ['10.0.0', '10.0.0.0/33', '2001:db8::/129', 'example.com', '1.2.3.4:80', '[2001:db8::1]', '010.0.0.1', '', '10.0.0.0/8, 11.0.0.0/8']) {
      const errors = errorsOf({ ...rule(), entities: { clientIp } });
      assert.ok(errors.some((error) => error.startsWith('entities.clientIp: ')), `${clientIp}: ${errors.join('; ')}`);
    }
  });

  test('rejects an unknown alert type, listing the valid ones', () => {
    const errors = errorsOf({ ...rule(), alertType: 'API_Nope' });
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^alertType: must be one of API_PopulationSpikeInAPITraffic, .*"\*"/);
  });

  test('rejects missing and empty required fields', () => {
    const { reason: _reason, ...withoutReason } = rule();
    void _reason;
    assert.deepEqual(errorsOf(withoutReason), ['reason: must be a string']);
    assert.deepEqual(errorsOf({ ...rule(), createdBy: '   ' }), ['createdBy: must not be empty']);
    assert.ok(errorsOf({ ...rule(), id: 'has spaces' })[0]?.startsWith('id: '));
  });

  test('rejects bad dates and an expiry that is not after creation', () => {
    assert.ok(errorsOf({ ...rule(), createdAt: 'yesterday' })[0]?.startsWith('createdAt: must be an ISO 8601'));
    assert.ok(errorsOf({ ...rule(), expiresAt: '2025-13-01T00:00:00Z' })[0]?.startsWith('expiresAt: '));
    assert.deepEqual(errorsOf({ ...rule(), expiresAt: '2025-02-01T00:00:00Z' }), ['expiresAt: must be later than createdAt']);
  });

  test('rejects unknown fields in the rule and in its entities', () => {
    assert.deepEqual(errorsOf({ ...rule(), severity: 'High' }), ['rule: unknown field(s): severity']);
    assert.deepEqual(errorsOf({ ...rule(), entities: { ip: '1.2.3.4' } }), ['entities: unknown field(s): ip']);
  });

  test('rejects a rule for every alert type that names no entity', () => {
    const errors = errorsOf({ ...rule(), alertType: '*', entities: {} });
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^entities: a rule for every alert type/);
  });

  test('rejects text with control characters', () => {
    assert.ok(errorsOf({ ...rule(), entities: { apiId: 'orders\napi' } })[0]?.startsWith('entities.apiId: must not contain control characters'));
  });

  test('the schema reports every problem at once', () => {
    const parsed = suppressionRuleSchema.safeParse({ id: '', alertType: 'x', reason: '', createdBy: '', createdAt: 'x' });
    assert.equal(parsed.success, false);
    assert.ok(!parsed.success && parsed.error.issues.length >= 5);
  });
});

describe('findSuppressingRule', () => {
  const finding = spikeFinding();
  const alert = newAlert(finding, { detectedAt: NOW });

  test('matches a rule whose CIDR holds the client IP, for alerts and for findings', () => {
    const r = rule({ entities: { clientIp: '203.0.113.0/24' } });
    assert.equal(findSuppressingRule(alert, [r], NOW), r);
    assert.equal(findSuppressingRule(finding, [r], NOW), r);
    assert.equal(findSuppressingRule(alert, [rule({ entities: { clientIp: '203.0.114.0/24' } })], NOW), undefined);
  });

  test('matches IPv6 clients against IPv6 ranges', () => {
    const v6 = spikeFinding({ entities: { clientIp: '2001:db8:0:1::5', endpoint: ORDERS, status: 200 } });
    assert.ok(findSuppressingRule(v6, [rule({ entities: { clientIp: '2001:db8::/32' } })], NOW));
    assert.equal(findSuppressingRule(v6, [rule({ entities: { clientIp: '2001:db9::/32' } })], NOW), undefined);
  });

  test('matches API ids by glob, case-insensitively', () => {
    assert.ok(findSuppressingRule(alert, [rule({ entities: { apiId: 'orders-*' } })], NOW));
    assert.ok(findSuppressingRule(alert, [rule({ entities: { apiId: 'ORDERS-API' } })], NOW));
    assert.ok(findSuppressingRule(alert, [rule({ entities: { apiId: '*-api' } })], NOW));
    assert.ok(findSuppressingRule(alert, [rule({ entities: { apiId: '*' } })], NOW));
    assert.equal(findSuppressingRule(alert, [rule({ entities: { apiId: 'orders' } })], NOW), undefined);
    assert.equal(findSuppressingRule(alert, [rule({ entities: { apiId: 'users-*' } })], NOW), undefined);
  });

  test('treats glob text literally apart from *', () => {
    const dotted = makeEndpoint({ service: 's', apiId: 'ordersXapi', operationId: 'o', pathTemplate: '' });
    const f = spikeFinding({ entities: { clientIp: '1.2.3.4', endpoint: dotted, status: 200 } });
    assert.equal(findSuppressingRule(f, [rule({ entities: { apiId: 'orders.api' } })], NOW), undefined);
  });

  test('requires every pattern to match', () => {
    const both = rule({ entities: { clientIp: '203.0.113.7', apiId: 'orders-api', operationId: 'get-order', service: 'contoso-apim' } });
    assert.equal(findSuppressingRule(alert, [both], NOW), both);
    const wrongOperation = rule({ entities: { clientIp: '203.0.113.7', operationId: 'delete-order' } });
    assert.equal(findSuppressingRule(alert, [wrongOperation], NOW), undefined);
    const otherEndpoint = newAlert(spikeFinding({ entities: { clientIp: '203.0.113.7', endpoint: USERS, status: 200 } }), { detectedAt: NOW });
    assert.equal(findSuppressingRule(otherEndpoint, [rule({ entities: { clientIp: '203.0.113.7', apiId: 'orders-api' } })], NOW), undefined);
  });

  test('does not match an alert that lacks the entity a pattern names', () => {
    const distributed = findingOf('API_DistributedParameterEnumeration', { entities: { endpoint: ORDERS, parameterName: 'orderId' } });
    assert.equal(findSuppressingRule(distributed, [rule({ alertType: '*', entities: { clientIp: '0.0.0.0/0' } })], NOW), undefined);
    const unmatched = findingOf('API_AccessToUnknownEndpoints', { entities: { clientIp: '1.2.3.4', endpoint: UNMATCHED } });
    assert.equal(findSuppressingRule(unmatched, [rule({ alertType: '*', entities: { apiId: '*' } })], NOW), undefined);
  });

  test('matches parameter names exactly and case-sensitively', () => {
    const f = findingOf('API_UnseenParam', { entities: { clientIp: '1.2.3.4', endpoint: ORDERS, parameterName: 'debug' } });
    assert.ok(findSuppressingRule(f, [rule({ alertType: 'API_UnseenParam', entities: { parameterName: 'debug' } })], NOW));
    assert.equal(findSuppressingRule(f, [rule({ alertType: 'API_UnseenParam', entities: { parameterName: 'Debug' } })], NOW), undefined);
  });

  test('applies a wildcard-type rule to every type, and a typed rule only to its type', () => {
    const wildcard = rule({ alertType: '*', entities: { clientIp: '203.0.113.7' } });
    const tor = findingOf('API_AccessFromTorExitNode', { entities: { clientIp: '203.0.113.7', endpoint: ORDERS } });
    assert.equal(findSuppressingRule(tor, [wildcard], NOW), wildcard);
    assert.equal(findSuppressingRule(tor, [rule({ entities: { clientIp: '203.0.113.7' } })], NOW), undefined);
  });

  test('ignores a rule that expires exactly now, and applies it a millisecond before', () => {
    const expiring = rule({ entities: { clientIp: '203.0.113.7' }, expiresAt: NOW.toISOString() });
    assert.equal(findSuppressingRule(alert, [expiring], NOW), undefined);
    assert.equal(findSuppressingRule(alert, [expiring], new Date(NOW.getTime() - 1)), expiring);
    assert.equal(findSuppressingRule(alert, [expiring], new Date(NOW.getTime() + 1)), undefined);
  });

  test('prefers the most specific rule, then the earliest created', () => {
    const broad = rule({ id: 'broad', alertType: '*', entities: { clientIp: '203.0.113.0/24' }, createdAt: '2025-01-01T00:00:00Z' });
    const typed = rule({ id: 'typed', entities: { clientIp: '203.0.113.0/24' }, createdAt: '2025-02-01T00:00:00Z' });
    const twoPatterns = rule({ id: 'two', entities: { clientIp: '203.0.113.0/24', apiId: 'orders-*' }, createdAt: '2025-03-01T00:00:00Z' });
    const exactApi = rule({ id: 'exact', entities: { clientIp: '203.0.113.0/24', apiId: 'orders-api' }, createdAt: '2025-03-02T00:00:00Z' });
    const narrowIp = rule({ id: 'narrow', entities: { clientIp: '203.0.113.0/28', apiId: 'orders-api' }, createdAt: '2025-03-03T00:00:00Z' });
    assert.equal(findSuppressingRule(alert, [broad, typed], NOW)?.id, 'typed');
    assert.equal(findSuppressingRule(alert, [broad, typed, twoPatterns], NOW)?.id, 'two');
    assert.equal(findSuppressingRule(alert, [twoPatterns, exactApi], NOW)?.id, 'exact');
    assert.equal(findSuppressingRule(alert, [exactApi, narrowIp], NOW)?.id, 'narrow');
    assert.equal(findSuppressingRule(alert, [narrowIp, exactApi, twoPatterns, typed, broad], NOW)?.id, 'narrow');

    const older = rule({ id: 'zzz-older', entities: { clientIp: '203.0.113.7' }, createdAt: '2025-01-01T00:00:00Z' });
    const newer = rule({ id: 'aaa-newer', entities: { clientIp: '203.0.113.7' }, createdAt: '2025-01-02T00:00:00Z' });
    assert.equal(findSuppressingRule(alert, [newer, older], NOW)?.id, 'zzz-older');
    const twin = rule({ id: 'aaa-twin', entities: { clientIp: '203.0.113.7' }, createdAt: '2025-01-01T00:00:00Z' });
    assert.equal(findSuppressingRule(alert, [older, twin], NOW)?.id, 'aaa-twin');
  });

  test('skips expired rules when choosing among several', () => {
    const expiredSpecific = rule({ id: 'expired', entities: { clientIp: '203.0.113.7', apiId: 'orders-api' }, expiresAt: '2025-02-15T00:00:00Z' });
    const live = rule({ id: 'live', entities: { clientIp: '203.0.113.0/24' } });
    assert.equal(findSuppressingRule(alert, [expiredSpecific, live], NOW)?.id, 'live');
  });

  test('returns undefined when no rule applies', () => {
    assert.equal(findSuppressingRule(alert, [], NOW), undefined);
  });
});

describe('applySuppression', () => {
  test('dismisses the alert and records the rule, without touching the original', () => {
    const alert = newAlert(spikeFinding(), { detectedAt: NOW });
    const r = rule({ entities: { clientIp: '203.0.113.7' } });
    const dismissed = applySuppression(alert, r, NOW);
    assert.equal(dismissed.status, 'Dismissed');
    assert.deepEqual(dismissed.suppression, { ruleId: 'rule-1', reason: 'nightly load test', suppressedAtUtc: NOW.toISOString() });
    assert.equal(alert.status, 'Active');
    assert.equal(alert.suppression, undefined);
    assert.equal(dismissed.systemAlertId, alert.systemAlertId);
  });
});
