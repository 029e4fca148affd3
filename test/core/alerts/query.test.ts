import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { newAlert, type Alert } from '../../../shared/core/alerts/alert';
import { alertFilterSchema, alertQuerySchema, matchesAlertFilter, pageOfAlerts } from '../../../shared/core/alerts/query';
import type { Finding } from '../../../shared/core/detectors/finding';
import { ValidationError } from '../../../shared/errors';
import { findingOf, MINUTE, ORDERS, T0, USERS, WINDOW } from './helpers';

function alertOf(finding: Finding, extra: Partial<Alert> = {}): Alert {
  return { ...newAlert(finding, { detectedAt: new Date(finding.endTime) }), ...extra };
}

const tor = alertOf(findingOf('API_AccessFromTorExitNode', { entities: { clientIp: '198.51.100.20', endpoint: USERS }, time: T0, endTime: T0 }));
const spike = alertOf(findingOf('API_SpikeInAPITraffic', { entities: { clientIp: '203.0.113.7', endpoint: ORDERS, status: 200 }, score: 4 }), {
  owner: 'ana@contoso.com',
  tags: ['Case:4711'],
});
const sample = alertOf(findingOf('API_SprayInRequests', { entities: { clientIp: '203.0.113.99' }, time: T0 + 10 * WINDOW, endTime: T0 + 11 * WINDOW }), {
  isSample: true,
  status: 'Dismissed',
});
const all = [tor, spike, sample];

function matching(filter: Parameters<typeof matchesAlertFilter>[1]): string[] {
  return all.filter((alert) => matchesAlertFilter(alert, filter)).map((alert) => alert.alertType);
}

describe('matchesAlertFilter', () => {
  test('each field narrows; list fields match any of their values', () => {
    assert.deepEqual(matching({}), ['API_AccessFromTorExitNode', 'API_SpikeInAPITraffic', 'API_SprayInRequests']);
    assert.deepEqual(matching({ severities: [tor.severity] }), all.filter((a) => a.severity === tor.severity).map((a) => a.alertType));
    assert.deepEqual(matching({ statuses: ['Active', 'InProgress'] }), ['API_AccessFromTorExitNode', 'API_SpikeInAPITraffic']);
    assert.deepEqual(matching({ alertTypes: ['API_SprayInRequests', 'API_AccessFromTorExitNode'] }), ['API_AccessFromTorExitNode', 'API_SprayInRequests']);
    assert.deepEqual(matching({ isSample: true }), ['API_SprayInRequests']);
    assert.deepEqual(matching({ statuses: ['Active'], isSample: true }), []);
  });

  test('client IP matches an address or a CIDR range; API and operation ids, owner and tags ignore case', () => {
    assert.deepEqual(matching({ clientIp: '203.0.113.0/24' }), ['API_SpikeInAPITraffic', 'API_SprayInRequests']);
    assert.deepEqual(matching({ clientIp: '198.51.100.20' }), ['API_AccessFromTorExitNode']);
    assert.deepEqual(matching({ apiId: 'ORDERS-API', operationId: 'Get-Order' }), ['API_SpikeInAPITraffic']);
    assert.deepEqual(matching({ owner: 'ANA@contoso.com' }), ['API_SpikeInAPITraffic']);
    assert.deepEqual(matching({ tag: 'case:4711' }), ['API_SpikeInAPITraffic']);
    assert.deepEqual(matching({ tag: 'case:4712' }), []);
  });

  test('a time range selects the alerts active at some point in it', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    assert.deepEqual(matching({ from: iso(T0 + 5 * WINDOW) }), ['API_SprayInRequests']);
    assert.deepEqual(matching({ to: iso(T0 + MINUTE) }), ['API_AccessFromTorExitNode', 'API_SpikeInAPITraffic']);
    assert.deepEqual(matching({ from: iso(T0 + WINDOW), to: iso(T0 + 2 * WINDOW) }), ['API_SpikeInAPITraffic']);
  });

  test('text searches the name, description, entities and properties, case-insensitively', () => {
    assert.deepEqual(matching({ text: 'TOR EXIT' }), ['API_AccessFromTorExitNode']);
    assert.deepEqual(matching({ text: '203.0.113.99' }), ['API_SprayInRequests']);
    assert.deepEqual(matching({ text: 'case:4711' }), ['API_SpikeInAPITraffic']);
  });
});

