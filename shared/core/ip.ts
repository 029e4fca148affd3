/**
 * IP address parsing and CIDR sets. Pure: no I/O.
 *
 * Parsing is strict on purpose: the same address must always produce the same text, because
 * the text is a key (baselines per IP, block lists, partition keys). Anything that is not a
 * plain address — hostnames, "unknown", short or octal IPv4 forms, zone ids — is rejected
 * rather than guessed at.
 */
import ipaddr from 'ipaddr.js';

/** Longest text we bother to look at: "[" + 45-char IPv6 + "]:65535", with slack for spaces. */
const MAX_ADDRESS_TEXT = 64;

const PORT = /^[0-9]{1,5}$/;

function isPort(text: string): boolean {
  return PORT.test(text) && Number(text) <= 65535;
}

/**
 * Canonical text of an IPv4 or IPv6 address, or undefined when `text` is not one.
 *
 * - Surrounding whitespace, brackets and a port are removed: "1.2.3.4:5678" → "1.2.3.4",
 *   "[2001:db8::1]:443" → "2001:db8::1". An IPv6 address with a port must be bracketed.
 * - IPv4-mapped IPv6 folds to IPv4: "::ffff:1.2.3.4" → "1.2.3.4".
 * - IPv6 comes out in RFC 5952 form (lower case, longest zero run compressed).
 * - IPv4 must be four decimal parts without leading zeros ("1.2.3", "010.1.1.1", "0x7f.0.0.1"
 *   are rejected), also when embedded in IPv6. Zone ids ("fe80::1%eth0") are rejected.
 */
export function normalizeIp(text: string): string | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ADDRESS_TEXT) return undefined;
  let host = text.trim();
  if (host.length === 0) return undefined;

  if (host.charCodeAt(0) === 0x5b /* [ */) {
    const close = host.indexOf(']');
    if (close < 0) return undefined;
    const rest = host.slice(close + 1);
    if (rest.length > 0 && !(rest.charCodeAt(0) === 0x3a /* : */ && isPort(rest.slice(1)))) return undefined;
    host = host.slice(1, close);
    return normalizeIpv6(host);
  }

  const firstColon = host.indexOf(':');
  if (firstColon < 0) return normalizeIpv4(host);
  if (host.indexOf(':', firstColon + 1) < 0) {
    // Exactly one colon: IPv4 with a port (an IPv6 address has at least two colons).
    if (!isPort(host.slice(firstColon + 1))) return undefined;
    return normalizeIpv4(host.slice(0, firstColon));
  }
  return normalizeIpv6(host);
}

function normalizeIpv4(host: string): string | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(host)) return undefined;
  // Four decimal parts without leading zeros is already the canonical text.
  return host;
}

function normalizeIpv6(host: string): string | undefined {
  if (host.indexOf('%') >= 0) return undefined;
  const lastColon = host.lastIndexOf(':');
  if (host.indexOf('.', lastColon) >= 0 && !ipaddr.IPv4.isValidFourPartDecimal(host.slice(lastColon + 1))) {
    return undefined;
  }
  if (!ipaddr.IPv6.isValid(host)) return undefined;
  let address: ipaddr.IPv6;
  try {
    address = ipaddr.IPv6.parse(host);
  } catch {
    return undefined;
  }
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  return address.toRFC5952String();
}

/**
 * An IPv4 address as an unsigned 32-bit number, from canonical dotted-quad text: four decimal
 * parts of 0-255 without leading zeros; anything else is undefined.
 */
export function ipv4ToNumber(text: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) {
      if (digits > 0 && part === 0) return undefined; // leading zero
      part = part * 10 + (code - 0x30);
      digits += 1;
      if (digits > 3 || part > 255) return undefined;
    } else if (code === 0x2e /* . */) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots += 1;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || dots !== 3) return undefined;
  return value * 256 + part;
}

function ipv6ToBigInt(parts: readonly number[]): bigint {
  let value = 0n;
  for (const part of parts) value = (value << 16n) | BigInt(part);
  return value;
}

const CIDR_PREFIX = /^(0|[1-9][0-9]{0,2})$/;
const IPV4_MAPPED_PREFIX = 0xffffn << 32n;
const IPV4_MAPPED_MASK = ~0xffffffffn & ((1n << 128n) - 1n);

type Interval<T> = [start: T, end: T];

function addOne<T extends number | bigint>(value: T): T {
  return (typeof value === 'bigint' ? value + 1n : (value as number) + 1) as T;
}

function mergeSorted<T extends number | bigint>(intervals: Interval<T>[]): Interval<T>[] {
  intervals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: Interval<T>[] = [];
  for (const interval of intervals) {
    const last = merged[merged.length - 1];
    if (last !== undefined && interval[0] <= addOne(last[1])) {
      if (interval[1] > last[1]) last[1] = interval[1];
    } else {
      merged.push([interval[0], interval[1]]);
    }
  }
  return merged;
}

