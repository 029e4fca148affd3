import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { RequestParam } from '../../../shared/core/requestEvent';
import { decodeComponent, MAX_PARAMS, parseQuery, splitUrl } from '../../../shared/core/parse/url';

function query(text: string): Array<[string, string]> {
  const params: RequestParam[] = [];
  parseQuery(text, params);
  assert.ok(params.every((param) => param.location === 'query'));
  return params.map((param) => [param.name, param.value]);
}

describe('splitUrl', () => {
  test('splits an absolute URL into path and query and drops the fragment', () => {
    assert.deepEqual(splitUrl('https://contoso.azure-api.net:443/echo/resource?a=1&b=2#frag'), {
      path: '/echo/resource',
      query: 'a=1&b=2',
    });
  });

  test('accepts a relative origin-form URL', () => {
    assert.deepEqual(splitUrl('/echo?x=1'), { path: '/echo', query: 'x=1' });
    assert.deepEqual(splitUrl('/'), { path: '/', query: undefined });
  });

  test('gives "/" as the path of a URL without one', () => {
    assert.deepEqual(splitUrl('https://host'), { path: '/', query: undefined });
    assert.deepEqual(splitUrl('https://host?q'), { path: '/', query: 'q' });
  });

  test('keeps percent-encoding and dot segments in the path as sent', () => {
    assert.deepEqual(splitUrl('https://h/a/%2e%2e/b/../c%20d'), { path: '/a/%2e%2e/b/../c%20d', query: undefined });
  });

  test('keeps an empty query apart from no query', () => {
    assert.deepEqual(splitUrl('/a?'), { path: '/a', query: '' });
    assert.equal(splitUrl('/a')?.query, undefined);
  });

  test('rejects what cannot be a request URL', () => {
    for (const url of [
      '',
      'echo/resource',
      'contoso.azure-api.net/echo',
      'https:/host/path',
      'https:///path',
      '1http://host/',
      '/a b',
      '/a\nb',
      'https://ho st/',
      '*',
    ]) {
      assert.equal(splitUrl(url), undefined, JSON.stringify(url));
    }
  });
});

describe('decodeComponent', () => {
  test('decodes percent-escapes, and "+" as space only when asked', () => {
    assert.equal(decodeComponent('a%20b+c', true), 'a b c');
    assert.equal(decodeComponent('a%20b+c', false), 'a b+c');
    assert.equal(decodeComponent('caf%C3%A9', false), 'café');
  });

  test('keeps the raw text of malformed escapes and decodes the rest', () => {
    assert.equal(decodeComponent('%E0%A4%A', false), '%E0%A4%A');
    assert.equal(decodeComponent('%zz', false), '%zz');
    assert.equal(decodeComponent('%', false), '%');
    assert.equal(decodeComponent('100%', false), '100%');
    assert.equal(decodeComponent('a%20b%zz%C3%A9', false), 'a b%zzé');
    assert.equal(decodeComponent('x%E0%A4%A4y%E0%A4', false), 'x\u0924y%E0%A4');
  });

  test('refuses overlong encodings and encoded surrogates instead of decoding them', () => {
    assert.equal(decodeComponent('%C0%AF', false), '%C0%AF');
    assert.equal(decodeComponent('%ED%A0%80', false), '%ED%A0%80');
    assert.equal(decodeComponent('%F0%9F%98%80%FF', false), '\u{1F600}%FF');
  });
});

describe('parseQuery', () => {
  test('keeps repeated names as separate parameters, in order', () => {
    assert.deepEqual(query('id=1&id=2&x=3'), [
      ['id', '1'],
      ['id', '2'],
      ['x', '3'],
    ]);
  });

  test('decodes names and values, with "+" as space', () => {
    assert.deepEqual(query('first+name=Ada+L%C3%B6wen&q=a%2Bb'), [
      ['first name', 'Ada Löwen'],
      ['q', 'a+b'],
    ]);
  });

  test('treats a bare name as an empty value and skips empty pieces', () => {
    assert.deepEqual(query('flag&&a=&=v&b=x=y'), [
      ['flag', ''],
      ['a', ''],
      ['', 'v'],
      ['b', 'x=y'],
    ]);
    assert.deepEqual(query(''), []);
  });

  test('survives malformed percent-encoding', () => {
    assert.deepEqual(query('a=%E0%A4%A&b=%zz&c=%&d=ok%21'), [
      ['a', '%E0%A4%A'],
      ['b', '%zz'],
      ['c', '%'],
      ['d', 'ok!'],
    ]);
  });

  test('keeps at most MAX_PARAMS parameters', () => {
    const text = Array.from({ length: MAX_PARAMS + 50 }, (_, i) => `p${i}=${i}`).join('&');
    const params = query(text);
    assert.equal(params.length, MAX_PARAMS);
    assert.deepEqual(params.at(-1), [`p${MAX_PARAMS - 1}`, String(MAX_PARAMS - 1)]);
  });
});