describe('alertQuerySchema', () => {
  test('reads comma-separated lists, booleans and a page size from query strings', () => {
    const query = alertQuerySchema.parse({ severity: 'High, Medium', status: 'Active', isSample: 'false', q: 'tor', pageSize: '10' });
    assert.deepEqual(query.filter, { severities: ['High', 'Medium'], statuses: ['Active'], isSample: false, text: 'tor' });
    assert.equal(query.pageSize, 10);
    assert.equal(alertQuerySchema.parse({}).pageSize, 50);
  });

  test('names the bad parameter', () => {
    const field = (input: Record<string, string>) => alertQuerySchema.safeParse(input).error?.issues[0]?.path[0] ?? '';
    assert.equal(field({ severity: 'Critical' }), 'severity');
    assert.equal(field({ clientIp: '10.0.0.300' }), 'clientIp');
    assert.equal(field({ pageSize: '1000' }), 'pageSize');
    assert.equal(field({ from: 'yesterday' }), 'from');
    assert.equal(field({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }), 'to');
    assert.equal(field({ sort: 'name' }), '');
    assert.equal(alertQuerySchema.safeParse({ sort: 'name' }).error?.issues[0]?.code, 'unrecognized_keys');
  });

  test('the JSON filter of bulk changes takes the same fields as arrays', () => {
    assert.ok(alertFilterSchema.safeParse({ severities: ['High'], clientIp: '10.0.0.0/8', isSample: false }).success);
    assert.equal(alertFilterSchema.safeParse({ severities: 'High' }).error?.issues[0]?.path.join('.'), 'severities');
  });
});

describe('pageOfAlerts', () => {
  const many = Array.from({ length: 23 }, (_, i) =>
    alertOf(
      findingOf(i % 3 === 0 ? 'API_AccessFromTorExitNode' : 'API_SpikeInAPITraffic', {
        entities: { clientIp: `203.0.113.${i}`, endpoint: ORDERS, status: 200 },
        score: (i % 5) + 1,
        time: T0 + i * MINUTE,
        endTime: T0 + i * MINUTE + WINDOW,
      }),
    ),
  );

  function walk(alerts: readonly Alert[], pageSize: number, between?: (page: number) => Alert[]): string[] {
    let current = [...alerts];
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const result = pageOfAlerts(current, { filter: {}, pageSize, ...(token === undefined ? {} : { continuationToken: token }) });
      seen.push(...result.alerts.map((alert) => alert.systemAlertId));
      if (result.continuationToken === undefined) return seen;
      token = result.continuationToken;
      if (between !== undefined) current = [...current, ...between(page)];
    }
    throw new Error('paging did not end');
  }

  test('pages through every alert once, most urgent first, whatever the page size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 25 }), (pageSize) => {
        const ids = walk(many, pageSize);
        const sorted = pageOfAlerts(many, { filter: {}, pageSize: 1000 }).alerts.map((alert) => alert.systemAlertId);
        assert.deepEqual(ids, sorted);
        assert.equal(new Set(ids).size, many.length);
      }),
    );
  });

  test('alerts raised between pages do not repeat or shift what follows', () => {
    const urgent = (page: number) => [
      alertOf(findingOf('API_AccessFromTorExitNode', { entities: { clientIp: `198.51.100.${page}` }, score: 100, time: T0, endTime: T0 })),
    ];
    const ids = walk(many, 5, urgent);
    assert.equal(new Set(ids).size, ids.length, 'no alert is listed twice');
    for (const alert of many) assert.ok(ids.includes(alert.systemAlertId), 'every original alert is listed');
  });

  test('a token is refused with another filter or when it is not one of ours', () => {
    const first = pageOfAlerts(many, { filter: {}, pageSize: 5 });
    assert.ok(first.continuationToken);
    assert.throws(
      () => pageOfAlerts(many, { filter: { statuses: ['Active'] }, pageSize: 5, continuationToken: first.continuationToken as string }),
      (error: unknown) => error instanceof ValidationError && error.field === 'continuationToken',
    );
    assert.throws(() => pageOfAlerts(many, { filter: {}, pageSize: 5, continuationToken: 'bm90IGEgdG9rZW4' }), ValidationError);
  });

  test('exposure ranks alerts of equal severity', () => {
    const exposed = new Set([many[4]?.systemAlertId]);
    const page = pageOfAlerts(many, { filter: { alertTypes: ['API_SpikeInAPITraffic'] }, pageSize: 1 }, (alert) => (exposed.has(alert.systemAlertId) ? 2 : 0));
    assert.equal(page.alerts[0]?.systemAlertId, many[4]?.systemAlertId);
  });
});
