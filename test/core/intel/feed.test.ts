import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CidrSet } from '../../../shared/core/ip';
import { formatFeed, parseFeed, parseIntelEntry } from '../../../shared/core/intel';

describe('parseFeed', () => {
  test('reads one IP per line, v4 and v6, in canonical form', () => {
    const parsed = parseFeed('203.0.113.7\n2001:DB8:0:0:0:0:0:1\n::ffff:198.51.100.9\n');
    assert.deepEqual(parsed.entries, [{ value: '203.0.113.7' }, { value: '2001:db8::1' }, { value: '198.51.100.9' }]);
    assert.deepEqual(parsed.rejected, []);
  });

  test('skips blank lines and # or ; comments, whole-line or trailing', () => {
    const text = [
      '# Tor exit list',
      '',
      '   ',
      '; Spamhaus DROP style',
      '203.0.113.7   # trailing hash comment',
      '198.51.100.0/24 ; SBL123456',
      '\t2001:db8::5\t',
      '#203.0.113.99',
    ].join('\n');
    assert.deepEqual(
      parseFeed(text).entries.map((e) => e.value),
      ['203.0.113.7', '198.51.100.0/24', '2001:db8::5'],
    );
    assert.deepEqual(parseFeed(text).rejected, []);
  });

  test('accepts CRLF line ends, a byte-order mark and no final newline', () => {
    const parsed = parseFeed('\uFEFF203.0.113.1\r\n203.0.113.2\r\n203.0.113.3');
    assert.deepEqual(
      parsed.entries.map((e) => e.value),
      ['203.0.113.1', '203.0.113.2', '203.0.113.3'],
    );
    assert.deepEqual(parsed.rejected, []);
    assert.deepEqual(parseFeed(''), { entries: [], rejected: [], duplicates: 0 });
  });

  test("keeps IPsum's second column as the confidence", () => {
    const text = '# IPsum Threat Intelligence Feed\n#\n# IP\tnumber of (black)lists\n#\n77.90.185.20\t10\n2.57.122.53\t9\n45.154.244.193 3\n';
    assert.deepEqual(parseFeed(text).entries, [
      { value: '77.90.185.20', confidence: 10 },
      { value: '2.57.122.53', confidence: 9 },
      { value: '45.154.244.193', confidence: 3 },
    ]);
  });

  test('masks host bits of CIDRs and writes full-length prefixes as addresses', () => {
    const parsed = parseFeed('203.0.113.77/24\n10.1.2.3/8\n198.51.100.9/32\n2001:db8::77/32\n2001:db8::1/128\n0.0.0.0/8\n');
    assert.deepEqual(
      parsed.entries.map((e) => e.value),
      ['203.0.113.0/24', '10.0.0.0/8', '198.51.100.9', '2001:db8::/32', '2001:db8::1', '0.0.0.0/8'],
    );
  });

  test('folds IPv4-mapped IPv6 networks to IPv4 ones, like CidrSet', () => {
    assert.deepEqual(parseIntelEntry('::ffff:10.9.8.7/104'), { ok: true, value: '10.0.0.0/8' });
    assert.deepEqual(parseIntelEntry('::ffff:10.9.8.7/128'), { ok: true, value: '10.9.8.7' });
    // Wider than the mapped space: a genuine IPv6 range.
    assert.deepEqual(parseIntelEntry('::ffff:0.0.0.0/95', { minPrefixV6: 0 }), { ok: true, value: '::fffe:0:0/95' });
  });

  test('deduplicates entries, keeping the highest confidence and counting repeats', () => {
    const parsed = parseFeed('203.0.113.7\t2\n203.0.113.7\t5\n203.0.113.7\n203.0.113.007x\n2001:db8::1\n2001:DB8::1\n');
    assert.deepEqual(parsed.entries, [{ value: '203.0.113.7', confidence: 5 }, { value: '2001:db8::1' }]);
    assert.equal(parsed.duplicates, 3);
    assert.equal(parsed.rejected.length, 1);
  });

  test('rejects hostnames, ports, brackets, ranges, garbage and odd columns, with line numbers', () => {
    const bad = [
      'example.com',
      'localhost',
      'unknown',
      '203.0.113.7:80',
      '[2001:db8::1]',
      '[2001:db8::1]:443',
      '203.0.113.1-203.0.113.9',
      '203.0.113.0/24garbage',
      '203.0.113.0/',
      '203.0.113.0/33',
      '2001:db8::/129',
      '203.0.113.0/024',
      '203.0.113.0/-1',
      '203.0.113',
      '010.0.0.1',
      '0x7f.0.0.1',
      'fe80::1%eth0',
      '203.0.113.7,5',
      '203.0.113.7\t5\textra',
      '203.0.113.7\tmany',
      '203.0.113.7\t-3',
      '203.0.113.7\t1.5',
      '<html><body>Service unavailable</body></html>',
      '2001:db8::1::2',
      `203.0.113.7 ${'x'.repeat(300)}`,
    ];
    const text = ['# header', ...bad].join('\n');
    const parsed = parseFeed(text);
    assert.deepEqual(parsed.entries, []);
    assert.deepEqual(
      parsed.rejected.map((r) => r.line),
      bad.map((_, i) => i + 2),
    );
    for (const rejection of parsed.rejected) {
      assert.ok(rejection.text.length <= 120, rejection.text);
      assert.ok(rejection.reason.length > 0);
    }
    const reasons = new Map(parsed.rejected.map((r) => [bad[r.line - 2], r.reason]));
    assert.equal(reasons.get('203.0.113.7:80'), 'a port is not allowed');
    assert.equal(reasons.get('[2001:db8::1]'), 'brackets are not allowed');
    assert.equal(reasons.get('203.0.113.0/33'), 'bad CIDR prefix');
    assert.equal(reasons.get('203.0.113.7\t5\textra'), 'more than two columns');
    assert.equal(reasons.get('203.0.113.7\tmany'), 'second column is not a count');
  });

  test('a bad line never stops the parse', () => {
    const parsed = parseFeed('203.0.113.1\nnot-an-ip\n203.0.113.2\n');
    assert.deepEqual(
      parsed.entries.map((e) => e.value),
      ['203.0.113.1', '203.0.113.2'],
    );
    assert.deepEqual(parsed.rejected, [{ line: 2, text: 'not-an-ip', reason: 'not an IP address' }]);
  });

  test('rejects implausibly broad networks, with configurable limits', () => {
    const parsed = parseFeed('0.0.0.0/0\n10.0.0.0/7\n::/0\n2000::/3\n10.0.0.0/8\n2001::/16\n');
    assert.deepEqual(
      parsed.entries.map((e) => e.value),
      ['10.0.0.0/8', '2001::/16'],
    );
    assert.deepEqual(
      parsed.rejected.map((r) => r.reason),
      ['network broader than /8', 'network broader than /8', 'network broader than /16', 'network broader than /16'],
    );
    const loose = parseFeed('0.0.0.0/0\n::/0\n', { minPrefixV4: 0, minPrefixV6: 0 });
    assert.deepEqual(
      loose.entries.map((e) => e.value),
      ['0.0.0.0/0', '::/0'],
    );
    assert.equal(parseFeed('10.0.0.0/16\n', { minPrefixV4: 24 }).rejected.length, 1);
  });

  test('accepts and rejects exactly what CidrSet does (prefix limits aside)', () => {
    const tokens = [
      '1.2.3.4',
      '1.2.3.4/0',
      '1.2.3.4/32',
      '1.2.3.4/33',
      '1.2.3.4/',
      '1.2.3.4/01',
      '1.2.3.4:80',
      '[1.2.3.4]',
      '01.2.3.4',
      '1.2.3',
      '::',
      '::/0',
      '::1/128',
      '::1/129',
      '2001:db8::/32',
      '2001:db8:::/32',
      '[2001:db8::1]',
      '::ffff:1.2.3.4',
      '::ffff:1.2.3.4/120',
      '::ffff:01.2.3.4',
      'fe80::1%1',
      'abc',
      '1.2.3.4/8/8',
    ];
    for (const token of tokens) {
      const ours = parseIntelEntry(token, { minPrefixV4: 0, minPrefixV6: 0 }).ok;
      assert.equal(ours, CidrSet.parse([token]).ok, token);
    }
  });
});

describe('formatFeed', () => {
  test('writes what parseFeed reads back, comments first', () => {
    const entries = [{ value: '203.0.113.7', confidence: 4 }, { value: '2001:db8::/32' }, { value: '198.51.100.0/24', confidence: 0 }];
    const text = formatFeed(entries, ['source: test', '']);
    assert.equal(text, '# source: test\n#\n203.0.113.7\t4\n2001:db8::/32\n198.51.100.0/24\t0\n');
    assert.deepEqual(parseFeed(text), { entries, rejected: [], duplicates: 0 });
    assert.equal(formatFeed([]), '');
  });
});
