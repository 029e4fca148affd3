/**
 * Property tests: whatever arrives, parseMessage returns (never throws), and it returns exactly
 * one well-formed result per record, numbered 0..n-1.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { normalizeIp } from '../../../shared/core/ip';
import { parseMessage, type ParseOptions, type ParseResult } from '../../../shared/core/parse';
import { endpointKey } from '../../../shared/core/requestEvent';
import { gatewayLogsRecord, type JsonObject, MESSAGE, policyLogRecord } from '../../fixtures/records';
import { trusted } from './helpers';

const SETTINGS = { seed: 20240513, numRuns: 300 } as const;

const OPTIONS: ParseOptions = { trustedProxies: trusted('10.0.0.0/8', '2001:db8::/32'), maxRawChars: 64 };

function recordIndexOf(result: ParseResult): number {
  if (result.kind === 'event') return result.event.source.recordIndex;
  if (result.kind === 'rejected') return result.rejection.source.recordIndex;
  return result.source.recordIndex;
}

/** Checks the shape of every result; returns the results for further checks. */
function parseChecked(body: unknown): ParseResult[] {
  const results = parseMessage(body, MESSAGE, OPTIONS);
  assert.ok(Array.isArray(results));
  results.forEach((result, index) => {
    assert.equal(recordIndexOf(result), index);
    if (result.kind === 'rejected') {
      const { rejection } = result;
      assert.equal(typeof rejection.reason, 'string');
      assert.match(rejection.reason, /^[a-z]+(_[a-z]+)*$/);
      assert.ok(rejection.detail.length > 0);
      assert.ok(rejection.raw.length <= OPTIONS.maxRawChars);
      assert.ok(rejection.rawLength >= rejection.raw.length);
      assert.equal(rejection.source.partitionId, MESSAGE.partitionId);
    } else if (result.kind === 'event') {
      const { event } = result;
      assert.ok(Number.isFinite(event.time));
      assert.equal(normalizeIp(event.clientIp), event.clientIp);
      assert.equal(normalizeIp(event.callerIp), event.callerIp);
      assert.equal(event.method, event.method.toUpperCase());
      assert.ok(Number.isInteger(event.status) && event.status >= 0 && event.status <= 999);
      for (const size of [event.requestSize, event.responseSize, event.latencyMs]) {
        assert.ok(Number.isFinite(size) && size >= 0);
      }
      assert.equal(event.endpoint.key, endpointKey(event.endpoint));
      assert.ok(event.path.startsWith('/'));
      assert.ok(event.params.every((param) => typeof param.name === 'string' && typeof param.value === 'string'));
    } else {
      assert.ok(result.reason.length > 0);
    }
  });
  return results;
}

function isEnvelope(value: unknown): value is { records: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'records');
}

/** How many records a parsed JSON value holds, by the documented layout rules. */
function expectedRecords(value: unknown): number {
  const envelopeCount = (envelope: { records: unknown }): number =>
    Array.isArray(envelope.records) ? envelope.records.length : 1;
  if (Array.isArray(value)) {
    return value.reduce<number>((sum, element) => sum + (isEnvelope(element) ? envelopeCount(element) : 1), 0);
  }
  if (isEnvelope(value)) return envelopeCount(value);
  return 1;
}

const interestingStrings = fc.constantFrom(
  '',
  ' ',
  '%',
  '%zz',
  '%E0%A4%A',
  'unknown',
  '::ffff:10.1.2.3',
  '[2001:db8::1]:443',
  '10.0.0.7',
  '198.51.100.4, 10.0.0.9',
  '203.0.113.5:8080',
  'https://h/a/%zz/123?x=%&y=+%2B&x=2#f',
  '/relative/00000000-0000-0000-0000-000000000000?a=1',
  'https://h',
  'GET',
  'get',
  '2024-02-30T00:00:00Z',
  '2024-05-13T09:15:26.4496706+14:00',
  '-1',
  '1e309',
  'NaN',
  '42, 43',
  '\u0000',
  '\ud800',
);

const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  interestingStrings,
  fc.double(),
  fc.integer(),
);

