import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  parseEventTime,
  readMethod,
  readNonNegative,
  readStatus,
  serviceFromResourceId,
} from '../../../shared/core/parse/fields';

describe('parseEventTime', () => {
  test('reads APIM times with seven fractional digits, truncated to the millisecond', () => {
    assert.equal(parseEventTime('2024-05-13T09:15:26.4496706Z'), Date.UTC(2024, 4, 13, 9, 15, 26, 449));
  });

  test('reads offsets, no fraction, and treats a time without offset as UTC', () => {
    assert.equal(parseEventTime('2024-05-13T11:15:26+02:00'), Date.UTC(2024, 4, 13, 9, 15, 26));
    assert.equal(parseEventTime('2024-05-13T04:15:26.5-0500'), Date.UTC(2024, 4, 13, 9, 15, 26, 500));
    assert.equal(parseEventTime('2024-05-13T09:15:26.1234567'), Date.UTC(2024, 4, 13, 9, 15, 26, 123));
  });

  test('refuses impossible dates and other formats', () => {
    for (const text of [
      '',
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-05-13T24:00:00Z',
      '2024-05-13 09:15:26Z',
      '13/05/2024',
      'Mon, 13 May 2024 09:15:26 GMT',
      '1715591726449',
      '1969-12-31T23:59:59Z',
      '2024-05-13T09:15:26.1234567890Z',
    ]) {
      assert.equal(parseEventTime(text), undefined, text);
    }
    assert.equal(parseEventTime('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  });
});

describe('scalar readers', () => {
  test('readNonNegative accepts numbers and decimal strings only', () => {
    assert.equal(readNonNegative(12.5), 12.5);
    assert.equal(readNonNegative(' 12 '), 12);
    for (const value of [-1, Number.POSITIVE_INFINITY, Number.NaN, '1e3', '-1', '', 'abc', null, true]) {
      assert.equal(readNonNegative(value), undefined, String(value));
    }
  });

  test('readStatus accepts integers from 0 to 999', () => {
    assert.equal(readStatus(0), 0);
    assert.equal(readStatus('404'), 404);
    for (const value of [1000, 200.5, -200, 'OK']) assert.equal(readStatus(value), undefined, String(value));
  });

  test('readMethod upper-cases tokens and refuses the rest', () => {
    assert.equal(readMethod('get'), 'GET');
    assert.equal(readMethod('PROPFIND'), 'PROPFIND');
    for (const value of ['', 'GE T', 'G\nET', 'X'.repeat(33), 'GET/']) assert.equal(readMethod(value), undefined, value);
  });

  test('serviceFromResourceId lower-cases the APIM service name', () => {
    assert.equal(
      serviceFromResourceId('/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/CONTOSO-APIM'),
      'contoso-apim',
    );
    assert.equal(serviceFromResourceId('/subscriptions/s/providers/Microsoft.Web/sites/x'), '');
    assert.equal(serviceFromResourceId(undefined), '');
  });
});
