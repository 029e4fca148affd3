import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { RequestParam } from '../../../shared/core/requestEvent';
import { analyzePath, isIdSegment, MAX_TEMPLATE_CHARS } from '../../../shared/core/parse/pathTemplate';

describe('isIdSegment', () => {
  test('recognizes integers, UUIDs, hex tokens, ULIDs, e-mails and long random tokens', () => {
    for (const segment of [
      '123',
      '0042',
      '3f06647e-1c2b-4b8e-9d1a-530eb9f15261',
      '3F06647E-1C2B-4B8E-9D1A-530EB9F15261',
      '5f8d0d55b54764421b7156c3',
      'deadbeef01',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      'someone@example.com',
      'someone%40example.com',
      'aZ3kQ9_xT7bLm2NpQr8sVw',
      'dGhpcyBpcyBhIHRlc3Q',
      'k3j4h5g6f7d8s9a0q1w2',
      'x'.repeat(65),
    ]) {
      assert.ok(isIdSegment(segment), segment);
    }
  });

  test('leaves words, versions, slugs and camelCase names alone', () => {
    for (const segment of [
      '',
      'users',
      'v2',
      'oauth2',
      'acceded',
      'deadbeef',
      'get-user-profile-settings',
      'oauth2-authorize-callback',
      'listAllCustomerOrders',
      'listAllCustomerOrders2',
      'index.html',
      '%2e%2e',
      'me@localhost',
      'x'.repeat(64),
    ]) {
      assert.ok(!isIdSegment(segment), segment);
    }
  });
});

describe('analyzePath', () => {
  test('folds ids so that two paths with different ids share one template', () => {
    const a = analyzePath('/users/123', 'GET', []);
    const b = analyzePath('/users/456', 'GET', []);
    assert.equal(a, 'GET /users/{id}');
    assert.equal(a, b);
  });

  test('lower-cases the fixed segments of the template', () => {
    assert.equal(analyzePath('/Users/123/Orders', 'POST', []), 'POST /users/{id}/orders');
  });

  test('keeps the root and trailing slashes distinct', () => {
    assert.equal(analyzePath('/', 'GET', []), 'GET /');
    assert.equal(analyzePath('/a/', 'GET', []), 'GET /a/');
    assert.equal(analyzePath('/a', 'GET', []), 'GET /a');
  });

  test('names path parameters by position and decodes their values', () => {
    const params: RequestParam[] = [];
    const template = analyzePath('/users/42/orders/someone%40example.com', undefined, params);
    assert.equal(template, '');
    assert.deepEqual(params, [
      { name: '{id1}', value: '42', location: 'path' },
      { name: '{id2}', value: 'someone@example.com', location: 'path' },
    ]);
  });

  test('bounds the template length', () => {
    const path = `/${Array.from({ length: 40 }, (_, i) => `segment-${String.fromCharCode(97 + (i % 26))}name`).join('/')}`;
    const template = analyzePath(path, 'GET', []);
    assert.equal(template.length, 'GET '.length + MAX_TEMPLATE_CHARS + 1);
    assert.ok(template.endsWith('…'));
  });
});
