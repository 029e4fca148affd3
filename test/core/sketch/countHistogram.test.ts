import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { SketchFormatError } from '../../../shared/core/sketch/binary';
import { CountHistogram } from '../../../shared/core/sketch/countHistogram';
import { QuantileSketch } from '../../../shared/core/sketch/quantileSketch';
import { quantile } from '../../../shared/core/sketch/robust';
import { seededRandom } from './random';

describe('CountHistogram', () => {
  test('small counts are exact: quantiles equal those of the raw per-window array', () => {
    const random = seededRandom(8);
    const raw = Array.from({ length: 2160 }, () => (random() < 0.8 ? 0 : 1 + Math.floor(random() * 24)));
    const histogram = CountHistogram.of(raw);
    const sorted = raw.slice().sort((a, b) => a - b);
    for (const q of [0, 0.5, 0.8, 0.85, 0.9, 0.95, 0.99, 0.999, 1]) assert.equal(histogram.quantile(q), quantile(sorted, q), `q=${q}`);
    assert.equal(histogram.windows, 2160);
    assert.equal(histogram.emptyWindows, raw.filter((c) => c === 0).length);
    assert.equal(histogram.activeWindows, raw.filter((c) => c > 0).length);
    assert.equal(histogram.total, raw.reduce((a, b) => a + b, 0));
    assert.equal(histogram.max, Math.max(...raw));
  });

  test('large counts are within the relative accuracy', () => {
    const raw = Array.from({ length: 500 }, (_, i) => 1000 + i * 997);
    const histogram = CountHistogram.of(raw);
    const sorted = raw.slice().sort((a, b) => a - b);
    for (const q of [0.1, 0.5, 0.9]) {
      const exact = quantile(sorted, q);
      assert.ok(Math.abs(histogram.quantile(q) - exact) / exact <= 0.02);
    }
  });

  test('empty windows can be added in bulk or padded up to the period length', () => {
    const histogram = CountHistogram.create();
    histogram.add(5, 3);
    histogram.addEmptyWindows(7);
    assert.equal(histogram.windows, 10);
    histogram.padToWindows(2160);
    assert.equal(histogram.windows, 2160);
    assert.equal(histogram.emptyWindows, 2157);
    histogram.padToWindows(100);
    assert.equal(histogram.windows, 2160);
    assert.equal(histogram.mean, 15 / 2160);
    assert.equal(histogram.quantile(0.5), 0);
  });

  test('rejects negative and fractional counts', () => {
    const histogram = CountHistogram.create();
    assert.throws(() => histogram.add(-1), RangeError);
    assert.throws(() => histogram.add(1.5), RangeError);
    assert.throws(() => histogram.add(1, 0), RangeError);
  });

  test('merge is independent of split and merge order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 1_000_000 })), { maxLength: 150 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(), { maxLength: 150 }),
        fc.array(fc.boolean(), { maxLength: 10 }),
        (counts, partCount, assignment, order) => {
          const parts = Array.from({ length: partCount }, () => CountHistogram.create());
          counts.forEach((c, j) => (parts[(assignment[j] ?? 0) % partCount] as CountHistogram).add(c));
          const stored = parts.map((p) => CountHistogram.deserialize(p.serialize()));
          // Fold left or right according to `order`.
          let acc = stored.shift() as CountHistogram;
          stored.forEach((p, i) => {
            acc = order[i] ? p.merge(acc) : acc.merge(p);
          });
          assert.equal(acc.serialize(), CountHistogram.of(counts).serialize());
        },
      ),
      { seed: 99, numRuns: 200 },
    );
  });

  test('serializes compactly and round-trips', () => {
    const random = seededRandom(9);
    const histogram = CountHistogram.create();
    for (let i = 0; i < 2160; i++) histogram.add(random() < 0.5 ? 0 : Math.floor(Math.exp(random() * 8)));
    const text = histogram.serialize();
    assert.ok(text.length < 600, `serialized length ${text.length}`);
    const copy = CountHistogram.deserialize(text);
    assert.equal(copy.serialize(), text);
    assert.deepEqual(copy.runs(), histogram.runs());
    assert.throws(() => CountHistogram.deserialize(QuantileSketch.of([1]).serialize()), SketchFormatError);
  });

  test('exposes its window distribution as a quantile sketch', () => {
    const sketch = CountHistogram.of([0, 0, 4]).toQuantileSketch();
    assert.equal(sketch.count, 3);
    assert.equal(sketch.zeros, 2);
    assert.equal(sketch.max, 4);
  });
});
