/**
 * Addresses and CIDRs as API Warden writes them into `ip-filter`.
 *
 * `ip-filter` takes single addresses (`<address>`) and inclusive ranges
 * (`<address-range from= to=>`), not CIDR notation, so a CIDR becomes the range from its network
 * address to its last address.
 *
 * IPv6: Microsoft's ip-filter reference does not mention IPv6 at all (neither as supported nor
 * as unsupported), and the APIM gateway endpoint is reached over IPv4. Because a block that does
 * not take effect is worse than a refusal, IPv6 is refused with code `ipv6-unsupported` unless
 * the caller opts in with `allowIpv6: true` (for example after testing it on their gateway).
 */
import ipaddr from 'ipaddr.js';

import { normalizeIp } from '../ip';
import { PolicyDocumentError } from './errors';

export type Family = 4 | 6;

/** An inclusive address interval of one family. `text` is how listBlocked reports it. */
export interface AddressInterval {
  family: Family;
  start: bigint;
  end: bigint;
  /** "203.0.113.7", "203.0.113.0/24", or "203.0.113.5-203.0.113.9" for an unaligned range. */
  text: string;
}

export interface AddressOptions {
  /** Broadest IPv4 CIDR accepted. Default 8: "10.0.0.0/8" is fine, "10.0.0.0/7" is refused. */
  minIpv4Prefix?: number;
  /** Broadest IPv6 CIDR accepted. Default 32. */
  minIpv6Prefix?: number;
  /** Accept IPv6 addresses (see the module comment). Default false. */
  allowIpv6?: boolean;
}

export const DEFAULT_MIN_IPV4_PREFIX = 8;
export const DEFAULT_MIN_IPV6_PREFIX = 32;

function bitsOf(family: Family): number {
  return family === 4 ? 32 : 128;
}

function toBigInt(address: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let value = 0n;
  for (const byte of address.toByteArray()) value = (value << 8n) | BigInt(byte);
  return value;
}

export function intervalAddressText(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }
  const parts: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) parts.push(Number((value >> shift) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** The CIDR text of an interval when it is exactly one aligned block, else "from-to". */
export function describeInterval(family: Family, start: bigint, end: bigint): string {
  const from = intervalAddressText(family, start);
  if (start === end) return from;
  const size = end - start + 1n;
  if ((size & (size - 1n)) === 0n && start % size === 0n) {
    let hostBits = 0;
    while (1n << BigInt(hostBits) < size) hostBits += 1;
    return `${from}/${bitsOf(family) - hostBits}`;
  }
  return `${from}-${intervalAddressText(family, end)}`;
}

/** Parses a single address (no CIDR) to its interval, or undefined. */
export function parseSingleAddress(text: string): AddressInterval | undefined {
  const canonical = normalizeIp(text);
  if (canonical === undefined) return undefined;
  const address = ipaddr.parse(canonical);
  const family: Family = address.kind() === 'ipv4' ? 4 : 6;
  const value = toBigInt(address);
  return { family, start: value, end: value, text: canonical };
}

/**
 * Parses an IP or CIDR given to an action, applying the options. Host bits in a CIDR are
 * refused rather than masked: "10.0.0.1/8" is more likely a typo than a wish to block 16M hosts.
 */
export function parseTarget(input: string, options: AddressOptions = {}): AddressInterval {
  const text = typeof input === 'string' ? input.trim() : '';
  const slash = text.indexOf('/');
  let interval: AddressInterval;
  if (slash < 0) {
    const single = parseSingleAddress(text);
    if (single === undefined) throw new PolicyDocumentError('invalid-address', `not an IP address or CIDR: "${String(input)}"`, [String(input)]);
    interval = single;
  } else {
    const base = parseSingleAddress(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    if (base === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) {
      throw new PolicyDocumentError('invalid-address', `not an IP address or CIDR: "${input}"`, [input]);
    }
    // An IPv4-mapped IPv6 CIDR was folded to IPv4 by normalizeIp; its prefix counts from 96.
    const mappedV4 = base.family === 4 && text.slice(0, slash).includes(':');
    let prefix = Number(prefixText);
    if (mappedV4) prefix -= 96;
    const bits = bitsOf(base.family);
    if (prefix < 0 || prefix > bits) throw new PolicyDocumentError('invalid-address', `prefix out of range in "${input}"`, [input]);
    const hostMask = (1n << BigInt(bits - prefix)) - 1n;
    if ((base.start & hostMask) !== 0n) {
      throw new PolicyDocumentError(
        'invalid-address',
        `"${input}" has host bits set; did you mean ${describeInterval(base.family, base.start & ~hostMask, (base.start & ~hostMask) | hostMask)}?`,
        [input],
      );
    }
    const minimum = base.family === 4 ? (options.minIpv4Prefix ?? DEFAULT_MIN_IPV4_PREFIX) : (options.minIpv6Prefix ?? DEFAULT_MIN_IPV6_PREFIX);
    if (prefix < minimum) {
      throw new PolicyDocumentError('prefix-too-broad', `"${input}" is broader than /${minimum}, the broadest range API Warden will act on`, [input]);
    }
    interval = { family: base.family, start: base.start, end: base.start | hostMask, text: describeInterval(base.family, base.start, base.start | hostMask) };
  }
  if (interval.family === 6 && options.allowIpv6 !== true) {
    throw new PolicyDocumentError(
      'ipv6-unsupported',
      `"${input}" is IPv6: APIM's ip-filter reference does not document IPv6, so API Warden refuses it unless allowIpv6 is set`,
      [input],
    );
  }
  return interval;
}

/** Parses an allowlist (IPs and CIDRs, any breadth, both families); invalid entries are an error. */
export function parseAllowlist(entries: readonly string[] | undefined): AddressInterval[] {
  const out: AddressInterval[] = [];
  const invalid: string[] = [];
  for (const entry of entries ?? []) {
    if (typeof entry === 'string' && entry.trim() === '') continue;
    try {
      out.push(parseTarget(entry, { minIpv4Prefix: 0, minIpv6Prefix: 0, allowIpv6: true }));
    } catch {
      invalid.push(String(entry));
    }
  }
  if (invalid.length > 0) throw new PolicyDocumentError('invalid-argument', `invalid allowlist entries: ${invalid.join(', ')}`, invalid);
  return out;
}

export function overlaps(a: AddressInterval, b: AddressInterval): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

export function covers(outer: AddressInterval, inner: AddressInterval): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

export function sameInterval(a: AddressInterval, b: AddressInterval): boolean {
  return a.family === b.family && a.start === b.start && a.end === b.end;
}

/** Throws 'allowlisted' listing every target that touches the allowlist. */
export function refuseAllowlisted(targets: readonly AddressInterval[], allowlist: readonly AddressInterval[]): void {
  const refused = targets.filter((target) => allowlist.some((allowed) => overlaps(target, allowed))).map((target) => target.text);
  if (refused.length > 0) {
    throw new PolicyDocumentError('allowlisted', `refusing to act on allowlisted addresses: ${refused.join(', ')}`, refused);
  }
}

/** Interval of an `<address-range from to>` as written in a document, or undefined when unreadable. */
export function parseRange(from: string, to: string): AddressInterval | undefined {
  const start = parseSingleAddress(from);
  const end = parseSingleAddress(to);
  if (start === undefined || end === undefined || start.family !== end.family || start.start > end.start) return undefined;
  return { family: start.family, start: start.start, end: end.start, text: describeInterval(start.family, start.start, end.start) };
}
