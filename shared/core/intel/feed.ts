/**
 * Parsing of threat-intel feeds: one IP address or CIDR range per line. Pure: takes text, not a
 * path or a URL (downloads and gzip are the adapters' job).
 *
 * Accepted, line by line:
 * - blank lines, and comments from `#` or `;` to the end of the line (whole-line or trailing,
 *   as in Tor's bulk exit list, IPsum's header and Spamhaus DROP's "CIDR ; SBL123");
 * - an IPv4 or IPv6 address, or a CIDR range, as the first column;
 * - optionally a second column separated by whitespace holding a non-negative integer: IPsum's
 *   `IP<TAB>count`, kept as the entry's confidence (how many blocklists name the IP).
 *
 * Parsing is strict, with the rules of normalizeIp and CidrSet (shared/core/ip.ts): hostnames, ports,
 * brackets, zone ids, short or octal IPv4, IP ranges ("1.2.3.4-1.2.3.9"), bad prefixes, third
 * columns and non-numeric second columns reject the line (with its number), and never stop
 * the parse. Entries come out canonical, so the same address always has the same text.
 */
import ipaddr from 'ipaddr.js';

import { bigIntToGroups, canonicalIpv6, formatIpv6, groupsToBigInt, ipv4ToNumber, ipv6Groups, numberToIpv4 } from './address';

/** One listed address or network, in canonical text. */
export interface IntelEntry {
  /**
   * An address ("203.0.113.7", "2001:db8::1") or a network with its host bits cleared
   * ("203.0.113.0/24", "2001:db8::/32"). A full-length prefix (/32, /128) is written as the
   * address; IPv4-mapped IPv6 entries become the IPv4 address or network they denote.
   */
  value: string;
  /** The feed's own confidence for the entry (IPsum: the number of blocklists naming it); absent when the feed has none. */
  confidence?: number;
}

/** A line that was neither blank, a comment nor a valid entry. */
export interface FeedRejection {
  /** 1-based line number. */
  line: number;
  /** The line's content without its comment, trimmed and cut to {@link MAX_REJECTED_TEXT} characters. */
  text: string;
  /** Why it was rejected. */
  reason: string;
}

export interface ParsedFeed {
  /** Valid entries, deduplicated (a repeated entry keeps its highest confidence), in first-seen order. */
  entries: IntelEntry[];
  rejected: FeedRejection[];
  /** Lines that repeated an entry already seen. */
  duplicates: number;
}

export interface FeedParseOptions {
  /**
   * Broadest IPv4 network accepted (default 8): a feed line such as "0.0.0.0/0" would flag
   * every client, so anything broader than this is rejected as implausible.
   */
  minPrefixV4?: number;
  /** Broadest IPv6 network accepted (default 16). */
  minPrefixV6?: number;
}

export const DEFAULT_MIN_PREFIX_V4 = 8;
export const DEFAULT_MIN_PREFIX_V6 = 16;

/** Rejected lines are quoted up to this many characters. */
export const MAX_REJECTED_TEXT = 120;

/** Lines longer than this cannot hold an entry (an IPv6 CIDR, a tab and a count are < 70 characters). */
const MAX_LINE_CHARS = 200;

const CIDR_PREFIX = /^(0|[1-9][0-9]{0,2})$/;
const COUNT = /^(0|[1-9][0-9]{0,8})$/;
const IPV4_MAPPED_PREFIX = 0xffffn << 32n;
const IPV4_MAPPED_MASK = ~0xffffffffn & ((1n << 128n) - 1n);

/** Result of reading one entry's text. */
export type EntryParse = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Canonical text of one feed entry (an address or a CIDR range), or why it is not one.
 * @example parseIntelEntry('203.0.113.77/24') // { ok: true, value: '203.0.113.0/24' }
 * @example parseIntelEntry('::ffff:10.1.2.3') // { ok: true, value: '10.1.2.3' }
 */
