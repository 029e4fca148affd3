/**
 * Numeric forms of canonical addresses, for range arithmetic, and a fast path for the common
 * IPv6 spellings. Pure.
 *
 * {@link normalizeIp} (shared/core/ip.ts) defines what an address is and its canonical text;
 * it relies on ipaddr.js, which costs several microseconds per IPv6 address. Lists hold
 * thousands of IPv6 addresses and every IPv6 request is looked up, so {@link canonicalIpv6}
 * handles plain hexadecimal IPv6 itself and defers to normalizeIp for everything else
 * (embedded IPv4, zone ids, brackets): same results, as the tests check property by property.
 */
import { ipv4ToNumber, normalizeIp } from '../ip';

export { ipv4ToNumber };


export function numberToIpv4(value: number): string {
  return `${Math.floor(value / 0x1000000) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/**
 * The eight 16-bit groups of a plain hexadecimal IPv6 address ("2001:DB8::1", "::",
 * "fe80:0:0:0:0:0:0:1"), or undefined for anything else, including valid spellings this fast
 * path leaves to normalizeIp (a dotted IPv4 tail, a zone id, brackets).
 */
export function ipv6Groups(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 39) return undefined;
  const head: number[] = [];
  const tail: number[] = [];
  let current = head;
  let compressed = false;
  let group = 0;
  let digits = 0;
  let i = 0;
  if (text.charCodeAt(0) === 0x3a /* : */) {
    if (text.charCodeAt(1) !== 0x3a) return undefined;
    compressed = true;
    current = tail;
    i = 2;
    if (i === text.length) return [0, 0, 0, 0, 0, 0, 0, 0];
  }
  for (; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    let nibble: number;
    if (code >= 0x30 && code <= 0x39) nibble = code - 0x30;
    else if (code >= 0x61 && code <= 0x66) nibble = code - 0x57;
    else if (code >= 0x41 && code <= 0x46) nibble = code - 0x37;
    else if (code === 0x3a) {
      if (digits === 0) return undefined;
      current.push(group);
      group = 0;
      digits = 0;
      if (text.charCodeAt(i + 1) === 0x3a) {
        if (compressed) return undefined;
        compressed = true;
        current = tail;
        i += 1;
        if (i === text.length - 1) break;
      } else if (i === text.length - 1) {
        return undefined;
      }
      continue;
    } else {
      return undefined;
    }
    if (digits === 4) return undefined;
    group = group * 16 + nibble;
    digits += 1;
  }
  if (digits > 0) current.push(group);
  const total = head.length + tail.length;
  if (compressed ? total > 7 : total !== 8) return undefined;
  const groups = head;
  for (let fill = 8 - total; fill > 0; fill -= 1) groups.push(0);
  for (const value of tail) groups.push(value);
  return groups;
}

/** RFC 5952 text of eight groups: lower case, the longest run of two or more zero groups (the first of equals) as "::". */
export function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/** Whether groups are an IPv4-mapped address (::ffff:a.b.c.d), which canonical text writes as IPv4. */
export function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff;
}

/**
 * Canonical text of an IPv6 address (as {@link normalizeIp} gives it, IPv4-mapped ones folded
 * to IPv4) and, for IPv6 results, its groups; undefined when the text is not an address.
 */
export function canonicalIpv6(text: string): { text: string; groups?: number[] } | undefined {
  const groups = ipv6Groups(text);
  if (groups === undefined) {
    const canonical = normalizeIp(text);
    if (canonical === undefined) return undefined;
    if (canonical.indexOf(':') < 0) return { text: canonical };
    return { text: canonical, groups: ipv6Groups(canonical) as number[] };
  }
  if (isIpv4Mapped(groups)) return { text: numberToIpv4(((groups[6] as number) * 0x10000 + (groups[7] as number)) >>> 0) };
  return { text: formatIpv6(groups), groups };
}

export function groupsToBigInt(groups: readonly number[]): bigint {
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value;
}

export function bigIntToGroups(value: bigint): number[] {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  return groups;
}
