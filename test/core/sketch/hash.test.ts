import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { HASH_RANGE, hashString } from '../../../shared/core/sketch/hash';

describe('hashString', () => {
  test('has no collisions among 100,000 sequential ids', () => {
    const seen = new Set<number>();
    for (let i = 1; i <= 100_000; i++) seen.add(hashString(String(i)));
    assert.equal(seen.size, 100_000);
  });

  test('returns integers in [0, 2^53) with every bit set about half the time', () => {
    const n = 100_000;
    const ones = new Array<number>(53).fill(0);
    for (let i = 0; i < n; i++) {
      const h = hashString(`/orders/${i}`);
      assert.ok(Number.isSafeInteger(h) && h >= 0 && h < HASH_RANGE);
      let rest = h;
      for (let bit = 0; bit < 53; bit++) {
        if (rest % 2 === 1) ones[bit] = (ones[bit] ?? 0) + 1;
        rest = Math.floor(rest / 2);
      }
    }
    for (const count of ones) assert.ok(Math.abs(count / n - 0.5) < 0.01, `bit set in ${count / n}`);
  });

  test('changing one character changes about half of the bits', () => {
    let flipped = 0;
    const trials = 2_000;
    for (let i = 0; i < trials; i++) {
      const a = hashString(`param=${i}x`);
      const b = hashString(`param=${i}y`);
      let x = a;
      let y = b;
      for (let bit = 0; bit < 53; bit++) {
        if (x % 2 !== y % 2) flipped++;
        x = Math.floor(x / 2);
        y = Math.floor(y / 2);
      }
    }
    const share = flipped / (trials * 53);
    assert.ok(Math.abs(share - 0.5) < 0.01, `share of bits flipped ${share}`);
  });

  test('distinguishes empty, odd and even lengths and non-ASCII text', () => {
    const inputs = ['', 'a', 'ab', 'abc', 'ba', '\u00e9', 'e\u0301', '😀', '\uD83D', 'a\u0000', 'a\u0000\u0000'];
    assert.equal(new Set(inputs.map(hashString)).size, inputs.length);
  });

  test('is stable: these values are part of the serialized format', () => {
    // Pinned so that an accidental change to the function (which would corrupt stored counters) fails here.
    const pinned = ['', 'a', 'hello', '203.0.113.7', 'contoso|echo-api|get'].map(hashString);
    assert.deepEqual(pinned, PINNED);
  });
});

const PINNED = [2834314511931690, 2670690627187455, 8034567057656243, 3237485177659812, 243195108192176];
