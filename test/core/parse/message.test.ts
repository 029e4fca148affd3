import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { envelope, gatewayLogsRecord, MESSAGE, policyLogRecord } from '../../fixtures/records';
import { OPTIONS, parse, parseOneRejection } from './helpers';

function kinds(results: ReturnType<typeof parse>): string[] {
  return results.map((result) => (result.kind === 'rejected' ? `rejected:${result.rejection.reason}` : result.kind));
}

function indexes(results: ReturnType<typeof parse>): number[] {
  return results.map((result) =>
    result.kind === 'event' ? result.event.source.recordIndex : result.kind === 'rejected' ? result.rejection.source.recordIndex : result.source.recordIndex,
  );
}

describe('message bodies', () => {
  test('a diagnostic-settings envelope as text yields one result per record, numbered from 0', () => {
    const results = parse(JSON.stringify(envelope(gatewayLogsRecord(), gatewayLogsRecord(), gatewayLogsRecord())));
    assert.deepEqual(kinds(results), ['event', 'event', 'event']);
    assert.deepEqual(indexes(results), [0, 1, 2]);
    const [first] = results;
    assert.ok(first?.kind === 'event');
    assert.deepEqual(first.event.source, { ...MESSAGE, recordIndex: 0 });
  });

  test('a Buffer with a UTF-8 BOM parses like text', () => {
    const text = JSON.stringify(envelope(gatewayLogsRecord({ properties: { requestHeaders: { 'User-Agent': 'Grüße/1' } } })));
    const buffer = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    const results = parse(buffer);
    assert.deepEqual(kinds(results), ['event']);
    assert.ok(results[0]?.kind === 'event');
    assert.equal(results[0].event.userAgent, 'Grüße/1');
  });

  test('a plain Uint8Array and a string with a BOM parse too', () => {
    const text = JSON.stringify(policyLogRecord());
    assert.deepEqual(kinds(parse(new TextEncoder().encode(text))), ['event']);
    assert.deepEqual(kinds(parse(`\ufeff${text}`)), ['event']);
  });

  test('an already-parsed envelope object parses', () => {
    assert.deepEqual(kinds(parse(envelope(gatewayLogsRecord(), policyLogRecord()))), ['event', 'event']);
  });

  test('a single policy-log object parses', () => {
    assert.deepEqual(kinds(parse(policyLogRecord())), ['event']);
  });

  test('an array of records parses, as text and as a value, and expands envelopes inside it', () => {
    const array = [policyLogRecord(), gatewayLogsRecord(), envelope(gatewayLogsRecord(), gatewayLogsRecord())];
    assert.deepEqual(kinds(parse(array)), ['event', 'event', 'event', 'event']);
    const fromText = parse(JSON.stringify(array));
    assert.deepEqual(kinds(fromText), ['event', 'event', 'event', 'event']);
    assert.deepEqual(indexes(fromText), [0, 1, 2, 3]);
  });

  test('JSON lines with one broken line keep the good lines and reject only the broken one', () => {
    const lines = [
      JSON.stringify(policyLogRecord()),
      '{"v":1,"time":"2024-05-13T09:15:27Z", broken',
      '',
      JSON.stringify(policyLogRecord({ status: 404 })),
    ].join('\r\n');
    const results = parse(lines);
    assert.deepEqual(kinds(results), ['event', 'rejected:invalid_json', 'event']);
    assert.deepEqual(indexes(results), [0, 1, 2]);
    const broken = results[1];
    assert.ok(broken?.kind === 'rejected');
    assert.equal(broken.rejection.raw, '{"v":1,"time":"2024-05-13T09:15:27Z", broken');
    assert.match(broken.rejection.detail, /^line: /);
    const last = results[2];
    assert.ok(last?.kind === 'event');
    assert.equal(last.event.status, 404);
  });

  test('JSON lines may carry envelopes', () => {
    const lines = `${JSON.stringify(envelope(gatewayLogsRecord(), gatewayLogsRecord()))}\n${JSON.stringify(policyLogRecord())}\n`;
    assert.deepEqual(kinds(parse(lines)), ['event', 'event', 'event']);
  });

  test('a body that is not JSON at all is one invalid_json rejection with the text', () => {
    const rejection = parseOneRejection('this is not json\nnor is this');
    assert.equal(rejection.reason, 'invalid_json');
    assert.equal(rejection.raw, 'this is not json\nnor is this');
    assert.equal(rejection.source.recordIndex, 0);
    assert.equal(rejection.format, undefined);
  });

  test('an empty body is rejected as empty_message, and an empty envelope yields nothing', () => {
    assert.equal(parseOneRejection('  \n ').reason, 'empty_message');
    assert.equal(parseOneRejection(Buffer.alloc(0)).reason, 'empty_message');
    assert.deepEqual(parse('{"records":[]}'), []);
  });

  test('records that are not objects are rejected as not_an_object', () => {
    const results = parse(JSON.stringify({ records: [1, 'two', null, [3], gatewayLogsRecord()] }));
    assert.deepEqual(kinds(results), [
      'rejected:not_an_object',
      'rejected:not_an_object',
      'rejected:not_an_object',
      'rejected:not_an_object',
      'event',
    ]);
  });

  test('objects of no known format are rejected as unknown_format, and so is a non-array records field', () => {
    assert.equal(parseOneRejection({ hello: 'world' }).reason, 'unknown_format');
    assert.equal(parseOneRejection('{"records":{"a":1}}').reason, 'unknown_format');
  });

  test('bodies of other types are rejected as unsupported_body', () => {
    for (const body of [undefined, null, 42, true]) {
      const rejection = parseOneRejection(body);
      assert.equal(rejection.reason, 'unsupported_body', String(body));
    }
  });

  test('raw text is cut to maxRawChars and the original length is kept', () => {
    const record = gatewayLogsRecord({ time: 'not a time', padding: 'x'.repeat(5000) });
    const text = JSON.stringify(record);
    const rejection = parseOneRejection(text, { ...OPTIONS, maxRawChars: 100 });
    assert.equal(rejection.reason, 'bad_time');
    assert.equal(rejection.raw, text.slice(0, 100));
    assert.equal(rejection.rawLength, text.length);
  });

  test('raw text of a record inside an envelope is that record alone', () => {
    const bad = gatewayLogsRecord({ callerIpAddress: 'nope' });
    const results = parse(JSON.stringify(envelope(gatewayLogsRecord(), bad)));
    const rejected = results[1];
    assert.ok(rejected?.kind === 'rejected');
    assert.equal(rejected.rejection.reason, 'bad_ip');
    assert.deepEqual(JSON.parse(rejected.rejection.raw), bad);
    assert.equal(rejected.rejection.source.recordIndex, 1);
  });

  test('raw text is never cut inside a surrogate pair', () => {
    const rejection = parseOneRejection(`${'a'.repeat(9)}\u{1F600}bbb`, { ...OPTIONS, maxRawChars: 10 });
    assert.equal(rejection.raw, 'a'.repeat(9));
    assert.equal(rejection.rawLength, 14);
  });
});
