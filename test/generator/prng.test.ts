import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, WeightedTable, hashParts, parseIpList } from '../../shared/generator';

describe('Rng', () => {
  test('the same seed gives the same sequence; another seed another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 50 }, () => a.nextU32());
    assert.deepEqual(sa, Array.from({ length: 50 }, () => b.nextU32()));
    assert.notDeepEqual(sa, Array.from({ length: 50 }, () => c.nextU32()));
  });

  test('fromKey streams are independent of each other and reproducible', () => {
    assert.equal(Rng.fromKey(1, 'minute', 5).next(), Rng.fromKey(1, 'minute', 5).next());
    assert.notEqual(Rng.fromKey(1, 'minute', 5).next(), Rng.fromKey(1, 'minute', 6).next());
    assert.notEqual(hashParts(1, 'a', 2), hashParts(1, 'a2'));
  });

  test('uniform values lie in [0, 1) with mean about 0.5; ints are inclusive', () => {
    const r = new Rng(7);
    let sum = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      const x = r.next();
      assert.ok(x >= 0 && x < 1);
      sum += x;
      seen.add(r.int(1, 6));
    }
    assert.ok(Math.abs(sum / 20_000 - 0.5) < 0.01);
    assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6]);
  });

  test('normal, lognormal and poisson have the right centre', () => {
    const r = new Rng(9);
    const n = 20_000;
    let normal = 0;
    const logs: number[] = [];
    let small = 0;
    let large = 0;
    for (let i = 0; i < n; i++) {
      normal += r.normal();
      logs.push(r.lognormal(100, 0.5));
      small += r.poisson(3);
      large += r.poisson(250);
    }
    assert.ok(Math.abs(normal / n) < 0.03);
    logs.sort((x, y) => x - y);
    assert.ok(Math.abs((logs[n / 2] as number) - 100) < 3, 'lognormal median');
    assert.ok(Math.abs(small / n - 3) < 0.05);
    assert.ok(Math.abs(large / n - 250) < 1);
    assert.equal(r.poisson(0), 0);
  });

  test('uuid() gives RFC 4122 version-4 text', () => {
    const r = new Rng(1);
    for (let i = 0; i < 100; i++) assert.match(r.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('a weighted table picks in proportion to the weights and never a zero weight', () => {
    const table = new WeightedTable([['a', 1], ['b', 3], ['z', 0]] as const);
    const r = new Rng(3);
    let b = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = table.pick(r);
      assert.notEqual(x, 'z');
      if (x === 'b') b++;
    }
    assert.ok(Math.abs(b / 10_000 - 0.75) < 0.02);
  });
});

describe('parseIpList', () => {
  test('keeps valid IPs once, canonical, and reports the rest with line numbers', () => {
    const parsed = parseIpList('# header\n1.2.3.4\n1.2.3.4\n\n::ffff:5.6.7.8\n2001:DB8:0:0::1 # note\n10.0.0.0/8\nbad\n9.9.9.9\t3\n');
    assert.deepEqual(parsed.ips, ['1.2.3.4', '5.6.7.8', '2001:db8::1', '9.9.9.9']);
    assert.deepEqual(parsed.rejected, [
      { line: 7, text: '10.0.0.0/8' },
      { line: 8, text: 'bad' },
    ]);
  });
});
