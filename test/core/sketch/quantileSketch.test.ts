import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { DistinctCounter } from '../../../shared/core/sketch/distinctCounter';
import { SketchFormatError } from '../../../shared/core/sketch/binary';
import { QuantileSketch } from '../../../shared/core/sketch/quantileSketch';
import { lognormalSample, seededRandom } from './random';

const LEVELS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

/** Largest relative error of the sketch's quantiles against the exact lower-rank quantiles. */
function worstRelativeError(sketch: QuantileSketch, values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  let worst = 0;
  for (const q of LEVELS) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))] as number;
    const estimate = sketch.quantile(q);
    const error = exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;
    worst = Math.max(worst, error);
  }
  return worst;
}

/** Merges sketches pairwise in an order driven by `choices` (any binary tree shape). */
function mergeInOrder<T extends { merge(other: T): unknown }>(pool: T[], choices: number[]): T {
  const items = pool.slice();
  let step = 0;
  while (items.length > 1) {
    const pick = (): T => items.splice((choices[step++ % choices.length] ?? 0) % items.length, 1)[0] as T;
    const a = pick();
    const b = pick();
    a.merge(b);
    items.push(a);
  }
  return items[0] as T;
}

const valueArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 10_000_000 }),
  fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 0, max: 1e-3, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e-300, 5e-324, 1e300, 1, -0),
);

