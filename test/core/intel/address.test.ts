import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { normalizeIp } from '../../../shared/core/ip';
import { canonicalIpv6, formatIpv6, ipv4ToNumber, ipv6Groups, numberToIpv4 } from '../../../shared/core/intel';

/** Random spellings of eight groups: upper or lower case, leading zeros, any zero run compressed. */
const ipv6Spelling = fc
  .tuple(
    fc.array(fc.oneof(fc.constant(0), fc.constant(0xffff), fc.nat(0xffff)), { minLength: 8, maxLength: 8 }),
    fc.boolean(),
    fc.boolean(),
    fc.nat(8),
    fc.nat(8),
  )
  .map(([groups, upper, pad, from, length]) => {
    const texts = groups.map((g) => {
      const hex = pad ? g.toString(16).padStart(4, '0') : g.toString(16);
      return upper ? hex.toUpperCase() : hex;
    });
    const end = Math.min(8, from + length);
    if (length === 0 || from >= 8 || !groups.slice(from, end).every((g) => g === 0)) return texts.join(':');
    return `${texts.slice(0, from).join(':')}::${texts.slice(end).join(':')}`;
  });

describe('address helpers', () => {
  test('canonicalIpv6 agrees with normalizeIp on random spellings', () => {
    fc.assert(
      fc.property(ipv6Spelling, (text) => {
        assert.equal(canonicalIpv6(text)?.text, normalizeIp(text), text);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  test('canonicalIpv6 agrees with normalizeIp on random strings of IPv6 characters', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEF:::.'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { minLength: 0, maxLength: 41 }).map((c) => c.join('')), (text) => {
        assert.equal(canonicalIpv6(text)?.text, normalizeIp(text), text);
      }),
      { numRuns: 20000, seed: 11 },
    );
  });

  test('edge spellings', () => {
    for (const text of ['::', '::1', '1::', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8', '1:0:0:2:0:0:0:3', '0:0:1:0:0:1:0:0',
      '1:2:3:4::5:6:7:8', '1::2::3', ':1', '1:', ':::', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '::ffff:c633:6409', '::FFFF:1.2.3.4',
      '64:ff9b::1.2.3.4', 'fe80::1%eth0', '[::1]', ' ::1', '']) {
      assert.equal(canonicalIpv6(text)?.text, normalizeIp(text), JSON.stringify(text));
    }
    assert.deepEqual(ipv6Groups('2001:db8::1'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    assert.equal(formatIpv6([1, 0, 0, 2, 0, 0, 0, 3]), '1:0:0:2::3');
    assert.equal(formatIpv6([1, 0, 2, 0, 3, 0, 4, 0]), '1:0:2:0:3:0:4:0');
    assert.equal(formatIpv6([0, 0, 1, 0, 0, 1, 0, 0]), '::1:0:0:1:0:0');
  });

  test('ipv4ToNumber accepts exactly canonical dotted quads', () => {
    assert.equal(ipv4ToNumber('0.0.0.0'), 0);
    assert.equal(ipv4ToNumber('255.255.255.255'), 0xffffffff);
    assert.equal(numberToIpv4(0xffffffff), '255.255.255.255');
    assert.equal(numberToIpv4(0xc0000201), '192.0.2.1');
    const chars = fc.constantFrom(...'0123456789..'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 16 }).map((c) => c.join('')), (text) => {
        const value = ipv4ToNumber(text);
        assert.equal(value === undefined ? undefined : text, normalizeIp(text), text);
        if (value !== undefined) assert.equal(numberToIpv4(value), text);
      }),
      { numRuns: 20000, seed: 3 },
    );
  });
});
