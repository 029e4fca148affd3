import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { CountHistogram } from '../../../shared/core/sketch/countHistogram';
import { QuantileSketch } from '../../../shared/core/sketch/quantileSketch';
import {
  MAD_NORMAL_SCALE,
  mad,
  madOfRuns,
  median,
  quantile,
  quantileOfRuns,
  robustScore,
  robustThreshold,
  sortedCopy,
  type ValueRun,
} from '../../../shared/core/sketch/robust';
import { lognormalSample, normal, seededRandom } from './random';

function close(actual: number, expected: number, tolerance = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${actual} ≉ ${expected}`);
}

describe('quantile, median and MAD', () => {
  test('quantile interpolates linearly between order statistics (type 7)', () => {
    const sorted = [1, 2, 3, 4];
    assert.equal(quantile(sorted, 0), 1);
    assert.equal(quantile(sorted, 1), 4);
    assert.equal(quantile(sorted, 0.5), 2.5);
    assert.equal(quantile(sorted, 0.25), 1.75);
    close(quantile([10, 20, 30, 40, 50], 0.9), 46);
  });

  test('quantile of an empty array is NaN and of one value is that value', () => {
    assert.ok(Number.isNaN(quantile([], 0.5)));
    assert.equal(quantile([7], 0.01), 7);
    assert.equal(quantile([7], 0.99), 7);
    assert.throws(() => quantile([1], -0.1), RangeError);
    assert.throws(() => quantile([1], 1.1), RangeError);
  });

  test('quantile of runs equals quantile of the expanded array (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ value: fc.integer({ min: -1000, max: 1000 }), count: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (raw, q) => {
          const runs = raw.slice().sort((a, b) => a.value - b.value);
          const expanded = runs.flatMap((r) => new Array<number>(r.count).fill(r.value));
          close(quantileOfRuns(runs, q), quantile(expanded, q));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  test('median and MAD of unsorted values, MAD optionally scaled to a standard deviation', () => {
    const values = [9, 1, 2, 2, 4, 6, 3];
    assert.equal(median(values), 3);
    // |x − 3| = 6, 2, 1, 1, 1, 3, 0 → median 1
    assert.equal(mad(values), 1);
    assert.equal(mad(values, { scale: true }), MAD_NORMAL_SCALE);
    assert.equal(mad(values, { scale: 2 }), 2);
    assert.equal(mad(values, { center: 0 }), 3);
    assert.ok(Number.isNaN(median([])));
    assert.ok(Number.isNaN(mad([])));
  });

  test('MAD is 0 for one value, all-equal values and a majority of equal values', () => {
    assert.equal(mad([5]), 0);
    assert.equal(mad([5, 5, 5, 5]), 0);
    assert.equal(mad([0, 0, 0, 0, 0, 0, 100, 2000]), 0);
  });

  test('scaled MAD estimates the standard deviation of normal data', () => {
    const random = seededRandom(1);
    const values = Array.from({ length: 20_000 }, () => 100 + 15 * normal(random));
    close(mad(values, { scale: true }), 15, 0.03);
  });

  test('MAD of runs matches MAD of the expanded values', () => {
    const runs: ValueRun[] = [
      { value: 0, count: 5 },
      { value: 2, count: 1 },
      { value: 3, count: 2 },
      { value: 40, count: 1 },
    ];
    const expanded = runs.flatMap((r) => new Array<number>(r.count).fill(r.value));
    assert.equal(madOfRuns(runs), mad(expanded));
    assert.deepEqual(Array.from(sortedCopy([3, 1, 2])), [1, 2, 3]);
  });
});

describe('robustThreshold', () => {
  test('without history the threshold is infinite: nothing is anomalous', () => {
    const result = robustThreshold({ values: [], absoluteFloor: 10 });
    assert.equal(result.threshold, Number.POSITIVE_INFINITY);
    assert.equal(result.binding, 'insufficient');
    assert.equal(result.n, 0);
    assert.equal(robustScore(1e9, result), 0);
  });

  test('fewer values than minValues count as no history', () => {
    const result = robustThreshold({ values: [1, 2, 3], minValues: 4 });
    assert.equal(result.binding, 'insufficient');
    assert.equal(result.median, 2);
    assert.equal(robustThreshold({ values: [1, 2, 3, 4], minValues: 4 }).binding === 'insufficient', false);
  });

  test('one value: MAD is 0 and the relative floor carries the threshold', () => {
    const result = robustThreshold({ values: [40], relativeFloor: 2, absoluteFloor: 10 });
    assert.equal(result.mad, 0);
    assert.equal(result.madBound, 40);
    assert.equal(result.threshold, 80);
    assert.equal(result.binding, 'quantile');
  });

  test('all-equal values: the floors carry the threshold, whichever is larger', () => {
    const values = new Array<number>(2160).fill(3);
    assert.equal(robustThreshold({ values, relativeFloor: 1.5, absoluteFloor: 0 }).threshold, 4.5);
    const floored = robustThreshold({ values, relativeFloor: 1.5, absoluteFloor: 50 });
    assert.equal(floored.threshold, 50);
    assert.equal(floored.binding, 'absolute');
  });

  test('an all-zero baseline leaves only the absolute floor', () => {
    const result = robustThreshold({ values: new Array<number>(100).fill(0), absoluteFloor: 30 });
    assert.equal(result.threshold, 30);
    assert.equal(result.binding, 'absolute');
    assert.equal(robustThreshold({ values: [0, 0, 0] }).threshold, 0, 'the default floor of 0 then flags any non-zero value');
  });

  test('a noisy baseline is bound by median + k·MAD', () => {
    const random = seededRandom(2);
    const values = Array.from({ length: 2000 }, () => 1000 + 100 * normal(random));
    const result = robustThreshold({ values, q: 0.5, madMultiplier: 3.5, relativeFloor: 1, absoluteFloor: 0 });
    assert.equal(result.binding, 'mad');
    close(result.threshold, 1000 + 3.5 * 100, 0.03);
    close(robustScore(result.threshold, result), 1);
    assert.ok(robustScore(result.median, result) === 0);
    assert.ok(robustScore(2 * result.threshold, result) > 1);
  });

  test('a baseline with rare spikes is bound by its own high quantile × relative floor', () => {
    const values = [...new Array<number>(95).fill(10), 200, 220, 240, 260, 280];
    const result = robustThreshold({ values, q: 0.99, relativeFloor: 1.5 });
    assert.equal(result.binding, 'quantile');
    close(result.threshold, quantile(values.slice().sort((a, b) => a - b), 0.99) * 1.5);
  });

  test('log space: the MAD bound is multiplicative, for sizes and latencies', () => {
    const values = lognormalSample(seededRandom(3), 5_000, Math.log(2000), 0.5);
    const result = robustThreshold({ values, logSpace: true, q: 0.5, relativeFloor: 1, madMultiplier: 3 });
    assert.equal(result.binding, 'mad');
    // log1p ≈ log here, so the bound is ≈ median · e^(3σ) with σ = 0.5.
    close(result.threshold, 2000 * Math.exp(1.5), 0.05);
    close(robustScore(result.threshold, result), 1);
  });

  test('a count histogram baseline gives the same threshold as its raw per-window counts', () => {
    const random = seededRandom(4);
    const raw = Array.from({ length: 2160 }, () => (random() < 0.7 ? 0 : Math.floor(random() * 20)));
    const histogram = CountHistogram.of(raw);
    const options = { q: 0.99, madMultiplier: 3.5, relativeFloor: 1.5, absoluteFloor: 5 };
    const fromRaw = robustThreshold({ ...options, values: raw });
    const fromHistogram = robustThreshold({ ...options, values: histogram });
    assert.deepEqual(fromHistogram, fromRaw);
  });

  test('a quantile sketch baseline is within its relative accuracy of the raw one', () => {
    const values = lognormalSample(seededRandom(5), 5_000, 8, 1);
    const options = { q: 0.99, relativeFloor: 1.2, logSpace: true };
    const exact = robustThreshold({ ...options, values });
    const approx = robustThreshold({ ...options, values: QuantileSketch.of(values) });
    assert.equal(approx.binding, exact.binding);
    assert.ok(Math.abs(approx.threshold / exact.threshold - 1) <= 0.03, `${approx.threshold} vs ${exact.threshold}`);
  });

  test('a threshold equal to the median scores +Infinity above it and 0 at or below', () => {
    const result = robustThreshold({ values: [5, 5, 5], relativeFloor: 1 });
    assert.equal(result.threshold, 5);
    assert.equal(robustScore(6, result), Number.POSITIVE_INFINITY);
    assert.equal(robustScore(5, result), 0);
  });

  test('rejects non-finite values, negative values in log space and options out of range', () => {
    assert.throws(() => robustThreshold({ values: [1, Number.NaN] }), RangeError);
    assert.throws(() => robustThreshold({ values: [1, Number.POSITIVE_INFINITY] }), RangeError);
    assert.throws(() => robustThreshold({ values: [1, -2], logSpace: true }), RangeError);
    assert.doesNotThrow(() => robustThreshold({ values: [1, -2] }));
    assert.throws(() => robustThreshold({ values: [1], q: 2 }), RangeError);
    assert.throws(() => robustThreshold({ values: [1], madMultiplier: -1 }), RangeError);
    assert.throws(() => robustThreshold({ values: [1], relativeFloor: Number.NaN }), RangeError);
    assert.throws(() => robustThreshold({ values: [1], absoluteFloor: Number.POSITIVE_INFINITY }), RangeError);
  });
});