describe('QuantileSketch accuracy', () => {
  for (const alpha of [0.01, 0.02, 0.05]) {
    test(`quantiles of a lognormal sample are within relative accuracy ${alpha} of the exact ones`, () => {
      const values = lognormalSample(seededRandom(42), 100_000, 6, 1.5);
      const sketch = QuantileSketch.of(values, alpha);
      const worst = worstRelativeError(sketch, values);
      assert.ok(worst <= alpha + 1e-12, `worst relative error ${worst} > ${alpha}`);
    });
  }

  test('default relative accuracy is 2 % and holds for latency-like data with sub-millisecond values', () => {
    const values = lognormalSample(seededRandom(7), 50_000, 2, 2.5);
    const sketch = QuantileSketch.create();
    for (const v of values) sketch.add(v);
    assert.equal(sketch.relativeAccuracy, 0.02);
    assert.ok(worstRelativeError(sketch, values) <= 0.02 + 1e-12);
  });

  test('count, min, max and sum are exact; quantile(0) and quantile(1) are min and max', () => {
    const values = [3, 0.25, 1e6, 42, 7];
    const sketch = QuantileSketch.of(values);
    assert.equal(sketch.count, 5);
    assert.equal(sketch.min, 0.25);
    assert.equal(sketch.max, 1e6);
    assert.equal(sketch.sum, 3 + 0.25 + 1e6 + 42 + 7);
    assert.equal(sketch.quantile(0), 0.25);
    assert.equal(sketch.quantile(1), 1e6);
  });

  test('sum is exact where floating-point addition would lose the small terms', () => {
    const sketch = QuantileSketch.of([1e17, 1, 1, 1, 1]);
    assert.equal(sketch.sum, 1e17 + 4);
  });

  test('zero sizes land in the zero bucket and are reported as 0', () => {
    const sketch = QuantileSketch.create();
    for (let i = 0; i < 60; i++) sketch.add(0);
    for (let i = 0; i < 40; i++) sketch.add(1000);
    assert.equal(sketch.zeros, 60);
    assert.equal(sketch.quantile(0.5), 0);
    assert.ok(Math.abs(sketch.quantile(0.7) - 1000) <= 20);
    assert.equal(sketch.min, 0);
  });

  test('tiny and sub-normal values work and do not disturb the high quantiles', () => {
    const sketch = QuantileSketch.create();
    sketch.add(5e-324);
    sketch.add(1e-300);
    sketch.add(1e-9);
    for (let i = 1; i <= 1000; i++) sketch.add(i);
    assert.equal(sketch.count, 1003);
    assert.equal(sketch.min, 5e-324);
    assert.equal(sketch.zeros, 1, 'a sub-normal counts as zero');
    assert.ok(sketch.bucketCount <= sketch.binLimit);
    const p99 = sketch.quantile(0.99);
    assert.ok(Math.abs(p99 - 990) / 990 <= 0.02, `p99 ${p99}`);
  });

  test('the bucket count stays within the limit over 600 orders of magnitude, collapsing the lowest', () => {
    const sketch = QuantileSketch.create({ binLimit: 256 });
    const random = seededRandom(3);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) values.push(10 ** (random() * 600 - 300));
    for (const v of values) sketch.add(v);
    assert.ok(sketch.bucketCount <= 256);
    const sorted = Float64Array.from(values).sort();
    // 256 buckets at γ ≈ 1.041 cover ~4.5 orders of magnitude below the max: the top 0.5 % are exact-ish.
    const exact = sorted[Math.floor(0.999 * (sorted.length - 1))] as number;
    assert.ok(Math.abs(sketch.quantile(0.999) - exact) / exact <= 0.02);
  });

  test('weight w counts like w separate adds', () => {
    const a = QuantileSketch.create();
    const b = QuantileSketch.create();
    a.add(12.5, 7);
    a.add(0, 3);
    for (let i = 0; i < 7; i++) b.add(12.5);
    for (let i = 0; i < 3; i++) b.add(0);
    assert.equal(a.serialize(), b.serialize());
    assert.equal(a.sum, 87.5);
  });

  test('cdf gives the fraction of values at or below a value', () => {
    const sketch = QuantileSketch.of(Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal(sketch.cdf(0.5), 0);
    assert.equal(sketch.cdf(100), 1);
    assert.ok(Math.abs(sketch.cdf(50) - 0.5) <= 0.02);
  });

  test('an empty sketch has count 0, sum 0 and NaN quantiles, min and max', () => {
    const sketch = QuantileSketch.create();
    assert.equal(sketch.count, 0);
    assert.equal(sketch.sum, 0);
    assert.ok(Number.isNaN(sketch.quantile(0.5)));
    assert.ok(Number.isNaN(sketch.min));
    assert.ok(Number.isNaN(sketch.max));
    assert.ok(Number.isNaN(sketch.cdf(1)));
    assert.deepEqual(sketch.runs(), []);
  });

  test('rejects negative, non-finite values, bad weights and quantile levels outside [0, 1]', () => {
    const sketch = QuantileSketch.create();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => sketch.add(bad), RangeError);
    for (const bad of [0, -1, 1.5]) assert.throws(() => sketch.add(1, bad), RangeError);
    sketch.add(1);
    assert.throws(() => sketch.quantile(1.01), RangeError);
    assert.throws(() => sketch.quantile(Number.NaN), RangeError);
    assert.throws(() => QuantileSketch.create(0), RangeError);
    assert.throws(() => QuantileSketch.create({ binLimit: 0 }), RangeError);
  });
});

