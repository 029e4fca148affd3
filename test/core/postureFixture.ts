import assert from 'node:assert/strict';

import { newAlert, type Alert, type AlertStatus } from '../../shared/core/alerts';
import type { EndpointSources } from '../../shared/core/endpoints';
import { parseInventory, type Inventory } from '../../shared/core/inventory';
import { NO_POLICY, type PolicyFacts } from '../../shared/core/policy';
import { makeEndpoint, type Endpoint } from '../../shared/core/requestEvent';
import { findingOf } from './alerts/helpers';

export const SERVICE_ID = '/subscriptions/00000000-0000-4000-8000-0000000000c0/resourceGroups/rg-apis/providers/Microsoft.ApiManagement/service/Contoso-APIM';
export const DAY = 24 * 60 * 60 * 1000;
/** Event time "now" of the posture tests. */
export const NOW = Date.parse('2026-06-30T12:00:00Z');

const facts = (overrides: Partial<PolicyFacts>): PolicyFacts => ({ ...NO_POLICY, ...overrides });

/**
 * A service like the fake ARM's Contoso, as the sync stores it: a key-protected shop API, a
 * legacy API over HTTP without a key, a partner API behind validate-jwt, an API in an open
 * product, an API whose policy skips <base /> and one with an unreadable operation policy.
 */
export function postureInventory(overrides: { service?: Record<string, unknown> } = {}): Inventory {
  const parsed = parseInventory({
    service: {
      resourceId: SERVICE_ID,
      gatewayUrl: 'https://contoso-apim.azure-api.net',
      sku: { name: 'Developer', capacity: 1 },
      publicNetworkAccess: 'Enabled',
      virtualNetworkType: 'None',
      policy: facts({ authentication: [], rateLimit: true, inheritsInbound: false }),
      ...overrides.service,
    },
    apis: [
      {
        name: 'shop-api',
        displayName: 'Shop',
        path: 'shop',
        subscriptionRequired: true,
        protocols: ['https'],
        operations: [
          { name: 'get-order', displayName: 'Get order', method: 'GET', urlTemplate: '/orders/{orderId}' },
          { name: 'delete-order', displayName: 'Delete order', method: 'DELETE', urlTemplate: '/orders/{orderId}', policy: facts({ inheritsInbound: false, unreadable: true }) },
        ],
      },
      {
        name: 'legacy-api',
        displayName: 'Legacy',
        path: 'legacy',
        subscriptionRequired: false,
        protocols: ['http', 'https'],
        operations: [
          { name: 'get-status', displayName: 'Status', method: 'GET', urlTemplate: '/status' },
          { name: 'post-report', method: 'POST', urlTemplate: '/reports', firstSyncedAt: '2026-06-25T00:00:00.000Z' },
        ],
      },
      {
        name: 'partner-api',
        path: 'partner',
        subscriptionRequired: false,
        protocols: ['https'],
        policy: facts({ authentication: ['validate-jwt'] }),
        operations: [
          { name: 'get-catalog', method: 'GET', urlTemplate: '/catalog' },
          // Its own policy drops <base />: the API's validate-jwt does not run for it.
          { name: 'get-health', method: 'GET', urlTemplate: '/health', policy: facts({ inheritsInbound: false }) },
        ],
      },
      {
        name: 'open-api',
        path: 'open',
        subscriptionRequired: false,
        protocols: ['https'],
        policy: facts({ fragments: ['shared-auth'] }),
        operations: [{ name: 'search', method: 'GET', urlTemplate: '/search' }],
      },
      { name: 'data-api', path: 'data', subscriptionRequired: true, protocols: ['https'], operations: [{ name: 'export', method: 'GET', urlTemplate: '/export' }] },
    ],
    products: [
      { name: 'starter', displayName: 'Starter', state: 'published', subscriptionRequired: true, apis: ['shop-api'] },
      { name: 'free', displayName: 'Free', state: 'published', subscriptionRequired: false, apis: ['data-api'] },
      { name: 'draft', state: 'notPublished', subscriptionRequired: false, apis: ['shop-api'] },
    ],
    subscriptions: {
      total: 3,
      byState: { active: 2, suspended: 1 },
      allApis: [
        { name: 'ops-everything', displayName: 'Ops', state: 'active', scope: `${SERVICE_ID}/apis` },
        { name: 'old-everything', state: 'suspended', scope: `${SERVICE_ID}/apis` },
      ],
    },
  });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
  return parsed.inventory;
}

export const endpoint = (apiId: string, operationId: string, pathTemplate = ''): Endpoint =>
  makeEndpoint({ service: 'contoso-apim', apiId, operationId, pathTemplate });

export function alertOn(on: Endpoint, status: AlertStatus, clientIp = '203.0.113.7'): Alert {
  return { ...newAlert(findingOf('API_SpikeInAPITraffic', { entities: { clientIp, endpoint: on, status: 200 } }), { detectedAt: new Date(NOW) }), status };
}

/** Traffic to most endpoints, an unmatched path, an operation APIM no longer has, and alerts. */
export function postureSources(inventory: Inventory = postureInventory()): EndpointSources {
  const seen = (on: Endpoint, firstDaysAgo: number, lastDaysAgo: number) => ({ endpoint: on, firstSeen: NOW - firstDaysAgo * DAY, lastSeen: NOW - lastDaysAgo * DAY });
  return {
    inventory,
    activity: [
      seen(endpoint('shop-api', 'get-order'), 60, 0),
      // Logged in another case than ARM's name: still the same operation.
      seen(endpoint('Shop-API', 'Get-Order'), 61, 1),
      seen(endpoint('legacy-api', 'get-status'), 60, 45),
      seen(endpoint('partner-api', 'get-catalog'), 50, 0),
      seen(endpoint('partner-api', 'get-health'), 50, 0),
      seen(endpoint('open-api', 'search'), 40, 0),
      seen(endpoint('', '', 'GET /admin/{id}'), 3, 2),
      seen(endpoint('shop-api', 'old-operation'), 90, 80),
    ],
    statuses: [
      { endpoint: endpoint('legacy-api', 'get-status'), inactive: true, inactiveSince: NOW - 15 * DAY },
      { endpoint: endpoint('shop-api', 'old-operation'), inactive: true, inactiveSince: NOW - 50 * DAY },
      { endpoint: endpoint('shop-api', 'get-order'), inactive: false },
    ],
    traffic: {
      from: NOW - 30 * DAY,
      to: NOW - DAY / 2,
      requests: new Map([
        [endpoint('shop-api', 'get-order').key, 1200],
        [endpoint('SHOP-API', 'get-order').key, 34],
        [endpoint('partner-api', 'get-catalog').key, 80],
        [endpoint('', '', 'GET /admin/{id}').key, 9],
      ]),
    },
    alerts: [
      alertOn(endpoint('shop-api', 'get-order'), 'Active'),
      alertOn(endpoint('shop-api', 'get-order'), 'InProgress', '198.51.100.4'),
      alertOn(endpoint('shop-api', 'get-order'), 'Resolved', '198.51.100.5'),
      alertOn(endpoint('', '', 'GET /admin/{id}'), 'Active'),
    ],
  };
}
