import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { makeEndpoint } from '../../../shared/core/requestEvent';
import { MESSAGE, policyLogRecord } from '../../fixtures/records';
import { parseOneEvent, parseOneRejection } from './helpers';

function event(overrides: Parameters<typeof policyLogRecord>[0] = {}) {
  return parseOneEvent(JSON.stringify(policyLogRecord(overrides)));
}

function rejection(overrides: Parameters<typeof policyLogRecord>[0]) {
  return parseOneRejection(JSON.stringify(policyLogRecord(overrides)));
}

describe('policy-log records', () => {
  test('normalize the documented record into a RequestEvent', () => {
    assert.deepEqual(event(), {
      time: Date.UTC(2024, 4, 13, 9, 15, 26, 449),
      clientIp: '203.0.113.7',
      callerIp: '203.0.113.7',
      method: 'GET',
      endpoint: makeEndpoint({
        service: 'contoso-apim',
        apiId: 'echo-api',
        operationId: 'retrieve-resource',
        pathTemplate: '',
      }),
      path: '/echo/resource',
      status: 200,
      requestSize: 0,
      requestSizeSource: 'totalBytes',
      responseSize: 0,
      responseSizeSource: 'totalBytes',
      latencyMs: 152.318,
      params: [
        { name: 'param1', value: 'sample', location: 'query' },
        { name: 'param2', value: 'two', location: 'query' },
      ],
      userAgent: 'curl/8.5.0',
      correlationId: '3f06647e-1c2b-4b8e-9d1a-530eb9f15261',
      format: 'policyLog',
      source: { ...MESSAGE, recordIndex: 0 },
    });
  });

  test('lower-case the service name', () => {
    assert.equal(event({ serviceName: 'Contoso-APIM' }).endpoint.service, 'contoso-apim');
  });

  test('prefer Content-Length fields (header text or numbers) over total sizes', () => {
    const parsed = event({ requestContentLength: '12', responseContentLength: 345, requestSize: 900, responseSize: 999 });
    assert.equal(parsed.requestSize, 12);
    assert.equal(parsed.requestSizeSource, 'contentLength');
    assert.equal(parsed.responseSize, 345);
    assert.equal(parsed.responseSizeSource, 'contentLength');
    const totals = event({ requestContentLength: '', requestSize: 900 });
    assert.equal(totals.requestSize, 900);
    assert.equal(totals.requestSizeSource, 'totalBytes');
  });

  test('apply the trusted-proxy rule to forwardedFor', () => {
    const behindProxy = event({ callerIp: '10.1.2.3', forwardedFor: '198.51.100.7, 10.4.4.4' });
    assert.equal(behindProxy.clientIp, '198.51.100.7');
    assert.equal(behindProxy.callerIp, '10.1.2.3');
    const direct = event({ callerIp: '198.51.100.9', forwardedFor: '192.0.2.1' });
    assert.equal(direct.clientIp, '198.51.100.9');
  });

  test('fold the path of requests that matched no operation', () => {
    const parsed = event({ apiId: '', operationId: '', method: 'delete', url: 'https://h/Admin/42' });
    assert.equal(parsed.method, 'DELETE');
    assert.equal(parsed.endpoint.pathTemplate, 'DELETE /admin/{id}');
    const absent = event({ apiId: undefined, operationId: undefined, url: '/admin/43' });
    assert.equal(absent.endpoint.key, parsed.endpoint.key.replace('DELETE', 'GET'));
  });

  test('keep backendTimeMs when given and ignore unknown fields', () => {
    const parsed = event({ backendTimeMs: 12.5, lastErrorReason: 'x', extra: { a: 1 } });
    assert.equal(parsed.backendLatencyMs, 12.5);
  });

  test('treat nulls in optional fields as absent', () => {
    const parsed = event({ userAgent: null, correlationId: null, backendTimeMs: null, apiId: null });
    assert.equal(parsed.userAgent, undefined);
    assert.equal(parsed.correlationId, undefined);
    assert.equal(parsed.backendLatencyMs, undefined);
    assert.equal(parsed.endpoint.apiId, '');
  });

  test('accept a time without offset as UTC, as DateTime.ToString("o") may write it', () => {
    assert.equal(event({ time: '2024-05-13T09:15:26.4496706' }).time, Date.UTC(2024, 4, 13, 9, 15, 26, 449));
  });

  describe('reject with a stable reason naming the field', () => {
    const cases: Array<[string, Parameters<typeof policyLogRecord>[0], string, RegExp]> = [
      ['unknown version', { v: 2 }, 'unsupported_version', /^v: /],
      ['version as text', { v: '1' }, 'unsupported_version', /^v: /],
      ['missing time', { time: undefined }, 'missing_time', /^time: missing/],
      ['bad time', { time: '2024-13-13T00:00:00Z' }, 'bad_time', /^time: /],
      ['missing serviceName', { serviceName: undefined }, 'missing_field', /^serviceName: missing/],
      ['missing callerIp', { callerIp: undefined }, 'missing_ip', /^callerIp: missing/],
      ['bad callerIp', { callerIp: 'unknown' }, 'bad_ip', /^callerIp: /],
      ['missing method', { method: undefined }, 'missing_method', /^method: missing/],
      ['bad url', { url: 'not a url' }, 'bad_url', /^url: /],
      ['missing url', { url: undefined }, 'missing_url', /^url: missing/],
      ['bad status', { status: 'teapot' }, 'bad_status', /^status: /],
      ['missing status', { status: undefined }, 'missing_status', /^status: missing/],
      ['bad duration', { durationMs: 'slow' }, 'bad_number', /^durationMs: /],
      ['userAgent not text', { userAgent: 5 }, 'bad_field', /^userAgent: /],
    ];
    for (const [name, overrides, reason, detail] of cases) {
      test(name, () => {
        const rejected = rejection(overrides);
        assert.equal(rejected.reason, reason);
        assert.match(rejected.detail, detail);
        assert.equal(rejected.format, 'policyLog');
      });
    }
  });
});