describe('QuantileSketch merge', () => {
  test('merge is independent of how values are split and of merge order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(valueArb, { maxLength: 200 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        fc.array(fc.constantFrom(1, 2, 8, 64, 1024), { minLength: 6, maxLength: 6 }),
        (values, partCount, assignment, choices, limits) => {
          const parts = Array.from({ length: partCount }, (_, i) => QuantileSketch.create({ binLimit: limits[i] ?? 1024 }));
          values.forEach((v, j) => (parts[(assignment[j] ?? 0) % partCount] as QuantileSketch).add(v));
          // Partials go through storage before being merged, as in production.
          const stored = parts.map((p) => QuantileSketch.deserialize(p.serialize()));
          const merged = mergeInOrder(stored, choices);
          const whole = QuantileSketch.create({ binLimit: Math.min(...limits.slice(0, partCount)) });
          for (const v of values) whole.add(v);
          assert.equal(merged.serialize(), whole.serialize());
          assert.equal(merged.count, values.length);
        },
      ),
      { seed: 20240601, numRuns: 300 },
    );
  });

  test('a merged sketch keeps the accuracy of a single one', () => {
    const values = lognormalSample(seededRandom(11), 30_000, 8, 1);
    const parts = [QuantileSketch.create(), QuantileSketch.create(), QuantileSketch.create()];
    values.forEach((v, i) => (parts[i % 3] as QuantileSketch).add(v));
    const merged = (parts[0] as QuantileSketch).merge(parts[1] as QuantileSketch).merge(parts[2] as QuantileSketch);
    assert.ok(worstRelativeError(merged, values) <= 0.02 + 1e-12);
  });

  test('merging a sketch into itself doubles every count', () => {
    const sketch = QuantileSketch.of([1, 2, 3, 0]);
    const doubled = QuantileSketch.of([1, 2, 3, 0, 1, 2, 3, 0]);
    assert.equal(sketch.merge(sketch).serialize(), doubled.serialize());
  });

  test('sketches of different relative accuracy refuse to merge', () => {
    assert.throws(() => QuantileSketch.create(0.02).merge(QuantileSketch.create(0.01)), /relative accuracy/);
  });
});

describe('QuantileSketch serialization', () => {
  test('serialize/deserialize round-trips exactly, summary statistics included', () => {
    const values = [...lognormalSample(seededRandom(5), 5_000, 3, 2), 0, 0, 1e-310];
    const sketch = QuantileSketch.of(values, { relativeAccuracy: 0.01, binLimit: 512 });
    const copy = QuantileSketch.deserialize(sketch.serialize());
    assert.equal(copy.serialize(), sketch.serialize());
    assert.equal(copy.count, sketch.count);
    assert.equal(copy.min, sketch.min);
    assert.equal(copy.max, sketch.max);
    assert.equal(copy.sum, sketch.sum);
    assert.equal(copy.zeros, sketch.zeros);
    assert.equal(copy.relativeAccuracy, 0.01);
    assert.equal(copy.binLimit, 512);
    for (const q of LEVELS) assert.equal(copy.quantile(q), sketch.quantile(q));
    assert.equal(QuantileSketch.deserialize(QuantileSketch.create().serialize()).count, 0);
  });

  test('a million values over a wide range serialize to a few KB', () => {
    const random = seededRandom(99);
    const sketch = QuantileSketch.create();
    for (let i = 0; i < 1_000_000; i++) sketch.add(Math.exp(4 + 3 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())));
    const text = sketch.serialize();
    assert.ok(text.length < 4096, `serialized length ${text.length}`);
  });

  test('the serialized size is bounded by the bin limit whatever the input', () => {
    const sketch = QuantileSketch.create();
    // Fill every one of the 1024 buckets with a large count.
    const gamma = 1.02 / 0.98;
    for (let i = 0; i < 1100; i++) sketch.add(gamma ** i, 2 ** 40 + i);
    assert.equal(sketch.bucketCount, 1024);
    const text = sketch.serialize();
    assert.ok(text.length <= ((40 + 8 * 1024) * 4) / 3, `serialized length ${text.length}`);
  });

  test('deserialize rejects text that is not a serialized quantile sketch', () => {
    const good = QuantileSketch.of([1, 2, 3]).serialize();
    assert.throws(() => QuantileSketch.deserialize('not base64!'), SketchFormatError);
    assert.throws(() => QuantileSketch.deserialize(''), SketchFormatError);
    assert.throws(() => QuantileSketch.deserialize(good.slice(0, good.length - 8)), SketchFormatError);
    assert.throws(() => QuantileSketch.deserialize(DistinctCounter.of(['a']).serialize()), /wrong tag/);
    const extra = Buffer.concat([Buffer.from(good, 'base64'), Buffer.from([0])]).toString('base64');
    assert.throws(() => QuantileSketch.deserialize(extra), /trailing/);
  });
});