export function parseIntelEntry(text: string, options: FeedParseOptions = {}): EntryParse {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  if (addressText === '' || addressText.trim() !== addressText) return { ok: false, reason: 'not an IP address' };
  if (prefixText !== undefined && !CIDR_PREFIX.test(prefixText)) return { ok: false, reason: 'bad CIDR prefix' };
  // normalizeIp strips brackets and ports from client addresses; in a list they mean a typo.
  if (addressText.indexOf('[') >= 0 || addressText.indexOf(']') >= 0) return { ok: false, reason: 'brackets are not allowed' };
  const firstColon = addressText.indexOf(':');
  if (firstColon >= 0 && addressText.indexOf(':', firstColon + 1) < 0) return { ok: false, reason: 'a port is not allowed' };
  const minV4 = options.minPrefixV4 ?? DEFAULT_MIN_PREFIX_V4;
  const minV6 = options.minPrefixV6 ?? DEFAULT_MIN_PREFIX_V6;

  if (firstColon < 0) {
    // Canonical IPv4 is exactly what normalizeIp accepts without a colon (four decimal parts,
    // 0-255, no leading zeros) and it returns it unchanged: checked here without its parser.
    const value = ipv4ToNumber(addressText);
    if (value === undefined) return { ok: false, reason: 'not an IP address' };
    if (prefixText === undefined) return { ok: true, value: addressText };
    return ipv4Network(value, Number(prefixText), minV4);
  }

  const canonical = canonicalIpv6(addressText);
  if (canonical === undefined) return { ok: false, reason: 'not an IP address' };
  if (prefixText === undefined) return { ok: true, value: canonical.text };
  const bits = Number(prefixText);
  if (bits > 128) return { ok: false, reason: 'bad CIDR prefix' };
  const value = groupsToBigInt(ipv6Groups(addressText) ?? ipaddr.IPv6.parse(addressText).parts);
  const hostMask = (1n << BigInt(128 - bits)) - 1n;
  const start = value & ~hostMask;
  const end = start | hostMask;
  // A range inside ::ffff:0:0/96 is an IPv4 range, as normalizeIp and CidrSet fold it.
  if ((start & IPV4_MAPPED_MASK) === IPV4_MAPPED_PREFIX && (end & IPV4_MAPPED_MASK) === IPV4_MAPPED_PREFIX) {
    return ipv4Network(Number(start & 0xffffffffn), bits - 96, minV4);
  }
  if (bits < minV6) return { ok: false, reason: `network broader than /${minV6}` };
  const address = formatIpv6(bigIntToGroups(start));
  return { ok: true, value: bits === 128 ? address : `${address}/${bits}` };
}

function ipv4Network(value: number, bits: number, minBits: number): EntryParse {
  if (bits > 32) return { ok: false, reason: 'bad CIDR prefix' };
  if (bits < minBits) return { ok: false, reason: `network broader than /${minBits}` };
  if (bits === 32) return { ok: true, value: numberToIpv4(value) };
  const size = 2 ** (32 - bits);
  return { ok: true, value: `${numberToIpv4(value - (value % size))}/${bits}` };
}

/**
 * Parses a feed's text. Never throws on content: bad lines are listed in `rejected`.
 * A leading byte-order mark and CRLF line ends are accepted.
 */
export function parseFeed(text: string, options: FeedParseOptions = {}): ParsedFeed {
  const entries: IntelEntry[] = [];
  const rejected: FeedRejection[] = [];
  const index = new Map<string, number>();
  let duplicates = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let start = 0;
  let lineNumber = 0;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    lineNumber += 1;
    const raw = body.slice(start, end);
    start = end + 1;

    const content = stripComment(raw).trim();
    if (content === '') continue;
    const reject = (reason: string): void => {
      rejected.push({ line: lineNumber, text: content.slice(0, MAX_REJECTED_TEXT), reason });
    };
    if (content.length > MAX_LINE_CHARS) {
      reject('line too long');
      continue;
    }
    const gap = firstWhitespace(content);
    const first = gap < 0 ? content : content.slice(0, gap);
    const second = gap < 0 ? undefined : content.slice(gap).trim();
    if (second !== undefined && firstWhitespace(second) >= 0) {
      reject('more than two columns');
      continue;
    }
    const parsed = parseIntelEntry(first, options);
    if (!parsed.ok) {
      reject(parsed.reason);
      continue;
    }
    let confidence: number | undefined;
    if (second !== undefined) {
      if (!COUNT.test(second)) {
        reject('second column is not a count');
        continue;
      }
      confidence = Number(second);
    }
    const seen = index.get(parsed.value);
    if (seen !== undefined) {
      duplicates += 1;
      const entry = entries[seen] as IntelEntry;
      if (confidence !== undefined && (entry.confidence === undefined || confidence > entry.confidence)) entry.confidence = confidence;
      continue;
    }
    index.set(parsed.value, entries.length);
    entries.push(confidence === undefined ? { value: parsed.value } : { value: parsed.value, confidence });
  }
  return { entries, rejected, duplicates };
}

/** Index of the first space, tab or other ASCII blank, or -1. */
function firstWhitespace(text: string): number {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return i;
  }
  return -1;
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  const semicolon = line.indexOf(';');
  const cut = hash < 0 ? semicolon : semicolon < 0 ? hash : Math.min(hash, semicolon);
  return cut < 0 ? line : line.slice(0, cut);
}

/**
 * Writes entries in the feed format {@link parseFeed} reads back: `value[<TAB>confidence]` per
 * line, after optional `# ` comment lines. Used for stored lists and the shipped snapshot.
 */
export function formatFeed(entries: readonly IntelEntry[], comments: readonly string[] = []): string {
  const lines = comments.map((comment) => (comment === '' ? '#' : `# ${comment}`));
  for (const entry of entries) lines.push(entry.confidence === undefined ? entry.value : `${entry.value}\t${entry.confidence}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
