import type { Finding } from '../../../shared/core/detectors/finding';
import { makeEndpoint, type Endpoint } from '../../../shared/core/requestEvent';

export const T0 = Date.parse('2025-03-01T10:00:00.000Z');
export const MINUTE = 60_000;
export const WINDOW = 20 * MINUTE;

export const APIM_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-api/providers/Microsoft.ApiManagement/service/contoso-apim';

export const ORDERS: Endpoint = makeEndpoint({ service: 'contoso-apim', apiId: 'orders-api', operationId: 'get-order', pathTemplate: '' });
export const USERS: Endpoint = makeEndpoint({ service: 'contoso-apim', apiId: 'users-api', operationId: 'list-users', pathTemplate: '' });
export const UNMATCHED: Endpoint = makeEndpoint({ service: 'contoso-apim', apiId: '', operationId: '', pathTemplate: 'GET /admin/{id}' });

/** A window finding for API_SpikeInAPITraffic, overridable field by field. */
export function spikeFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    alertType: 'API_SpikeInAPITraffic',
    time: T0,
    endTime: T0 + WINDOW,
    entities: { clientIp: '203.0.113.7', endpoint: ORDERS, status: 200 },
    observed: 1200,
    baseline: { median: 40, p99: 150, windows: 2160 },
    score: 3.5,
    evidence: { threshold: 300 },
    ...overrides,
  };
}

/** A finding of any type with the entities its detection carries. */
export function findingOf(alertType: Finding['alertType'], overrides: Partial<Finding> = {}): Finding {
  const base: Finding = {
    alertType,
    time: T0,
    endTime: T0 + WINDOW,
    entities: { clientIp: '203.0.113.7', endpoint: ORDERS, status: 200, parameterName: 'orderId', userAgent: 'curl/8.0' },
    observed: 500,
    baseline: { median: 10, mad: 2 },
    score: 2,
    evidence: {},
  };
  return { ...base, ...overrides };
}
