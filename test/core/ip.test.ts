import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CidrSet, normalizeIp } from '../../shared/core/ip';

describe('normalizeIp', () => {
  test('keeps canonical IPv4 and trims surrounding whitespace', () => {
    assert.equal(normalizeIp('203.0.113.7'), '203.0.113.7');
    assert.equal(normalizeIp('  203.0.113.7\t'), '203.0.113.7');
    assert.equal(normalizeIp('0.0.0.0'), '0.0.0.0');
  });

  test('strips a port from IPv4 and from bracketed IPv6', () => {
    assert.equal(normalizeIp('1.2.3.4:5678'), '1.2.3.4');
    assert.equal(normalizeIp('[2001:db8::1]:443'), '2001:db8::1');
    assert.equal(normalizeIp('[2001:db8::1]'), '2001:db8::1');
  });

  test('writes IPv6 in compressed lower-case form', () => {
    assert.equal(normalizeIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(normalizeIp('2001:0db8:0000:0000:0001:0000:0000:0001'), '2001:db8::1:0:0:1');
    assert.equal(normalizeIp('::'), '::');
  });

  test('folds IPv4-mapped IPv6 to IPv4, in any spelling', () => {
    assert.equal(normalizeIp('::ffff:1.2.3.4'), '1.2.3.4');
    assert.equal(normalizeIp('::FFFF:0102:0304'), '1.2.3.4');
    assert.equal(normalizeIp('[::ffff:1.2.3.4]:80'), '1.2.3.4');
  });

  test('rejects short, octal and hex IPv4 forms', () => {
    for (const text of ['1.2.3', '010.1.1.1', '01.2.3.4', '0x7f.0.0.1', '256.1.1.1', '1.2.3.4.5', '1.2.3.']) {
      assert.equal(normalizeIp(text), undefined, text);
    }
  });

  test('rejects octal IPv4 embedded in IPv6', () => {
    assert.equal(normalizeIp('::ffff:010.1.1.1'), undefined);
  });

  test('rejects hostnames, words, zone ids, bad ports and unbracketed IPv6 with a port', () => {
    for (const text of [
      '',
      '   ',
      'unknown',
      'localhost',
      'example.com',
      'fe80::1%eth0',
      '1.2.3.4:',
      '1.2.3.4:99999',
      '1.2.3.4:http',
      '[2001:db8::1',
      '[2001:db8::1]443',
      '[1.2.3.4]x',
      '2001:db8::1::2',
      `1.2.3.4${' '.repeat(80)}`,
    ]) {
      assert.equal(normalizeIp(text), undefined, JSON.stringify(text));
    }
  });
});

describe('CidrSet', () => {
  test('matches single addresses and CIDR ranges of both families', () => {
    const parsed = CidrSet.parse(['10.0.0.0/8', '192.0.2.5', '2001:db8:ffff::/48', '2001:db8::7']);
    assert.ok(parsed.ok);
    const set = parsed.set;
    assert.equal(set.size, 4);
    assert.ok(set.contains('10.255.0.1'));
    assert.ok(set.contains('192.0.2.5'));
    assert.ok(!set.contains('192.0.2.6'));
    assert.ok(!set.contains('11.0.0.0'));
    assert.ok(set.contains('2001:db8:ffff:1::9'));
    assert.ok(set.contains('2001:db8::7'));
    assert.ok(!set.contains('2001:db8::8'));
    assert.ok(!set.contains('2001:db9::'));
  });

  test('ignores blank entries and lists every invalid one', () => {
    const parsed = CidrSet.parse(['', '  ', '10.0.0.0/33', 'proxy.example.com', '1.2.3.4:80', '10.0.0.0/08', '::/129']);
    assert.equal(parsed.ok, false);
    assert.ok(!parsed.ok);
    assert.deepEqual(parsed.invalid, ['10.0.0.0/33', 'proxy.example.com', '1.2.3.4:80', '10.0.0.0/08', '::/129']);
    const blanks = CidrSet.parse(['', ' ']);
    assert.ok(blanks.ok);
    assert.equal(blanks.set.size, 0);
  });

  test('masks host bits and handles the range edges', () => {
    const parsed = CidrSet.parse(['10.1.2.3/16', '0.0.0.0/0']);
    assert.ok(parsed.ok);
    assert.ok(parsed.set.contains('255.255.255.255'));
    const narrow = CidrSet.parse(['10.1.2.3/16']);
    assert.ok(narrow.ok);
    assert.ok(narrow.set.contains('10.1.0.0'));
    assert.ok(narrow.set.contains('10.1.255.255'));
    assert.ok(!narrow.set.contains('10.2.0.0'));
    assert.ok(!narrow.set.contains('10.0.255.255'));
  });

  test('treats IPv4-mapped entries and lookups as IPv4', () => {
    const parsed = CidrSet.parse(['::ffff:10.0.0.0/104']);
    assert.ok(parsed.ok);
    assert.ok(parsed.set.contains('10.9.9.9'));
    assert.ok(parsed.set.contains('::ffff:10.9.9.9'));
    assert.ok(!parsed.set.contains('11.0.0.1'));
  });

  test('merges overlapping ranges without losing any', () => {
    const parsed = CidrSet.parse(['10.0.0.0/24', '10.0.0.128/25', '10.0.1.0/24', '10.0.3.0/24']);
    assert.ok(parsed.ok);
    assert.ok(parsed.set.contains('10.0.1.200'));
    assert.ok(!parsed.set.contains('10.0.2.1'));
    assert.ok(parsed.set.contains('10.0.3.1'));
  });

  test('says no to text that is not an address', () => {
    const parsed = CidrSet.parse(['0.0.0.0/0', '::/0']);
    assert.ok(parsed.ok);
    assert.ok(!parsed.set.contains('unknown'));
    assert.ok(!parsed.set.contains(''));
    assert.ok(!parsed.set.contains('1.2.3'));
    assert.ok(CidrSet.empty().size === 0 && !CidrSet.empty().contains('1.2.3.4'));
  });

  test('stays fast with thousands of entries', () => {
    const entries: string[] = [];
    for (let i = 0; i < 5000; i += 1) entries.push(`${(i >> 8) + 1}.${i & 255}.0.0/24`);
    const parsed = CidrSet.parse(entries);
    assert.ok(parsed.ok);
    const started = process.hrtime.bigint();
    let hits = 0;
    for (let i = 0; i < 100_000; i += 1) if (parsed.set.contains(`${(i % 20) + 1}.${i & 255}.0.${i & 7}`)) hits += 1;
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(hits > 0);
    assert.ok(elapsedMs < 1000, `100k lookups took ${elapsedMs} ms`);
  });
});