const GATEWAY_PATHS = [
  'time',
  'callerIpAddress',
  'durationMs',
  'category',
  'operationName',
  'resourceId',
  'correlationId',
  'properties',
  'properties.method',
  'properties.url',
  'properties.responseCode',
  'properties.requestSize',
  'properties.responseSize',
  'properties.backendTime',
  'properties.apiId',
  'properties.operationId',
  'properties.requestHeaders',
  'properties.responseHeaders',
  'properties.requestHeaders.X-Forwarded-For',
  'properties.requestHeaders.user-agent',
  'properties.responseHeaders.Content-Length',
] as const;

const POLICY_PATHS = [
  'v',
  'time',
  'serviceName',
  'callerIp',
  'method',
  'url',
  'apiId',
  'operationId',
  'status',
  'durationMs',
  'backendTimeMs',
  'requestSize',
  'responseSize',
  'requestContentLength',
  'responseContentLength',
  'userAgent',
  'forwardedFor',
  'correlationId',
] as const;

type Mutation = { path: string; remove: boolean; value: unknown };

function mutation(paths: readonly string[]): fc.Arbitrary<Mutation> {
  return fc.record({ path: fc.constantFrom(...paths), remove: fc.boolean(), value: anyValue });
}

function applyMutations(record: JsonObject, mutations: readonly Mutation[]): JsonObject {
  for (const { path, remove, value } of mutations) {
    const keys = path.split('.');
    let target: JsonObject = record;
    for (const key of keys.slice(0, -1)) {
      const next = target[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) target[key] = {};
      target = target[key] as JsonObject;
    }
    const last = keys[keys.length - 1] as string;
    if (remove) delete target[last];
    else target[last] = value;
  }
  return record;
}

const mutatedRecord = fc.oneof(
  fc.array(mutation(GATEWAY_PATHS), { maxLength: 4 }).map((mutations) => applyMutations(gatewayLogsRecord(), mutations)),
  fc.array(mutation(POLICY_PATHS), { maxLength: 4 }).map((mutations) => applyMutations(policyLogRecord(), mutations)),
);

describe('parseMessage never throws and yields one result per record', () => {
  test('for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string(), fc.string({ unit: 'grapheme-ascii' })), (body) => {
        const results = parseChecked(body);
        assert.ok(results.length >= 1 || /^\s*(\[\s*\]|\{\s*"records"\s*:\s*\[\s*\]\s*\})\s*$/.test(body));
      }),
      SETTINGS,
    );
  });

  test('for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        parseChecked(bytes);
        parseChecked(Buffer.from(bytes));
      }),
      SETTINGS,
    );
  });

  test('for arbitrary JSON values, given parsed or as text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = value === null || typeof value !== 'object' ? 1 : expectedRecords(value);
        assert.equal(parseChecked(JSON.stringify(value)).length, expectedRecords(value));
        assert.equal(parseChecked(value).length, expected);
      }),
      SETTINGS,
    );
  });

  test('for arbitrary values of other types', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        parseChecked(value);
      }),
      SETTINGS,
    );
  });

  test('for envelopes of mutated valid records', () => {
    fc.assert(
      fc.property(fc.array(mutatedRecord, { maxLength: 6 }), (records) => {
        assert.equal(parseChecked(JSON.stringify({ records })).length, records.length);
        assert.equal(parseChecked({ records }).length, records.length);
      }),
      SETTINGS,
    );
  });

  test('for JSON lines of mutated records with broken lines among them', () => {
    const line = fc.oneof(
      mutatedRecord.map((record) => JSON.stringify(record)),
      mutatedRecord.map((record) => JSON.stringify(record).slice(0, -3)),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 2, maxLength: 6 }), (lines) => {
        const results = parseChecked(lines.join('\n'));
        const anyGood = lines.some((text) => {
          try {
            JSON.parse(text);
            return true;
          } catch {
            return false;
          }
        });
        assert.equal(results.length, anyGood ? lines.length : 1);
      }),
      SETTINGS,
    );
  });

  test('and an unmutated record always becomes an event', () => {
    for (const record of [gatewayLogsRecord(), policyLogRecord()]) {
      const results = parseChecked(JSON.stringify(record));
      assert.equal(results[0]?.kind, 'event');
    }
  });
});
