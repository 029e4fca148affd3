import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { TrafficBaselineBuilder } from '../../../shared/core/baselines/trafficBaseline';
import { DEFAULT_DETECTION_SETTINGS } from '../../../shared/core/detectors/settings';
import {
  detectPopulationSpikes,
  detectSpray,
  detectTrafficSpikes,
  detectUnknownEndpoints,
  spikeThreshold,
} from '../../../shared/core/detectors/windowTraffic';
import type { RequestEvent } from '../../../shared/core/requestEvent';
import { windowFeatures, type WindowFeatures } from '../../../shared/core/windowFeatures';
import { WINDOW_MS, WindowAggregate } from '../../../shared/core/windows';
import { requestEvent } from '../../fixtures/events';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const settings = DEFAULT_DETECTION_SETTINGS;

function event(clientIp: string, operationId: string, status = 200, pathTemplate = ''): RequestEvent {
  return requestEvent({ time: 0, clientIp, status, endpointParts: { service: 'contoso', apiId: 'shop', operationId, pathTemplate } });
}

/** One window's features from (ip, operation, count) triples. */
function window(start: number, traffic: Array<[string, string, number]>): WindowFeatures {
  const aggregate = new WindowAggregate();
  for (const [ip, operation, count] of traffic) {
    const pathTemplate = operation.startsWith('GET /') ? operation : '';
    for (let i = 0; i < count; i += 1) aggregate.add(event(ip, pathTemplate === '' ? operation : '', pathTemplate === '' ? 200 : 404, pathTemplate));
  }
  return windowFeatures(aggregate, start);
}

/** A week of history: client A sends 4–6 requests to get-product in every window; B and C a few. */
function history() {
  const builder = new TrafficBaselineBuilder(T0, T0 + 7 * DAY);
  for (let start = T0, i = 0; start < T0 + 7 * DAY; start += WINDOW_MS, i += 1) {
    builder.add(window(start, [['10.0.0.1', 'get-product', 4 + (i % 3)], ['10.0.0.2', 'list-products', 2], ['10.0.0.3', i % 2 === 0 ? 'get-product' : 'list-products', 1]]));
  }
  return builder.build();
}

describe('window traffic detectors', () => {
  const baselines = history();
  const after = T0 + 7 * DAY;

  test('the spike threshold is the largest of quantile × factor, median + MADs, and the floor', () => {
    const summary = baselines.ips.get('10.0.0.1\tcontoso|shop|get-product\t200');
    assert.ok(summary);
    assert.equal(summary.p99, 6);
    assert.equal(spikeThreshold(summary, settings, 0), 18);
    assert.equal(spikeThreshold(summary, settings, 30), 30);
  });

  test('a client just above its threshold is a traffic spike; just at it is not', () => {
    assert.deepEqual(detectTrafficSpikes(window(after, [['10.0.0.1', 'get-product', 30]]), baselines, settings), []);
    const [finding, ...rest] = detectTrafficSpikes(window(after, [['10.0.0.1', 'get-product', 31]]), baselines, settings);
    assert.equal(rest.length, 0);
    assert.equal(finding?.alertType, 'API_SpikeInAPITraffic');
    assert.equal(finding?.entities.clientIp, '10.0.0.1');
    assert.equal(finding?.entities.endpoint?.operationId, 'get-product');
    assert.equal(finding?.entities.status, 200);
    assert.equal(finding?.observed, 31);
    assert.ok((finding?.score ?? 0) > 1);
    assert.equal(finding?.time, after);
    assert.equal(finding?.endTime, after + WINDOW_MS);
  });

  test('a client without history (cold start) never raises a per-client spike', () => {
    assert.deepEqual(detectTrafficSpikes(window(after, [['10.9.9.9', 'get-product', 500]]), baselines, settings), []);
  });

  test('the population spike compares with the same time of day and week, and stays silent without enough history', () => {
    assert.deepEqual(detectPopulationSpikes(window(after, [['10.0.0.1', 'get-product', 60]]), baselines, settings), []);
    const findings = detectPopulationSpikes(
      window(after, Array.from({ length: 40 }, (_, i): [string, string, number] => [`10.1.0.${i}`, 'get-product', 5])),
      baselines,
      settings,
    );
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.alertType, 'API_PopulationSpikeInAPITraffic');
    assert.equal(findings[0]?.evidence.clients, 40);
    const young = new TrafficBaselineBuilder(T0, T0 + DAY / 2);
    young.add(window(T0, [['10.0.0.1', 'get-product', 1]]));
    assert.deepEqual(detectPopulationSpikes(window(T0 + DAY / 2, [['10.0.0.1', 'get-product', 900]]), young.build(), settings), []);
  });

  test('spray: a client requesting many more distinct endpoints than clients do', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i): [string, string, number] => ['203.0.113.5', `op-${i}`, 1]);
    assert.deepEqual(detectSpray(window(after, many(settings.sprayFloor)), baselines, settings), []);
    const [finding] = detectSpray(window(after, many(settings.sprayFloor + 1)), baselines, settings);
    assert.equal(finding?.alertType, 'API_SprayInRequests');
    assert.equal(finding?.observed, settings.sprayFloor + 1);
    assert.equal(finding?.evidence.baselineOf, 'population');
  });

  test('unknown endpoints: one client probing many paths no operation serves', () => {
    const probes = (n: number) => Array.from({ length: n }, (_, i): [string, string, number] => ['203.0.113.6', `GET /probe-${i}`, 2]);
    assert.deepEqual(detectUnknownEndpoints(window(after, probes(settings.unknownEndpointsFloor)), baselines, settings), []);
    const [finding] = detectUnknownEndpoints(window(after, probes(settings.unknownEndpointsFloor + 1)), baselines, settings);
    assert.equal(finding?.alertType, 'API_AccessToUnknownEndpoints');
    assert.equal(finding?.evidence.requests, 2 * (settings.unknownEndpointsFloor + 1));
  });
});
