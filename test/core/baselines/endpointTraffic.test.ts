import assert from 'node:assert/strict';
import { test } from 'node:test';

import { deserializeEndpointTraffic, EndpointTrafficBuilder, serializeEndpointTraffic } from '../../../shared/core/baselines/endpointTraffic';
import type { WindowFeatures } from '../../../shared/core/windowFeatures';
import { WINDOW_MS } from '../../../shared/core/windows';

function features(start: number, endpointStatus: Array<[string, number]>): WindowFeatures {
  return {
    start,
    end: start + WINDOW_MS,
    endpointStatus: new Map(endpointStatus),
    ipEndpointStatus: new Map(),
    distinctEndpointsPerIp: new Map(),
    unknownEndpointsPerIp: new Map(),
    endpoints: new Map(),
  };
}

test('totals every status of an endpoint over the windows of its span only, and round-trips', () => {
  const builder = new EndpointTrafficBuilder(WINDOW_MS, 3 * WINDOW_MS);
  builder.add(features(0, [['c|shop|get\t200', 50]]));
  builder.add(features(WINDOW_MS, [['c|shop|get\t200', 7], ['c|shop|get\t404', 2], ['c|shop|~GET /x\t404', 1]]));
  builder.add(features(2 * WINDOW_MS, [['c|shop|get\t200', 3]]));
  builder.add(features(3 * WINDOW_MS, [['c|shop|get\t200', 99]]));
  const traffic = builder.build();
  assert.deepEqual([...traffic.requests], [['c|shop|get', 12], ['c|shop|~GET /x', 1]]);
  assert.deepEqual(deserializeEndpointTraffic(serializeEndpointTraffic(traffic)), traffic);
  assert.throws(() => deserializeEndpointTraffic('{"v":2}'), /version 2/);
});
