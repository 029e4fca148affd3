import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { buildEndpointRows, endpointFiltersSchema, filterEndpoints, internetExposure, type EndpointRow } from '../../shared/core/endpoints';
import { DAY, NOW, postureInventory, postureSources, SERVICE_ID } from './postureFixture';

const rows = buildEndpointRows(postureSources());
const row = (apiId: string, operationId: string): EndpointRow => {
  const found = rows.find((r) => r.apiId === apiId && r.operationId === operationId);
  assert.ok(found, `${apiId}/${operationId}`);
  return found;
};
const names = (list: readonly EndpointRow[]) => list.map((r) => (r.operationId === '' ? r.urlTemplate : `${r.apiId}/${r.operationId}`));
const filtered = (query: Record<string, string>) => {
  const filters = endpointFiltersSchema.parse(query);
  return names(filterEndpoints(rows, filters));
};

describe('buildEndpointRows', () => {
  test('every inventory operation, then endpoints seen only in traffic', () => {
    assert.deepEqual(names(rows), [
      'shop-api/get-order',
      'shop-api/delete-order',
      'legacy-api/get-status',
      'legacy-api/post-report',
      'partner-api/get-catalog',
      'partner-api/get-health',
      'open-api/search',
      'data-api/export',
      'shop-api/old-operation',
      '/admin/{id}',
    ]);
  });

  test('an inventory operation: ids, names, template, ARM id, traffic joined case-insensitively, alerts open only', () => {
    assert.deepEqual(row('shop-api', 'get-order'), {
      key: 'contoso-apim|shop-api|get-order',
      service: 'contoso-apim',
      apiId: 'shop-api',
      apiDisplayName: 'Shop',
      operationId: 'get-order',
      operationDisplayName: 'Get order',
      method: 'GET',
      urlTemplate: '/orders/{orderId}',
      resourceId: `${SERVICE_ID}/apis/shop-api/operations/get-order`,
      inInventory: true,
      authentication: { status: 'authenticated', methods: ['subscription-key'] },
      internetExposed: true,
      protocols: ['https'],
      unencrypted: false,
      traffic: { requests: 1234, from: new Date(NOW - 30 * DAY).toISOString(), to: new Date(NOW - DAY / 2).toISOString() },
      firstSeen: new Date(NOW - 61 * DAY).toISOString(),
      lastSeen: new Date(NOW).toISOString(),
      neverSeen: false,
      firstSyncedAt: null,
      inactive: false,
      inactiveSince: null,
      openAlerts: 2,
    });
  });

  test('authentication: key, open product, validate-jwt through <base />, a scope without <base />, unreadable policies and fragments', () => {
    assert.deepEqual(row('shop-api', 'delete-order').authentication, { status: 'authenticated', methods: ['subscription-key'] }, 'the key is enough');
    assert.deepEqual(row('legacy-api', 'get-status').authentication, { status: 'unauthenticated', methods: [] });
    assert.deepEqual(row('partner-api', 'get-catalog').authentication, { status: 'authenticated', methods: ['validate-jwt'] });
    assert.deepEqual(row('partner-api', 'get-health').authentication, { status: 'unauthenticated', methods: [] }, 'its policy drops <base />');
    assert.deepEqual(row('data-api', 'export').authentication, { status: 'unauthenticated', methods: [] }, 'an API in an open product needs no key');
    assert.deepEqual(row('open-api', 'search').authentication, { status: 'unknown', methods: [], fragments: ['shared-auth'], unknownBecause: 'policy-fragments' });

    const inventory = postureInventory();
    (inventory.apis[0] as { subscriptionRequired?: boolean }).subscriptionRequired = false;
    const unreadable = buildEndpointRows({ inventory, activity: [], statuses: [], alerts: [] })[1];
    assert.deepEqual(unreadable?.authentication, { status: 'unknown', methods: [], unknownBecause: 'unreadable-policy' });

    const unread = postureInventory({ service: { policy: undefined } });
    const statuses = buildEndpointRows({ inventory: unread, activity: [], statuses: [], alerts: [] }).map((r) => r.authentication);
    assert.deepEqual(statuses[0], { status: 'authenticated', methods: ['subscription-key'] }, 'policies not read: a key still authenticates');
    assert.deepEqual(statuses[2], { status: 'unknown', methods: [], unknownBecause: 'policies-not-read' }, 'but without one nothing can be said');
  });

  test('never seen, inactive, stamped; a traffic-only row carries what traffic knows', () => {
    assert.equal(row('legacy-api', 'post-report').neverSeen, true);
    assert.equal(row('legacy-api', 'post-report').firstSyncedAt, '2026-06-25T00:00:00.000Z');
    assert.equal(row('legacy-api', 'post-report').traffic?.requests, 0);
    assert.equal(row('legacy-api', 'get-status').inactive, true);
    assert.equal(row('legacy-api', 'get-status').inactiveSince, new Date(NOW - 15 * DAY).toISOString());
    assert.equal(row('legacy-api', 'get-status').unencrypted, true);
    const admin = rows.find((r) => r.urlTemplate === '/admin/{id}');
    assert.deepEqual(
      { method: admin?.method, inInventory: admin?.inInventory, auth: admin?.authentication, exposed: admin?.internetExposed, requests: admin?.traffic?.requests, alerts: admin?.openAlerts },
      { method: 'GET', inInventory: false, auth: { status: 'unknown', methods: [], unknownBecause: 'not-in-inventory' }, exposed: null, requests: 9, alerts: 1 },
    );
    assert.equal(row('shop-api', 'old-operation').inactive, true, 'a removed operation keeps its traffic history');
  });

  test('without an inventory or traffic totals, traffic rows only and no traffic figures', () => {
    const bare = buildEndpointRows({ ...postureSources(), inventory: undefined, traffic: undefined });
    assert.ok(bare.every((r) => !r.inInventory && r.traffic === null));
    assert.equal(bare.length, 7, 'the two spellings of get-order are one endpoint');
  });

  test('internet exposure from the network settings', () => {
    const exposure = (service: Record<string, unknown>) => internetExposure(postureInventory({ service }));
    assert.equal(exposure({}), true);
    assert.equal(exposure({ virtualNetworkType: 'External' }), true);
    assert.equal(exposure({ virtualNetworkType: 'Internal' }), false);
    assert.equal(exposure({ publicNetworkAccess: 'Disabled' }), false);
    assert.equal(exposure({ publicNetworkAccess: null, virtualNetworkType: null }), null);
  });
});

