import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { SketchFormatError } from '../../../shared/core/sketch/binary';
import { DistinctCounter } from '../../../shared/core/sketch/distinctCounter';
import { hashString } from '../../../shared/core/sketch/hash';
import { QuantileSketch } from '../../../shared/core/sketch/quantileSketch';

function ids(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix}${i}`);
  return out;
}

/** Merges counters pairwise in an order driven by `choices` (any binary tree shape). */
function mergeInOrder(pool: DistinctCounter[], choices: number[]): DistinctCounter {
  const items = pool.slice();
  let step = 0;
  while (items.length > 1) {
    const pick = (): DistinctCounter => items.splice((choices[step++ % choices.length] ?? 0) % items.length, 1)[0] as DistinctCounter;
    const a = pick();
    a.merge(pick());
    items.push(a);
  }
  return items[0] as DistinctCounter;
}

describe('DistinctCounter exact range', () => {
  test('counts exactly up to the capacity, duplicates ignored', () => {
    const counter = DistinctCounter.create();
    for (let round = 0; round < 3; round++) for (const v of ids('v', 0, 256)) counter.add(v);
    assert.equal(counter.estimate(), 256);
    assert.equal(counter.isExact(), true);
    assert.equal(counter.relativeError(), 0);
    counter.add('one more');
    assert.equal(counter.isExact(), false);
    assert.ok(counter.relativeError() > 0);
  });

  test('a configurable capacity moves the exact range', () => {
    const counter = DistinctCounter.of(ids('x', 0, 1000), { capacity: 1000 });
    assert.equal(counter.estimate(), 1000);
    assert.ok(counter.isExact());
    assert.equal(DistinctCounter.create().estimate(), 0);
  });
});

describe('DistinctCounter estimates', () => {
  for (const n of [1_000, 20_000, 200_000]) {
    test(`estimates ${n} distinct values within 3 standard errors (k = 256)`, () => {
      const counter = DistinctCounter.create();
      for (const v of ids('param-', 0, n)) counter.add(v);
      const error = Math.abs(counter.estimate() - n) / n;
      assert.ok(error <= 3 * counter.relativeError(), `relative error ${error}`);
    });
  }

  test('over many independent sets the estimator is unbiased with standard error ≈ 1/√(k−2)', () => {
    const k = 128;
    const n = 3_000;
    const trials = 200;
    const errors: number[] = [];
    for (let t = 0; t < trials; t++) {
      const counter = DistinctCounter.create({ capacity: k, samples: 0 });
      for (let i = 0; i < n; i++) counter.add(`trial${t}/value${i}`);
      errors.push(counter.estimate() / n - 1);
    }
    const mean = errors.reduce((a, b) => a + b, 0) / trials;
    const sd = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / (trials - 1));
    const theory = 1 / Math.sqrt(k - 2);
    assert.ok(Math.abs(mean) <= (3 * theory) / Math.sqrt(trials), `mean relative error ${mean}`);
    assert.ok(sd >= 0.8 * theory && sd <= 1.2 * theory, `standard error ${sd}, theory ${theory}`);
  });
});

describe('DistinctCounter merge', () => {
  test('merging A and B estimates |A ∪ B|, identical to counting the union directly', () => {
    const a = DistinctCounter.of(ids('id', 0, 30_000));
    const b = DistinctCounter.of(ids('id', 20_000, 60_000));
    const union = DistinctCounter.of(ids('id', 0, 60_000));
    const merged = a.merge(b);
    assert.equal(merged.serialize(), union.serialize());
    assert.ok(Math.abs(merged.estimate() - 60_000) / 60_000 <= 3 * merged.relativeError());
  });

  test('small overlapping sets merge exactly', () => {
    const merged = DistinctCounter.of(['a', 'b', 'c']).merge(DistinctCounter.of(['c', 'd']));
    assert.equal(merged.estimate(), 4);
    assert.ok(merged.isExact());
  });

  test('two exact halves whose union passes the capacity become an estimate', () => {
    const merged = DistinctCounter.of(ids('p', 0, 200)).merge(DistinctCounter.of(ids('q', 0, 200)));
    assert.equal(merged.isExact(), false);
    assert.equal(merged.serialize(), DistinctCounter.of([...ids('p', 0, 200), ...ids('q', 0, 200)]).serialize());
  });

  test('merge is independent of split and merge order, samples included (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 120 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(), { maxLength: 120 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 3, max: 24 }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 5, maxLength: 5 }),
        (values, partCount, assignment, choices, capacities, lengths, sampleCounts) => {
          const options = (i: number) => {
            const capacity = capacities[i] ?? 3;
            return { capacity, samples: Math.min(sampleCounts[i] ?? 0, capacity), maxSampleLength: lengths[i] ?? 1 };
          };
          const parts = Array.from({ length: partCount }, (_, i) => DistinctCounter.create(options(i)));
          values.forEach((v, j) => (parts[(assignment[j] ?? 0) % partCount] as DistinctCounter).add(v));
          const stored = parts.map((p) => DistinctCounter.deserialize(p.serialize()));
          const merged = mergeInOrder(stored, choices);
          const used = Array.from({ length: partCount }, (_, i) => options(i));
          const whole = DistinctCounter.create({
            capacity: Math.min(...used.map((o) => o.capacity)),
            samples: Math.min(...used.map((o) => o.samples)),
            maxSampleLength: Math.min(...used.map((o) => o.maxSampleLength)),
          });
          for (const v of values) whole.add(v);
          assert.equal(merged.serialize(), whole.serialize());
          if (new Set(values).size <= whole.capacity) assert.equal(merged.estimate(), new Set(values).size);
        },
      ),
      { seed: 424242, numRuns: 300 },
    );
  });
});

describe('DistinctCounter samples', () => {
  test('keeps the values with the smallest hashes, deterministically', () => {
    const values = ids('user', 0, 1000);
    const counter = DistinctCounter.of(values);
    const expected = values
      .map((v) => ({ v, h: hashString(v) }))
      .sort((a, b) => a.h - b.h)
      .slice(0, 5)
      .map((x) => x.v);
    assert.deepEqual(counter.samples(), expected);
    assert.deepEqual(DistinctCounter.of(values.slice().reverse()).samples(), expected);
  });

  test('long samples are cut and lone surrogates replaced so that they round-trip', () => {
    const counter = DistinctCounter.create({ samples: 2, maxSampleLength: 4 });
    counter.add('abcdefgh');
    counter.add('\uD800x');
    const samples = counter.samples().slice().sort();
    assert.deepEqual(samples, ['abcd', '\uFFFDx'].sort());
    assert.deepEqual(DistinctCounter.deserialize(counter.serialize()).samples(), counter.samples());
  });

  test('values counted by hash only are not sampled', () => {
    const counter = DistinctCounter.create();
    counter.addHash(12345);
    assert.deepEqual(counter.samples(), []);
    assert.equal(counter.estimate(), 1);
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN]) assert.throws(() => counter.addHash(bad), RangeError);
  });
});

describe('DistinctCounter serialization', () => {
  test('round-trips exactly in the exact and the estimating range', () => {
    for (const n of [0, 10, 256, 5_000]) {
      const counter = DistinctCounter.of(ids('k', 0, n));
      const copy = DistinctCounter.deserialize(counter.serialize());
      assert.equal(copy.serialize(), counter.serialize());
      assert.equal(copy.estimate(), counter.estimate());
      assert.equal(copy.isExact(), counter.isExact());
      assert.deepEqual(copy.samples(), counter.samples());
    }
  });

  test('stays a few KB whatever the number of values', () => {
    for (const n of [256, 100_000]) {
      const text = DistinctCounter.of(ids('/api/orders?id=', 0, n)).serialize();
      assert.ok(text.length < 3_000, `${n} values: ${text.length} chars`);
    }
  });

  test('stays within the documented bound with long non-ASCII values', () => {
    const counter = DistinctCounter.of(ids('\u20ac'.repeat(1000), 0, 256));
    assert.deepEqual(counter.samples().map((s) => s.length), [128, 128, 128, 128, 128]);
    const text = counter.serialize();
    assert.ok(text.length <= ((16 + 8 * 256 + 5 * (12 + 3 * 128)) * 4) / 3, `${text.length} chars`);
  });

  test('rejects options outside their ranges and text that is not a serialized counter', () => {
    assert.throws(() => DistinctCounter.create({ capacity: 2 }), RangeError);
    assert.throws(() => DistinctCounter.create({ samples: 300 }), RangeError);
    assert.throws(() => DistinctCounter.deserialize('%%%'), SketchFormatError);
    assert.throws(() => DistinctCounter.deserialize(QuantileSketch.create().serialize()), /wrong tag/);
    const good = DistinctCounter.of(ids('z', 0, 50)).serialize();
    assert.throws(() => DistinctCounter.deserialize(good.slice(0, 40)), SketchFormatError);
  });
});
