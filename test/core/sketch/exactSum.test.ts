import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { ExactSum } from '../../../shared/core/sketch/exactSum';

function sumOf(values: readonly number[]): ExactSum {
  const sum = new ExactSum();
  for (const v of values) sum.add(v);
  return sum;
}

describe('ExactSum', () => {
  test('keeps the small terms that floating-point addition loses', () => {
    assert.equal(sumOf([1e16, 1, -1e16]).value, 1);
    assert.equal(sumOf([0.1, 0.2, 0.3]).value, 0.6);
    assert.equal(sumOf([]).value, 0);
    assert.deepEqual(sumOf([]).terms(), []);
  });

  test('equals the correctly rounded exact total of integer-valued doubles (checked with BigInt)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }).map((x) => x * 2 ** 20), { maxLength: 40 }), (values) => {
        const exact = values.reduce((acc, v) => acc + BigInt(v), 0n);
        assert.equal(sumOf(values).value, Number(exact));
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  test('value and terms do not depend on the order of additions or how sums are merged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e300, max: 1e300, noNaN: true, noDefaultInfinity: true }), { maxLength: 30 }),
        fc.nat(),
        (values, cut) => {
          const whole = sumOf(values);
          const reversed = sumOf(values.slice().reverse());
          const at = values.length === 0 ? 0 : cut % values.length;
          const merged = sumOf(values.slice(at));
          merged.addSum(sumOf(values.slice(0, at)));
          assert.equal(reversed.value, whole.value);
          assert.deepEqual(reversed.terms(), whole.terms());
          assert.deepEqual(merged.terms(), whole.terms());
          assert.deepEqual(ExactSum.fromTerms(whole.terms()).terms(), whole.terms());
        },
      ),
      { seed: 6, numRuns: 300 },
    );
  });

  test('addMultiple adds x·n exactly', () => {
    const a = new ExactSum();
    a.addMultiple(0.1, 100_003);
    const b = new ExactSum();
    for (let i = 0; i < 100_003; i++) b.add(0.1);
    assert.deepEqual(a.terms(), b.terms());
  });

  test('adding a sum to itself doubles it, and non-finite input is refused', () => {
    const sum = sumOf([1.5, 2.25]);
    sum.addSum(sum);
    assert.equal(sum.value, 7.5);
    assert.throws(() => sum.add(Number.NaN), RangeError);
    assert.throws(() => sum.add(Number.POSITIVE_INFINITY), RangeError);
  });
});
