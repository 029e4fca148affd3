import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CidrSet } from '../../../shared/core/ip';
import { parseContentLength, readHeaders, resolveClientIp } from '../../../shared/core/parse/headers';

function cidrs(...entries: string[]): CidrSet {
  const parsed = CidrSet.parse(entries);
  assert.ok(parsed.ok);
  return parsed.set;
}

describe('readHeaders', () => {
  test('reads an object of names to values with names in any case', () => {
    const headers = readHeaders({ 'User-Agent': 'curl/8.5.0', 'X-FORWARDED-FOR': ['1.1.1.1', '2.2.2.2'] });
    assert.equal(headers.get('user-agent'), 'curl/8.5.0');
    assert.equal(headers.get('x-forwarded-for'), '1.1.1.1, 2.2.2.2');
  });

  test('joins the same header given in two spellings', () => {
    const headers = readHeaders({ 'x-forwarded-for': '1.1.1.1', 'X-Forwarded-For': '2.2.2.2' });
    assert.equal(headers.get('x-forwarded-for'), '1.1.1.1, 2.2.2.2');
  });

  test('reads a JSON-string-encoded object and an array of name/value pairs', () => {
    assert.equal(readHeaders('{"Content-Length":"12"}').get('content-length'), '12');
    assert.equal(readHeaders([{ name: 'User-Agent', value: 'x' }, 'junk']).get('user-agent'), 'x');
  });

  test('reads anything else as no headers', () => {
    for (const raw of [undefined, null, 42, 'User-Agent: x', '{broken', [1, 2], true]) {
      assert.equal(readHeaders(raw).size, 0, JSON.stringify(raw));
    }
  });
});

describe('resolveClientIp', () => {
  const proxies = cidrs('10.0.0.0/8', '2001:db8:ffff::/48');

  test('takes the right-most untrusted X-Forwarded-For entry when the caller is a trusted proxy', () => {
    assert.equal(resolveClientIp('10.0.0.5', '198.51.100.1, 203.0.113.9, 10.1.1.1', proxies), '203.0.113.9');
  });

  test('ignores X-Forwarded-For from an untrusted caller', () => {
    assert.equal(resolveClientIp('203.0.113.7', '198.51.100.1', proxies), '203.0.113.7');
  });

  test('falls back to the caller when the entry to use is not an IP, or every entry is a proxy', () => {
    assert.equal(resolveClientIp('10.0.0.5', '198.51.100.1, unknown', proxies), '10.0.0.5');
    assert.equal(resolveClientIp('10.0.0.5', '10.2.2.2, 10.3.3.3', proxies), '10.0.0.5');
    assert.equal(resolveClientIp('10.0.0.5', ' , ', proxies), '10.0.0.5');
    assert.equal(resolveClientIp('10.0.0.5', undefined, proxies), '10.0.0.5');
  });

  test('normalizes entries with ports, brackets and mapped IPv6', () => {
    assert.equal(resolveClientIp('10.0.0.5', '[2001:DB8::9]:4711', proxies), '2001:db8::9');
    assert.equal(resolveClientIp('10.0.0.5', '198.51.100.2:5555', proxies), '198.51.100.2');
    assert.equal(resolveClientIp('2001:db8:ffff::1', '::ffff:198.51.100.3', proxies), '198.51.100.3');
  });

  test('trusts nobody when no proxy is configured', () => {
    assert.equal(resolveClientIp('10.0.0.5', '198.51.100.1', CidrSet.empty()), '10.0.0.5');
  });
});

describe('parseContentLength', () => {
  test('reads integers and digit strings, and identical repeats once', () => {
    assert.equal(parseContentLength(42), 42);
    assert.equal(parseContentLength('42'), 42);
    assert.equal(parseContentLength(' 42 , 42 '), 42);
    assert.equal(parseContentLength('0'), 0);
  });

  test('refuses differing repeats, signs, fractions and words', () => {
    for (const value of ['42, 43', '-1', '4.2', 'abc', '', -1, 4.2, Number.NaN, null, undefined, {}]) {
      assert.equal(parseContentLength(value), undefined, String(value));
    }
  });
});
