import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ContentBaselineBuilder } from '../../../shared/core/baselines/contentBaseline';
import { SizeSpikeDetector, UnseenParamDetector } from '../../../shared/core/detectors/contentDetectors';
import { DEFAULT_DETECTION_SETTINGS } from '../../../shared/core/detectors/settings';
import type { RequestEvent, RequestParam } from '../../../shared/core/requestEvent';
import { WINDOW_MS, WindowAggregate } from '../../../shared/core/windows';
import { requestEvent } from '../../fixtures/events';

const settings = DEFAULT_DETECTION_SETTINGS;
const T0 = Date.parse('2026-05-04T00:00:00Z');

function event(overrides: Partial<RequestEvent> = {}, operationId = 'get-product'): RequestEvent {
  return requestEvent({ time: T0, endpointParts: { service: 'contoso', apiId: 'shop', operationId, pathTemplate: '' }, ...overrides });
}

const query = (name: string, value: string): RequestParam => ({ name, value, location: 'query' });

/** Baselines from `n` requests: bodies 1–2 KB, responses 3–5 KB, latency 80–120 ms, `id` an integer, `sort` a word. */
function learn(n: number) {
  const builder = new ContentBaselineBuilder(T0 - WINDOW_MS * 100, T0, DEFAULT_DETECTION_SETTINGS.minClientSizeSamples);
  const aggregate = new WindowAggregate();
  for (let i = 0; i < n; i += 1) {
    aggregate.add(
      event({
        clientIp: `10.0.${i % 250}.${1 + Math.floor(i / 250) % 250}`,
        requestSize: 1000 + (i % 1000),
        responseSize: 3000 + (i % 2000),
        latencyMs: 80 + (i % 40),
        params: [query('id', String(i)), query('sort', i % 2 === 0 ? 'price' : 'name')],
      }),
    );
  }
  builder.add(aggregate, T0 - WINDOW_MS);
  return builder.build();
}

describe('SizeSpikeDetector', () => {
  const detector = new SizeSpikeDetector(learn(1000), settings);

  test('an ordinary request raises nothing', () => {
    assert.deepEqual(detector.detect(event({ requestSize: 1500, responseSize: 4000, latencyMs: 100 })), []);
  });

  test('a request body above both the relative bound and the absolute floor is a request payload spike, naming its size source', () => {
    const justBelow = detector.detect(event({ requestSize: settings.requestPayloadFloor, requestSizeSource: 'contentLength' }));
    assert.deepEqual(justBelow, [], 'the absolute floor is not exceeded');
    const [finding, ...rest] = detector.detect(event({ requestSize: 2_500_000, requestSizeSource: 'contentLength' }));
    assert.equal(rest.length, 0);
    assert.equal(finding?.alertType, 'API_SpikeInPayload');
    assert.equal(finding?.variant, 'request');
    assert.equal(finding?.evidence.sizeSource, 'contentLength');
    assert.equal(finding?.entities.status, 200);
    assert.ok((finding?.score ?? 0) > 1);
    assert.ok(finding?.source, 'a per-request finding names its request');
  });

  test('responses and latency have their own thresholds', () => {
    assert.equal(detector.detect(event({ responseSize: 12_000_000 }))[0]?.variant, 'response');
    assert.equal(detector.detect(event({ latencyMs: 25_000 }))[0]?.alertType, 'API_SpikeInLatency');
    assert.deepEqual(detector.detect(event({ latencyMs: settings.latencyFloorMs })), []);
  });

  test('cold start: an endpoint with too few samples, or unknown, is never judged', () => {
    const young = new SizeSpikeDetector(learn(settings.minSizeSamples - 1), settings);
    assert.deepEqual(young.detect(event({ requestSize: 50_000_000 })), []);
    assert.deepEqual(detector.detect(event({ requestSize: 50_000_000 }, 'never-seen')), []);
  });

  test('a client with enough history is judged by its own sizes: a regular large uploader is not a spike, a jump beyond its own history is', () => {
    const builder = new ContentBaselineBuilder(T0 - WINDOW_MS * 100, T0, settings.minClientSizeSamples);
    const aggregate = new WindowAggregate();
    // 60,000 ordinary requests from many clients, so the uploader's 50 stay beyond the endpoint's 99.9th percentile.
    for (let i = 0; i < 60_000; i += 1) aggregate.add(event({ clientIp: `10.0.${i % 250}.${1 + (Math.floor(i / 250) % 250)}`, requestSize: 1000 + (i % 1000) }));
    for (let i = 0; i < settings.minClientSizeSamples; i += 1) aggregate.add(event({ clientIp: '10.9.9.9', requestSize: 180_000 + i * 100 }));
    builder.add(aggregate, T0 - WINDOW_MS);
    const own = new SizeSpikeDetector(builder.build(), settings);
    assert.deepEqual(own.detect(event({ clientIp: '10.9.9.9', requestSize: 200_000 })), [], 'usual for this client');
    assert.equal(own.detect(event({ clientIp: '10.1.1.1', requestSize: 200_000 }))[0]?.baseline?.of, 'endpoint', 'unusual for anyone else');
    const [jump] = own.detect(event({ clientIp: '10.9.9.9', requestSize: 5_000_000 }));
    assert.equal(jump?.baseline?.of, 'client');
  });

  test('a rare status falls back to the endpoint over every status, but a server error never does', () => {
    const [finding] = detector.detect(event({ status: 418, requestSize: 2_500_000 }));
    assert.equal(finding?.alertType, 'API_SpikeInPayload');
    assert.deepEqual(detector.detect(event({ status: 504, latencyMs: 30_000 })), [], 'a lone gateway timeout is not a latency spike');
  });
});

describe('UnseenParamDetector', () => {
  const detector = new UnseenParamDetector(learn(1000), settings);

  test('known parameters with values of a learned type raise nothing', () => {
    assert.deepEqual(detector.detect(event({ params: [query('id', '42'), query('sort', 'name')] })), []);
  });

  test('a parameter the endpoint never received is unseen', () => {
    const [finding] = detector.detect(event({ params: [query('debug', 'true')] }));
    assert.equal(finding?.alertType, 'API_UnseenParam');
    assert.equal(finding?.entities.parameterName, 'debug');
    assert.equal(finding?.observed, 'debug');
  });

  test('SQL text where integers were learned is an unseen type; a wider learned type accepts narrower values', () => {
    const [finding] = detector.detect(event({ params: [query('id', "1' OR '1'='1")] }));
    assert.equal(finding?.alertType, 'API_UnseenParamType');
    assert.equal(finding?.entities.parameterName, 'id');
    assert.deepEqual(detector.detect(event({ params: [query('sort', 'rating')] })), []);
  });

  test('cold start and unmatched requests: no finding', () => {
    const young = new UnseenParamDetector(learn(settings.minEndpointRequestsForParams - 1), settings);
    assert.deepEqual(young.detect(event({ params: [query('debug', 'true')] })), []);
    const unmatched = requestEvent({ time: T0, endpointParts: { service: 'contoso', apiId: '', operationId: '', pathTemplate: 'GET /x' }, params: [query('debug', '1')] });
    assert.deepEqual(detector.detect(unmatched), []);
    assert.deepEqual(detector.detect(event({ params: [] })), []);
  });
});
