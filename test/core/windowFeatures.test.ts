import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { RequestEvent } from '../../shared/core/requestEvent';
import { windowFeatures } from '../../shared/core/windowFeatures';
import { WINDOW_MS, WindowAggregate } from '../../shared/core/windows';
import { requestEvent } from '../fixtures/events';

const T0 = Date.parse('2026-03-02T10:00:00Z');

function event(clientIp: string, operationId: string, status = 200, pathTemplate = ''): RequestEvent {
  return requestEvent({ time: T0, clientIp, status, endpointParts: { service: 'contoso', apiId: 'shop', operationId, pathTemplate } });
}

test('features sum requests per endpoint and status over clients, and count distinct endpoints and unknown paths per client', () => {
  const aggregate = new WindowAggregate();
  for (const e of [
    event('10.0.0.1', 'get-product'),
    event('10.0.0.1', 'get-product'),
    event('10.0.0.1', 'get-product', 404),
    event('10.0.0.2', 'get-product'),
    event('10.0.0.2', '', 404, 'GET /admin'),
    event('10.0.0.2', '', 404, 'GET /.env'),
    event('10.0.0.2', '', 404, 'GET /.env'),
  ]) {
    aggregate.add(e);
  }
  const features = windowFeatures(aggregate, T0);
  assert.equal(features.end, T0 + WINDOW_MS);
  assert.equal(features.endpointStatus.get('contoso|shop|get-product\t200'), 3);
  assert.equal(features.endpointStatus.get('contoso|shop|get-product\t404'), 1);
  assert.equal(features.ipEndpointStatus.get('10.0.0.1\tcontoso|shop|get-product\t200'), 2);
  assert.equal(features.distinctEndpointsPerIp.get('10.0.0.1'), 1);
  assert.equal(features.distinctEndpointsPerIp.get('10.0.0.2'), 3);
  assert.deepEqual(features.unknownEndpointsPerIp.get('10.0.0.2'), { requests: 3, distinct: 2 });
  assert.equal(features.unknownEndpointsPerIp.has('10.0.0.1'), false);
});