function searchIntervals<T extends number | bigint>(intervals: readonly Interval<T>[], value: T): boolean {
  let low = 0;
  let high = intervals.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const interval = intervals[middle] as Interval<T>;
    if (value < interval[0]) high = middle - 1;
    else if (value > interval[1]) low = middle + 1;
    else return true;
  }
  return false;
}

/**
 * A set of IPv4 and IPv6 addresses and CIDR ranges, for per-request membership tests
 * (trusted proxies, block lists, threat-intel feeds). Ranges are merged into sorted intervals,
 * so `contains` is a binary search: O(log n) whatever the number of entries.
 *
 * IPv4-mapped IPv6 entries ("::ffff:10.0.0.0/104") are stored as the IPv4 range they denote,
 * consistently with {@link normalizeIp} folding mapped addresses to IPv4.
 */
export class CidrSet {
  /** Number of valid entries the set was built from (before merging overlaps). */
  readonly size: number;
  private readonly v4: readonly Interval<number>[];
  private readonly v6: readonly Interval<bigint>[];

  private constructor(size: number, v4: Interval<number>[], v6: Interval<bigint>[]) {
    this.size = size;
    this.v4 = mergeSorted(v4);
    this.v6 = mergeSorted(v6);
  }

  /** An empty set. */
  static empty(): CidrSet {
    return new CidrSet(0, [], []);
  }

  /**
   * Builds a set from IPs ("10.0.0.1", "2001:db8::1") and CIDRs ("10.0.0.0/8", "2001:db8::/32").
   * Blank entries are ignored; host bits set in a CIDR ("10.0.0.1/8") are masked off. If any
   * entry is invalid, the result lists every invalid entry and no set.
   */
  static parse(entries: readonly string[]): { ok: true; set: CidrSet } | { ok: false; invalid: string[] } {
    const v4: Interval<number>[] = [];
    const v6: Interval<bigint>[] = [];
    const invalid: string[] = [];
    let size = 0;
    for (const entry of entries) {
      const text = typeof entry === 'string' ? entry.trim() : '';
      if (text === '') {
        if (typeof entry !== 'string') invalid.push(String(entry));
        continue;
      }
      if (addEntry(text, v4, v6)) size += 1;
      else invalid.push(entry);
    }
    if (invalid.length > 0) return { ok: false, invalid };
    return { ok: true, set: new CidrSet(size, v4, v6) };
  }

  /**
   * Whether the set holds this address. Expects canonical text from {@link normalizeIp};
   * anything that is not an address is simply not contained.
   */
  contains(ip: string): boolean {
    if (typeof ip !== 'string') return false;
    if (ip.indexOf(':') < 0) {
      if (this.v4.length === 0) return false;
      const value = ipv4ToNumber(ip);
      return value !== undefined && searchIntervals(this.v4, value);
    }
    const canonical = normalizeIp(ip);
    if (canonical === undefined) return false;
    if (canonical.indexOf(':') < 0) return this.contains(canonical);
    if (this.v6.length === 0) return false;
    return searchIntervals(this.v6, ipv6ToBigInt(ipaddr.IPv6.parse(canonical).parts));
  }
}

function addEntry(text: string, v4: Interval<number>[], v6: Interval<bigint>[]): boolean {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  if (prefixText !== undefined && !CIDR_PREFIX.test(prefixText)) return false;
  // Brackets and ports make no sense in an entry; normalizeIp would strip them, so refuse them.
  if (addressText.indexOf('[') >= 0) return false;
  const firstColon = addressText.indexOf(':');
  if (firstColon >= 0 && addressText.indexOf(':', firstColon + 1) < 0) return false;
  const canonical = normalizeIp(addressText);
  if (canonical === undefined) return false;

  if (firstColon < 0) {
    const bits = prefixText === undefined ? 32 : Number(prefixText);
    if (bits > 32) return false;
    const value = ipv4ToNumber(canonical);
    if (value === undefined) return false;
    const hostCount = 2 ** (32 - bits);
    const start = value - (value % hostCount);
    v4.push([start, start + hostCount - 1]);
    return true;
  }

  const bits = prefixText === undefined ? 128 : Number(prefixText);
  if (bits > 128) return false;
  const value = ipv6ToBigInt(ipaddr.IPv6.parse(addressText.trim()).parts);
  const hostMask = (1n << BigInt(128 - bits)) - 1n;
  const start = value & ~hostMask;
  const end = start | hostMask;
  // A range entirely inside ::ffff:0:0/96 is really an IPv4 range (normalizeIp folds those).
  if ((start & IPV4_MAPPED_MASK) === IPV4_MAPPED_PREFIX && (end & IPV4_MAPPED_MASK) === IPV4_MAPPED_PREFIX) {
    v4.push([Number(start & 0xffffffffn), Number(end & 0xffffffffn)]);
    return true;
  }
  v6.push([start, end]);
  return true;
}
