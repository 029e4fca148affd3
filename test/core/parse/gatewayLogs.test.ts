import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { makeEndpoint } from '../../../shared/core/requestEvent';
import { envelope, gatewayLogsRecord, MESSAGE } from '../../fixtures/records';
import { OPTIONS, parse, parseOneEvent, parseOneRejection, trusted } from './helpers';

function event(overrides: Parameters<typeof gatewayLogsRecord>[0] = {}, options = OPTIONS) {
  return parseOneEvent(envelope(gatewayLogsRecord(overrides)), options);
}

function rejection(overrides: Parameters<typeof gatewayLogsRecord>[0]) {
  return parseOneRejection(envelope(gatewayLogsRecord(overrides)));
}

describe('GatewayLogs records', () => {
  test('normalize a real-shaped record into a RequestEvent', () => {
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
      requestSize: 658,
      requestSizeSource: 'totalBytes',
      responseSize: 1025,
      responseSizeSource: 'totalBytes',
      latencyMs: 152,
      backendLatencyMs: 58,
      params: [
        { name: 'param1', value: 'sample', location: 'query' },
        { name: 'param2', value: 'two', location: 'query' },
      ],
      userAgent: 'curl/8.5.0',
      correlationId: '3f06647e-1c2b-4b8e-9d1a-530eb9f15261',
      format: 'gatewayLogs',
      source: { ...MESSAGE, recordIndex: 0 },
    });
  });

  test('tolerate unknown fields at every level', () => {
    const parsed = event({
      someNewTopLevelField: { nested: [1, 2, 3] },
      properties: { productId: 'starter', userId: '1', errors: [], lastError: { reason: 'x' }, newThing: true },
    });
    assert.equal(parsed.status, 200);
  });

  test('give unmatched requests (empty operationId) a folded path template', () => {
    const first = event({
      properties: { operationId: '', apiId: '', url: 'https://contoso-apim.azure-api.net/Users/123/orders?x=1' },
    });
    const second = event({
      properties: { operationId: '', apiId: '', url: 'https://contoso-apim.azure-api.net/users/456/orders' },
    });
    assert.equal(first.endpoint.operationId, '');
    assert.equal(first.endpoint.pathTemplate, 'GET /users/{id}/orders');
    assert.equal(first.endpoint.key, second.endpoint.key);
    assert.deepEqual(first.params, [
      { name: '{id1}', value: '123', location: 'path' },
      { name: 'x', value: '1', location: 'query' },
    ]);
    assert.equal(first.path, '/Users/123/orders');
  });

  test('treat absent apiId and operationId like empty ones', () => {
    const parsed = event({ properties: { operationId: undefined, apiId: undefined } });
    assert.equal(parsed.endpoint.apiId, '');
    assert.equal(parsed.endpoint.pathTemplate, 'GET /echo/resource');
  });

  test('give matched requests path parameters for id-like segments but no template', () => {
    const parsed = event({ properties: { url: 'https://h/echo/orders/5f8d0d55b54764421b7156c3' } });
    assert.equal(parsed.endpoint.pathTemplate, '');
    assert.deepEqual(parsed.params, [{ name: '{id1}', value: '5f8d0d55b54764421b7156c3', location: 'path' }]);
  });

  test('accept IPv6 callers with or without port and brackets, and fold v4-mapped ones', () => {
    assert.equal(event({ callerIpAddress: '2001:DB8::1' }).callerIp, '2001:db8::1');
    assert.equal(event({ callerIpAddress: '[2001:db8::1]:51234' }).clientIp, '2001:db8::1');
    assert.equal(event({ callerIpAddress: '::ffff:203.0.113.7' }).clientIp, '203.0.113.7');
    assert.equal(event({ callerIpAddress: '203.0.113.7:443' }).clientIp, '203.0.113.7');
  });

  test('take the client from X-Forwarded-For only behind a trusted proxy', () => {
    const headers = { requestHeaders: { 'User-Agent': 'ua', 'X-Forwarded-For': '198.51.100.23, 10.20.0.4' } };
    const behindProxy = event({ callerIpAddress: '10.0.0.4', properties: headers });
    assert.equal(behindProxy.callerIp, '10.0.0.4');
    assert.equal(behindProxy.clientIp, '198.51.100.23');

    const direct = event({ callerIpAddress: '203.0.113.50', properties: headers });
    assert.equal(direct.clientIp, '203.0.113.50');

    const ipv6Proxy = event({ callerIpAddress: '2001:db8:ffff::10', properties: headers });
    assert.equal(ipv6Proxy.clientIp, '198.51.100.23');
  });

  test('trust nobody when no proxies are configured', () => {
    const parsed = event(
      { callerIpAddress: '10.0.0.4', properties: { requestHeaders: { 'X-Forwarded-For': '198.51.100.23' } } },
      { ...OPTIONS, trustedProxies: trusted() },
    );
    assert.equal(parsed.clientIp, '10.0.0.4');
  });

  test('match header names case-insensitively and accept array values and JSON-string headers', () => {
    const lower = event({
      callerIpAddress: '10.0.0.4',
      properties: {
        requestHeaders: {
          'User-Agent': undefined,
          'user-agent': 'lower/1',
          'x-forwarded-for': ['198.51.100.1', '198.51.100.2'],
        },
      },
    });
    assert.equal(lower.userAgent, 'lower/1');
    assert.equal(lower.clientIp, '198.51.100.2');
    const upper = event({ properties: { requestHeaders: { 'User-Agent': undefined, 'USER-AGENT': 'upper/1' } } });
    assert.equal(upper.userAgent, 'upper/1');
    const encoded = event({ properties: { requestHeaders: '{"User-Agent":"encoded/1"}' } });
    assert.equal(encoded.userAgent, 'encoded/1');
  });

  test('leave the User-Agent out when no headers were logged', () => {
    assert.equal(event({ properties: { requestHeaders: undefined } }).userAgent, undefined);
  });

  test('prefer Content-Length over total bytes and say which was used', () => {
    const parsed = event({
      properties: {
        requestHeaders: { 'Content-Length': '17' },
        responseHeaders: { 'content-length': '900' },
      },
    });
    assert.equal(parsed.requestSize, 17);
    assert.equal(parsed.requestSizeSource, 'contentLength');
    assert.equal(parsed.responseSize, 900);
    assert.equal(parsed.responseSizeSource, 'contentLength');

    const malformed = event({ properties: { responseHeaders: { 'Content-Length': 'lots' } } });
    assert.equal(malformed.responseSize, 1025);
    assert.equal(malformed.responseSizeSource, 'totalBytes');
  });

  test('use 0 total bytes when sizes are absent', () => {
    const parsed = event({ properties: { requestSize: undefined, responseSize: null } });
    assert.equal(parsed.requestSize, 0);
    assert.equal(parsed.requestSizeSource, 'totalBytes');
    assert.equal(parsed.responseSize, 0);
  });

  test('accept status 0 for connections that ended without a response', () => {
    assert.equal(event({ properties: { responseCode: 0 } }).status, 0);
  });

  test('accept a relative URL', () => {
    const parsed = event({ properties: { url: '/echo?x=1' } });
    assert.equal(parsed.path, '/echo');
    assert.deepEqual(parsed.params, [{ name: 'x', value: '1', location: 'query' }]);
  });

  test('accept properties written as a JSON string, as early versions did', () => {
    const record = gatewayLogsRecord();
    record['properties'] = JSON.stringify(record['properties']);
    assert.equal(parseOneEvent(envelope(record)).status, 200);
  });

  test('use "" as the service when the resourceId does not name an APIM service', () => {
    assert.equal(event({ resourceId: undefined }).endpoint.service, '');
  });

  test('skip other categories and operation names without quarantining them', () => {
    const results = parse(
      envelope(
        gatewayLogsRecord({ category: 'WebSocketConnectionLogs', operationName: 'Microsoft.ApiManagement/WebSocket' }),
        gatewayLogsRecord({ operationName: 'Microsoft.ApiManagement/DeveloperPortalAuditLogs' }),
        { category: 'GatewayLlmLogs', properties: {} },
        gatewayLogsRecord(),
      ),
    );
    assert.deepEqual(
      results.map((result) => result.kind),
      ['skipped', 'skipped', 'skipped', 'event'],
    );
    const [first] = results;
    assert.ok(first?.kind === 'skipped');
    assert.match(first.reason, /WebSocketConnectionLogs/);
    assert.deepEqual(first.source, { ...MESSAGE, recordIndex: 0 });
  });

  test('compare the category case-insensitively', () => {
    assert.equal(event({ category: 'gatewaylogs', operationName: 'microsoft.apimanagement/gatewaylogs' }).status, 200);
  });

  describe('reject with a stable reason naming the field', () => {
    const cases: Array<[string, Parameters<typeof gatewayLogsRecord>[0], string, RegExp]> = [
      ['missing time', { time: undefined }, 'missing_time', /^time: missing/],
      ['unparseable time', { time: 'yesterday' }, 'bad_time', /^time: /],
      ['numeric time', { time: 1715591726449 }, 'bad_time', /^time: expected string/],
      ['missing caller', { callerIpAddress: undefined }, 'missing_ip', /^callerIpAddress: missing/],
      ['hostname caller', { callerIpAddress: 'proxy.internal' }, 'bad_ip', /^callerIpAddress: /],
      ['missing method', { properties: { method: undefined } }, 'missing_method', /^properties\.method: missing/],
      ['empty method', { properties: { method: ' ' } }, 'missing_method', /^properties\.method/],
      ['garbage method', { properties: { method: 'GE T' } }, 'bad_method', /^properties\.method/],
      ['missing url', { properties: { url: undefined } }, 'missing_url', /^properties\.url: missing/],
      ['host-less url', { properties: { url: 'echo/resource' } }, 'bad_url', /^properties\.url: /],
      ['status text', { properties: { responseCode: 'OK' } }, 'bad_status', /^properties\.responseCode/],
      ['status too big', { properties: { responseCode: 1200 } }, 'bad_status', /^properties\.responseCode/],
      ['missing status', { properties: { responseCode: undefined } }, 'missing_status', /responseCode: missing/],
      ['negative duration', { durationMs: -5 }, 'bad_number', /^durationMs: /],
      ['missing duration', { durationMs: undefined }, 'bad_number', /^durationMs: missing/],
      ['size as object', { properties: { responseSize: { bytes: 1 } } }, 'bad_number', /^properties\.responseSize/],
      ['negative size', { properties: { requestSize: -1 } }, 'bad_number', /^properties\.requestSize/],
      ['bad backend time', { properties: { backendTime: 'slow' } }, 'bad_number', /^properties\.backendTime/],
      ['properties missing', { properties: undefined }, 'missing_field', /^properties: missing/],
      ['properties not an object', { properties: 7 }, 'bad_field', /^properties: /],
      ['apiId not a string', { properties: { apiId: 7 } }, 'bad_field', /^properties\.apiId: /],
    ];
    for (const [name, overrides, reason, detail] of cases) {
      test(name, () => {
        const rejected = rejection(overrides);
        assert.equal(rejected.reason, reason);
        assert.match(rejected.detail, detail);
        assert.equal(rejected.format, 'gatewayLogs');
        assert.deepEqual(rejected.source, { ...MESSAGE, recordIndex: 0 });
        assert.equal(JSON.parse(rejected.raw).category, 'GatewayLogs');
      });
    }
  });
});