describe('filterEndpoints', () => {
  test('each filter, and filters combined', () => {
    assert.deepEqual(filtered({ exposed: 'true', authenticated: 'false' }), ['legacy-api/get-status', 'legacy-api/post-report', 'partner-api/get-health', 'data-api/export']);
    assert.deepEqual(filtered({ authenticated: 'true', apiId: 'SHOP-API' }), ['shop-api/get-order', 'shop-api/delete-order']);
    assert.deepEqual(filtered({ unencrypted: 'true' }), ['legacy-api/get-status', 'legacy-api/post-report']);
    assert.deepEqual(filtered({ inactive: 'true', inInventory: 'true' }), ['legacy-api/get-status']);
    assert.deepEqual(filtered({ neverSeen: 'true' }), ['shop-api/delete-order', 'legacy-api/post-report', 'data-api/export']);
    assert.deepEqual(filtered({ hasOpenAlerts: 'true' }), ['shop-api/get-order', '/admin/{id}']);
    assert.deepEqual(filtered({ inInventory: 'false' }), ['shop-api/old-operation', '/admin/{id}']);
    assert.deepEqual(filtered({ q: 'ORDER' }), ['shop-api/get-order', 'shop-api/delete-order']);
    assert.deepEqual(filtered({ q: 'post /rep' }), ['legacy-api/post-report']);
    assert.equal(filtered({ exposed: 'false' }).length, 0, 'unknown exposure matches neither true nor false');
    assert.equal(filtered({}).length, rows.length);
  });

  test('bad parameters are named', () => {
    const issue = (query: Record<string, string>) => {
      const parsed = endpointFiltersSchema.safeParse(query);
      assert.equal(parsed.success, false);
      return parsed.error?.issues[0];
    };
    assert.deepEqual(issue({ exposed: 'yes' })?.path, ['exposed']);
    assert.equal(issue({ exposed: 'yes' })?.message, 'must be true or false');
    assert.deepEqual(issue({ q: ' ' })?.path, ['q']);
    assert.equal(issue({ exposd: 'true' })?.code, 'unrecognized_keys');
  });
});
