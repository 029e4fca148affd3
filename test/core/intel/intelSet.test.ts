import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { CidrSet } from '../../../shared/core/ip';
import { IntelSet, parseFeed, type IntelEntry } from '../../../shared/core/intel';
import { IPSUM_FULL, dataText } from './support';

const FEED = { name: 'test-feed', snapshotDate: '2026-08-22' };

function set(values: string[], feed = FEED): IntelSet {
  return IntelSet.build(feed, values.map((value) => ({ value })));
}

describe('IntelSet lookup', () => {
  test('matches exact IPv4 and IPv6 addresses and names the entry', () => {
    const intel = IntelSet.build(FEED, [{ value: '203.0.113.7', confidence: 5 }, { value: '2001:db8::1' }]);
    assert.deepEqual(intel.lookup('203.0.113.7'), { feed: 'test-feed', snapshotDate: '2026-08-22', listedAs: '203.0.113.7', confidence: 5 });
    assert.deepEqual(intel.lookup('2001:db8::1'), { feed: 'test-feed', snapshotDate: '2026-08-22', listedAs: '2001:db8::1' });
    assert.equal(intel.lookup('203.0.113.8'), undefined);
    assert.equal(intel.lookup('2001:db8::2'), undefined);
    assert.equal(intel.size, 2);
  });

  test('normalizes other IPv6 spellings and IPv4-mapped addresses', () => {
    const intel = set(['2001:db8::1', '198.51.100.9']);
    assert.equal(intel.lookup('2001:0DB8:0:0:0:0:0:1')?.listedAs, '2001:db8::1');
    assert.equal(intel.lookup('::ffff:198.51.100.9')?.listedAs, '198.51.100.9');
    assert.equal(intel.lookup('::ffff:c633:6409')?.listedAs, '198.51.100.9');
  });

  test('IPv4 CIDR boundaries', () => {
    const intel = set(['10.0.0.0/8', '192.0.2.128/25', '198.51.100.5/31']);
    const cases: Array<[string, string | undefined]> = [
      ['9.255.255.255', undefined],
      ['10.0.0.0', '10.0.0.0/8'],
      ['10.128.7.1', '10.0.0.0/8'],
      ['10.255.255.255', '10.0.0.0/8'],
      ['11.0.0.0', undefined],
      ['192.0.2.127', undefined],
      ['192.0.2.128', '192.0.2.128/25'],
      ['192.0.2.255', '192.0.2.128/25'],
      ['192.0.3.0', undefined],
      ['198.51.100.3', undefined],
      ['198.51.100.4', '198.51.100.4/31'],
      ['198.51.100.5', '198.51.100.4/31'],
      ['198.51.100.6', undefined],
      ['0.0.0.0', undefined],
      ['255.255.255.255', undefined],
    ];
    for (const [ip, expected] of cases) assert.equal(intel.lookup(ip)?.listedAs, expected, ip);
  });

  test('IPv6 CIDR boundaries', () => {
    const intel = set(['2001:db8::/32', '2001:db9:0:1::/64', 'fe80::/10']);
    const cases: Array<[string, string | undefined]> = [
      ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', undefined],
      ['2001:db8::', '2001:db8::/32'],
      ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::/32'],
      ['2001:db9::', undefined],
      ['2001:db9:0:1::', '2001:db9:0:1::/64'],
      ['2001:db9:0:1:ffff:ffff:ffff:ffff', '2001:db9:0:1::/64'],
      ['2001:db9:0:2::', undefined],
      ['fe80::1', 'fe80::/10'],
      ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::/10'],
      ['fec0::', undefined],
      ['::', undefined],
    ];
    for (const [ip, expected] of cases) assert.equal(intel.lookup(ip)?.listedAs, expected, ip);
  });

  test('a /0 covers its whole family and nothing of the other', () => {
    const v4 = set(['0.0.0.0/0']);
    assert.equal(v4.lookup('0.0.0.0')?.listedAs, '0.0.0.0/0');
    assert.equal(v4.lookup('255.255.255.255')?.listedAs, '0.0.0.0/0');
    assert.equal(v4.lookup('2001:db8::1'), undefined);
    const v6 = set(['::/0']);
    assert.equal(v6.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')?.listedAs, '::/0');
    assert.equal(v6.lookup('203.0.113.7'), undefined);
  });

  test('nested networks: the most specific entry wins, lookupAll lists them inner to outer', () => {
    const intel = set(['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16', '10.1.2.0/24', '10.1.2.3', '10.3.0.0/16']);
    assert.equal(intel.lookup('10.1.2.3')?.listedAs, '10.1.2.3');
    assert.equal(intel.lookup('10.1.2.4')?.listedAs, '10.1.2.0/24');
    assert.equal(intel.lookup('10.1.3.0')?.listedAs, '10.1.0.0/16');
    // The last range starting before 10.2.200.0 is 10.2.0.0/16 and holds it; 10.4.0.0 must climb to the /8.
    assert.equal(intel.lookup('10.2.200.0')?.listedAs, '10.2.0.0/16');
    assert.equal(intel.lookup('10.4.0.0')?.listedAs, '10.0.0.0/8');
    assert.equal(intel.lookup('10.1.255.255')?.listedAs, '10.1.0.0/16');
    assert.deepEqual(
      intel.lookupAll('10.1.2.3').map((m) => m.listedAs),
      ['10.1.2.3', '10.1.2.0/24', '10.1.0.0/16', '10.0.0.0/8'],
    );
    assert.deepEqual(intel.lookupAll('11.0.0.0'), []);
  });

  test('never throws on text that is not an address', () => {
    const intel = set(['10.0.0.0/8', '2001:db8::/32', '203.0.113.7']);
    for (const text of ['', 'unknown', '10.1.2', '10.1.2.3:80', '[2001:db8::1]', '2001:db8::1%eth0', ':::', '10.0.0.0/8', ' 203.0.113.7']) {
      assert.equal(intel.lookup(text), undefined, text);
      assert.equal(intel.has(text), false, text);
    }
    assert.equal(intel.lookup(undefined as unknown as string), undefined);
  });

  test('build canonicalizes hand-written entries, keeps the highest confidence, and throws on garbage', () => {
    const intel = IntelSet.build(FEED, [
      { value: '2001:DB8::1' },
      { value: '10.9.9.9/8', confidence: 1 },
      { value: '10.0.0.0/8', confidence: 7 },
    ]);
    assert.equal(intel.size, 2);
    assert.equal(intel.lookup('2001:db8::1')?.listedAs, '2001:db8::1');
    assert.equal(intel.lookup('10.0.0.1')?.confidence, 7);
    assert.throws(() => IntelSet.build(FEED, [{ value: 'example.com' }]), /test-feed: "example.com"/);
  });

  test('merge keeps every feed: the first merged wins lookup, lookupAll names all', () => {
    const tor = set(['203.0.113.7', '2001:db8::1'], { name: 'tor', snapshotDate: '2026-08-22' });
    const ipsum = IntelSet.build({ name: 'ipsum', snapshotDate: '2026-08-21' }, [{ value: '203.0.113.7', confidence: 4 }, { value: '198.51.100.0/24', confidence: 2 }]);
    const merged = tor.merge(ipsum);
    assert.equal(merged.size, 4);
    assert.deepEqual(
      merged.feeds.map((f) => [f.name, f.entries]),
      [
        ['tor', 2],
        ['ipsum', 2],
      ],
    );
    assert.equal(merged.lookup('203.0.113.7')?.feed, 'tor');
    assert.deepEqual(merged.lookupAll('203.0.113.7'), [
      { feed: 'tor', snapshotDate: '2026-08-22', listedAs: '203.0.113.7' },
      { feed: 'ipsum', snapshotDate: '2026-08-21', listedAs: '203.0.113.7', confidence: 4 },
    ]);
    assert.equal(merged.lookup('198.51.100.77')?.feed, 'ipsum');
    // Inputs are untouched.
    assert.deepEqual(tor.lookupAll('203.0.113.7').length, 1);
    assert.equal(ipsum.lookup('203.0.113.7')?.feed, 'ipsum');
    assert.equal(IntelSet.empty().merge(tor), tor);
    assert.equal(IntelSet.mergeAll([]).size, 0);
    assert.equal(IntelSet.mergeAll([tor, ipsum, tor]).lookupAll('203.0.113.7').length, 3);
  });

  test('agrees with CidrSet.contains on random lists and addresses', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    const v4Entry = fc.tuple(v4, fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined })).map(([a, b]) => (b === undefined ? a : `${a}/${b}`));
    const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((p) => p.map((n) => n.toString(16)).join(':'));
    const v6Entry = fc.tuple(v6, fc.option(fc.integer({ min: 0, max: 128 }), { nil: undefined })).map(([a, b]) => (b === undefined ? a : `${a}/${b}`));
    fc.assert(
      fc.property(fc.array(fc.oneof(v4Entry, v6Entry), { maxLength: 40 }), fc.array(fc.oneof(v4, v6), { maxLength: 40 }), (entries, probes) => {
        const intel = set(entries);
        const reference = CidrSet.parse(entries);
        assert.ok(reference.ok);
        // Probes near the entries' boundaries too.
        const all = [...probes, ...entries.map((e) => e.split('/')[0] as string)];
        for (const probe of all) {
          assert.equal(intel.has(probe), reference.set.contains(probe), `${probe} in ${JSON.stringify(entries)}`);
          const match = intel.lookup(probe);
          if (match !== undefined) assert.ok(CidrSet.parse([match.listedAs]).ok && (CidrSet.parse([match.listedAs]) as { set: CidrSet }).set.contains(probe));
        }
      }),
      { numRuns: 300, seed: 20260822 },
    );
  });
});

