import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ContentBaselineBuilder } from '../../../shared/core/baselines/contentBaseline';
import { detectDistributedEnumeration, detectParameterEnumeration } from '../../../shared/core/detectors/paramEnumeration';
import { DEFAULT_DETECTION_SETTINGS } from '../../../shared/core/detectors/settings';
import { WINDOW_MS, WindowAggregate } from '../../../shared/core/windows';
import { requestEvent } from '../../fixtures/events';

const settings = DEFAULT_DETECTION_SETTINGS;
const T0 = Date.parse('2026-05-04T00:00:00Z');

/** A window where each of `clients` sends `values` distinct values of `email`. */
function window(clients: number, values: number, offset = 0): WindowAggregate {
  const aggregate = new WindowAggregate();
  for (let c = 0; c < clients; c += 1) {
    for (let v = 0; v < values; v += 1) {
      aggregate.add(requestEvent({ clientIp: `10.0.${c % 250}.${Math.floor(c / 250) + 1}`, params: [{ name: 'email', value: `u${offset + c * 1000 + v}@example.com`, location: 'query' }] }));
    }
  }
  return aggregate;
}

/** Two weeks of windows where 20 clients each look up 1–2 addresses. */
function learn() {
  const builder = new ContentBaselineBuilder(T0 - 1000 * WINDOW_MS, T0, DEFAULT_DETECTION_SETTINGS.minClientSizeSamples);
  for (let w = 0; w < 1000; w += 1) builder.add(window(20, 1 + (w % 2), w * 100_000), T0 - (w + 1) * WINDOW_MS);
  return builder.build();
}

describe('parameter enumeration', () => {
  const baselines = learn();

  test('one client sending many more distinct values than clients do is enumerating; at the floor it is not', () => {
    assert.deepEqual(detectParameterEnumeration(window(1, settings.enumerationFloor), T0, baselines, settings), []);
    const [finding] = detectParameterEnumeration(window(1, 300), T0, baselines, settings);
    assert.equal(finding?.alertType, 'API_ParameterEnumeration');
    assert.equal(finding?.entities.parameterName, 'email');
    // Exact up to 64 distinct values per client, a KMV estimate above.
    assert.ok(Math.abs(Number(finding?.observed) - 300) <= 30, `observed ${String(finding?.observed)}`);
    assert.equal(finding?.evidence.exact, false);
    assert.equal(finding?.time, T0);
    assert.equal(finding?.endTime, T0 + WINDOW_MS);
  });

  test('many clients sending a few values each are a distributed enumeration, not a per-client one', () => {
    const distributed = window(80, 4);
    assert.deepEqual(detectParameterEnumeration(distributed, T0, baselines, settings), []);
    const [finding] = detectDistributedEnumeration(distributed, T0, baselines, settings);
    assert.equal(finding?.alertType, 'API_DistributedParameterEnumeration');
    assert.equal(finding?.evidence.clients, 80);
    assert.equal(finding?.entities.clientIp, undefined);
  });

  test('an ordinary window, too few clients, or a parameter without history raises no distributed enumeration', () => {
    assert.deepEqual(detectDistributedEnumeration(window(20, 2), T0, baselines, settings), []);
    assert.deepEqual(detectDistributedEnumeration(window(settings.distributedEnumerationMinClients - 1, 30), T0, baselines, settings), []);
    const empty = new ContentBaselineBuilder(T0, T0, DEFAULT_DETECTION_SETTINGS.minClientSizeSamples).build();
    assert.deepEqual(detectDistributedEnumeration(window(80, 4), T0, empty, settings), []);
  });
});
