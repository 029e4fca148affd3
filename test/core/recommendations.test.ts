import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { buildEndpointRows } from '../../shared/core/endpoints';
import type { Inventory } from '../../shared/core/inventory';
import { recommendations, recommendationsForEndpoint, type PostureInput, type Recommendation } from '../../shared/core/recommendations';
import { DAY, NOW, postureInventory, postureSources, SERVICE_ID } from './postureFixture';

function posture(overrides: Partial<PostureInput> & { inventory?: Inventory; withStatuses?: boolean } = {}): Recommendation[] {
  const inventory = overrides.inventory ?? postureInventory();
  const sources = postureSources(inventory);
  const endpoints = buildEndpointRows(overrides.withStatuses === false ? { ...sources, statuses: [] } : sources);
  return recommendations({ inventory, endpoints, observed: { from: NOW - 60 * DAY, to: NOW }, inactiveDays: 30, ...overrides });
}

const affected = (list: Recommendation[], id: string) => list.find((r) => r.id === id)?.affectedResources.map((a) => a.operationId ?? a.apiId ?? a.resourceId);

describe('recommendations', () => {
  const open = posture();

  test('the open ones, High first, each with what it affects', () => {
    assert.deepEqual(
      open.map((r) => [r.id, r.severity]),
      [
        ['unauthenticated-exposed-endpoints', 'High'],
        ['unencrypted-protocols', 'High'],
        ['subscriptions-scoped-to-all-apis', 'Medium'],
        ['open-products', 'Medium'],
        ['minimum-api-version', 'Medium'],
        ['unused-endpoints', 'Low'],
        ['no-virtual-network', 'Low'],
      ],
    );
    for (const recommendation of open) {
      assert.ok(recommendation.displayName && recommendation.description && recommendation.remediationSteps.length > 0, recommendation.id);
    }
    assert.deepEqual(posture().map((r) => r.id), open.map((r) => r.id), 'ids are stable');
  });

  test('unauthenticated internet-exposed operations (not those the inventory cannot judge), with their ARM ids', () => {
    const recommendation = open.find((r) => r.id === 'unauthenticated-exposed-endpoints');
    assert.deepEqual(affected(open, 'unauthenticated-exposed-endpoints'), ['get-status', 'post-report', 'get-health', 'export']);
    const { detail, ...resource } = recommendation?.affectedResources[0] ?? { detail: '' };
    assert.deepEqual(resource, {
      resourceId: `${SERVICE_ID}/apis/legacy-api/operations/get-status`,
      resourceType: 'operation',
      displayName: 'Legacy / Status (GET /status)',
      apiId: 'legacy-api',
      operationId: 'get-status',
    });
    assert.match(detail, /no subscription key is required and no inbound validate-jwt/);
  });

  test('APIs over HTTP, active all-APIs subscriptions, open published products, the service settings', () => {
    assert.deepEqual(affected(open, 'unencrypted-protocols'), ['legacy-api']);
    assert.deepEqual(affected(open, 'subscriptions-scoped-to-all-apis'), [`${SERVICE_ID}/subscriptions/ops-everything`]);
    assert.deepEqual(affected(open, 'open-products'), [`${SERVICE_ID}/products/free`]);
    assert.match(open.find((r) => r.id === 'open-products')?.affectedResources[0]?.detail ?? '', /data-api/);
    assert.deepEqual(affected(open, 'minimum-api-version'), [SERVICE_ID]);
    assert.deepEqual(affected(open, 'no-virtual-network'), [SERVICE_ID]);
    const fixed = posture({ inventory: postureInventory({ service: { minApiVersion: '2021-08-01', sku: { name: 'Consumption' } } }) });
    assert.equal(affected(fixed, 'minimum-api-version'), undefined);
    assert.equal(affected(fixed, 'no-virtual-network'), undefined, 'Consumption cannot join a virtual network');
  });

  test('unused: inactive marks, and operations never seen once traffic was watched for the inactivity period (since they appeared)', () => {
    assert.deepEqual(affected(open, 'unused-endpoints'), ['delete-order', 'get-status', 'export']);
    const details = open.find((r) => r.id === 'unused-endpoints')?.affectedResources.map((a) => a.detail);
    assert.deepEqual(details, ['no traffic in 60 days of observed traffic', `no traffic since ${new Date(NOW - 45 * DAY).toISOString()}`, 'no traffic in 60 days of observed traffic']);
    // post-report appeared 5 days ago: not judged yet. On day one nothing is judged.
    assert.equal(affected(posture({ observed: { from: NOW - DAY, to: NOW }, withStatuses: false }), 'unused-endpoints'), undefined);
    assert.equal(affected(posture({ observed: undefined, withStatuses: false }), 'unused-endpoints'), undefined);
    assert.deepEqual(affected(posture({ observed: { from: NOW - 29 * DAY, to: NOW } }), 'unused-endpoints'), ['get-status']);
  });

  test('behind an internal virtual network the unauthenticated endpoints are a Medium finding instead', () => {
    const internal = posture({ inventory: postureInventory({ service: { virtualNetworkType: 'Internal' } }) });
    assert.equal(affected(internal, 'unauthenticated-exposed-endpoints'), undefined);
    assert.deepEqual(affected(internal, 'unauthenticated-internal-endpoints'), ['get-status', 'post-report', 'get-health', 'export']);
    assert.equal(internal.find((r) => r.id === 'unauthenticated-internal-endpoints')?.severity, 'Medium');
    assert.equal(affected(internal, 'no-virtual-network'), undefined);
  });
});

describe('recommendationsForEndpoint', () => {
  const open = posture();

  test('the recommendations naming the operation or its API, narrowed to it', () => {
    const forStatus = recommendationsForEndpoint(open, { apiId: 'Legacy-API', operationId: 'get-status' });
    assert.deepEqual(
      forStatus.map((r) => [r.id, r.affectedResources.map((a) => a.operationId ?? a.apiId)]),
      [
        ['unauthenticated-exposed-endpoints', ['get-status']],
        ['unencrypted-protocols', ['legacy-api']],
        ['unused-endpoints', ['get-status']],
      ],
    );
    assert.deepEqual(recommendationsForEndpoint(open, { apiId: 'shop-api', operationId: 'get-order' }), []);
    assert.deepEqual(recommendationsForEndpoint(open, { apiId: '', operationId: '' }), []);
  });
});