describe('IntelSet at scale', () => {
  /** Deterministic xorshift32, for reproducible synthetic lists. */
  function prng(seed: number): () => number {
    let state = seed >>> 0 || 1;
    return () => {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state;
    };
  }

  test('builds 120k entries well under a second and looks up in microseconds', () => {
    const next = prng(42);
    const entries: IntelEntry[] = [];
    for (let i = 0; i < 110_000; i += 1) {
      const n = next();
      entries.push({ value: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`, confidence: (n % 9) + 1 });
    }
    for (let i = 0; i < 8_000; i += 1) entries.push({ value: `2001:db8:${(next() & 0xffff).toString(16)}::${(next() & 0xffff).toString(16)}` });
    for (let i = 0; i < 2_000; i += 1) {
      const n = next();
      entries.push({ value: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.0/${16 + (n % 9)}` });
    }
    const started = process.hrtime.bigint();
    const intel = IntelSet.build(FEED, entries);
    const buildMs = Number(process.hrtime.bigint() - started) / 1e6;

    const probes: string[] = [];
    for (let i = 0; i < 200_000; i += 1) {
      const n = next();
      probes.push(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
    }
    const lookupStart = process.hrtime.bigint();
    let hits = 0;
    for (const probe of probes) if (intel.lookup(probe) !== undefined) hits += 1;
    const lookupNs = Number(process.hrtime.bigint() - lookupStart) / probes.length;
    console.log(`IntelSet: built ${entries.length} synthetic entries (${intel.size} distinct) in ${buildMs.toFixed(1)} ms; lookup ${lookupNs.toFixed(0)} ns each (${hits} hits of ${probes.length})`);
    assert.ok(buildMs < 1000, `build took ${buildMs} ms`);
    assert.ok(lookupNs < 20_000, `lookup took ${lookupNs} ns`);
    for (const entry of entries.slice(0, 1000)) assert.ok(intel.has(entry.value.split('/')[0] as string));
  });

  test("parses and builds IPsum's full 2026-08-22 list (120k IPs) well under a second", () => {
    const text = dataText(IPSUM_FULL);
    const started = process.hrtime.bigint();
    const parsed = parseFeed(text);
    const parsedAt = process.hrtime.bigint();
    const intel = IntelSet.build({ name: 'ipsum', snapshotDate: '2026-08-22' }, parsed.entries);
    const done = process.hrtime.bigint();
    const parseMs = Number(parsedAt - started) / 1e6;
    const buildMs = Number(done - parsedAt) / 1e6;
    console.log(`IPsum full: ${parsed.entries.length} entries, parse ${parseMs.toFixed(1)} ms, build ${buildMs.toFixed(1)} ms`);
    assert.equal(parsed.rejected.length, 0);
    assert.equal(intel.size, 120_430);
    assert.ok(buildMs < 1000, `build took ${buildMs} ms`);
    assert.ok(parseMs + buildMs < 2000, `parse + build took ${parseMs + buildMs} ms`);
    assert.equal(intel.lookup('77.90.185.20')?.confidence, 10);
  });
});
