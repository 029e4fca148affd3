/**
 * Fast membership of client IPs in threat-intel lists (100k+ addresses and networks), telling
 * which entry of which feed matched. Pure: no I/O.
 *
 * Exact addresses sit in a Map keyed by canonical text: O(1). Networks are kept as sorted
 * numeric ranges, CidrSet-style, but not merged, so that a match can name the listed entry:
 * CIDR blocks are either nested or disjoint, so each range points to the smallest range that
 * encloses it, and a lookup is a binary search for the last range starting at or before the
 * address followed by a walk up that chain (at most 32 steps for IPv4, 128 for IPv6).
 */
import ipaddr from 'ipaddr.js';

import { normalizeIp } from '../ip';
import { ipv4ToNumber, ipv6ToBigInt, parseIntelEntry, type IntelEntry } from './feed';

/** Which list a set came from, as alerts quote it. */
export interface IntelFeedInfo {
  /** Short feed name ("tor-exit-relays", "ipsum-level3", "check.torproject.org/torbulkexitlist"). */
  name: string;
  /** The day the list was published or downloaded, YYYY-MM-DD. */
  snapshotDate: string;
}

/** A listed entry that covers an address. */
export interface IntelMatch {
  feed: string;
  snapshotDate: string;
  /** The entry as listed (canonical): the address itself, or the network that holds it. */
  listedAs: string;
  /** The feed's confidence for the entry, when it has one (IPsum: number of blocklists). */
  confidence?: number;
}

/** One feed's contribution to a set. */
export interface IntelFeedSummary extends IntelFeedInfo {
  /** Entries from that feed. */
  entries: number;
}

interface Ref {
  readonly value: string;
  confidence: number | undefined;
  readonly feed: IntelFeedInfo;
  /** The same entry from another feed (after a merge), in merge order. */
  next: Ref | undefined;
}

/** Sorted, nested-or-disjoint ranges with their enclosing range. */
interface Ranges<T extends number | bigint> {
  starts: T[];
  ends: T[];
  /** Index of the smallest range strictly enclosing each one; -1 when none. */
  parents: Int32Array;
  refs: Ref[];
}

function emptyRanges<T extends number | bigint>(): Ranges<T> {
  return { starts: [], ends: [], parents: new Int32Array(0), refs: [] };
}

function buildRanges<T extends number | bigint>(items: { start: T; end: T; ref: Ref }[]): Ranges<T> {
  // Start ascending, then end descending: an enclosing range comes before what it encloses.
  items.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
  const ranges: Ranges<T> = { starts: [], ends: [], parents: new Int32Array(items.length), refs: [] };
  const stack: number[] = [];
  for (const item of items) {
    const last = ranges.starts.length - 1;
    if (last >= 0 && ranges.starts[last] === item.start && ranges.ends[last] === item.end) {
      appendRef(ranges.refs[last] as Ref, item.ref);
      continue;
    }
    while (stack.length > 0 && (ranges.ends[stack[stack.length - 1] as number] as T) < item.start) stack.pop();
    const index = ranges.starts.length;
    ranges.parents[index] = stack.length > 0 ? (stack[stack.length - 1] as number) : -1;
    ranges.starts.push(item.start);
    ranges.ends.push(item.end);
    ranges.refs.push(item.ref);
    stack.push(index);
  }
  ranges.parents = ranges.parents.slice(0, ranges.starts.length);
  return ranges;
}

/** Innermost ranges first, each range's refs in merge order. */
function findInRanges<T extends number | bigint>(ranges: Ranges<T>, value: T, all: boolean): Ref[] {
  let low = 0;
  let high = ranges.starts.length - 1;
  let candidate = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if ((ranges.starts[middle] as T) <= value) {
      candidate = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  const found: Ref[] = [];
  for (let i = candidate; i >= 0; i = ranges.parents[i] as number) {
    if ((ranges.ends[i] as T) >= value) {
      found.push(ranges.refs[i] as Ref);
      if (!all) break;
    }
  }
  return found;
}

function appendRef(head: Ref, ref: Ref): void {
  let last = head;
  while (last.next !== undefined) last = last.next;
  last.next = ref;
}

function toMatch(ref: Ref): IntelMatch {
  const match: IntelMatch = { feed: ref.feed.name, snapshotDate: ref.feed.snapshotDate, listedAs: ref.value };
  if (ref.confidence !== undefined) match.confidence = ref.confidence;
  return match;
}

const IPV4_HOST_BITS = (bits: number): number => 2 ** (32 - bits);

/**
 * An immutable set of listed addresses and networks from one or more feeds.
 * @example
 * const tor = IntelSet.build({ name: 'tor', snapshotDate: '2026-08-22' }, parseFeed(text).entries);
 * tor.lookup('185.220.101.1') // { feed: 'tor', snapshotDate: '2026-08-22', listedAs: '185.220.101.1' }
 */
export class IntelSet {
  private readonly exact: Map<string, Ref>;
  private readonly v4: Ranges<number>;
  private readonly v6: Ranges<bigint>;
  private readonly all: readonly Ref[];
  private readonly feedList: readonly IntelFeedSummary[];

  private constructor(refs: readonly Ref[], feeds: readonly IntelFeedSummary[]) {
    this.all = refs;
    this.feedList = feeds;
    this.exact = new Map();
    const v4: { start: number; end: number; ref: Ref }[] = [];
    const v6: { start: bigint; end: bigint; ref: Ref }[] = [];
    for (const original of refs) {
      // Chains are rebuilt here, so that sets sharing refs never share chains.
      const ref: Ref = { value: original.value, confidence: original.confidence, feed: original.feed, next: undefined };
      const slash = ref.value.indexOf('/');
      if (slash < 0) {
        const head = this.exact.get(ref.value);
        if (head === undefined) this.exact.set(ref.value, ref);
        else appendRef(head, ref);
        continue;
      }
      const address = ref.value.slice(0, slash);
      const bits = Number(ref.value.slice(slash + 1));
      if (address.indexOf(':') < 0) {
        const start = ipv4ToNumber(address) as number;
        v4.push({ start, end: start + IPV4_HOST_BITS(bits) - 1, ref });
      } else {
        const start = ipv6ToBigInt(ipaddr.IPv6.parse(address).parts);
        v6.push({ start, end: start | ((1n << BigInt(128 - bits)) - 1n), ref });
      }
    }
    this.v4 = v4.length > 0 ? buildRanges(v4) : emptyRanges();
    this.v6 = v6.length > 0 ? buildRanges(v6) : emptyRanges();
  }

  /** A set with no entries. */
  static empty(): IntelSet {
    return new IntelSet([], []);
  }

  /**
   * Builds a set from one feed's entries (as {@link parseFeed} returns them). Entries are
   * canonicalized again, so hand-written ones work too; an entry that is not an address or a
   * network throws, naming it. A repeated entry is kept once, with its highest confidence.
   */
  static build(feed: IntelFeedInfo, entries: readonly IntelEntry[]): IntelSet {
    const info: IntelFeedInfo = { name: feed.name, snapshotDate: feed.snapshotDate };
    const refs: Ref[] = [];
    const seen = new Map<string, Ref>();
    for (const entry of entries) {
      const parsed = parseIntelEntry(entry.value, { minPrefixV4: 0, minPrefixV6: 0 });
      if (!parsed.ok) throw new TypeError(`intel feed ${feed.name}: ${JSON.stringify(entry.value)}: ${parsed.reason}`);
      const previous = seen.get(parsed.value);
      if (previous !== undefined) {
        const c = entry.confidence;
        if (c !== undefined && (previous.confidence === undefined || c > previous.confidence)) previous.confidence = c;
        continue;
      }
      const ref: Ref = { value: parsed.value, confidence: entry.confidence, feed: info, next: undefined };
      seen.set(parsed.value, ref);
      refs.push(ref);
    }
    return new IntelSet(refs, [{ ...info, entries: refs.length }]);
  }

  /** Entries in the set, summed over its feeds (an entry listed by two feeds counts twice). */
  get size(): number {
    return this.all.length;
  }

  /** The feeds the set was built from, in merge order. */
  get feeds(): readonly IntelFeedSummary[] {
    return this.feedList;
  }

  /** A new set with this set's entries and then the other's (this one's feeds come first in matches). */
  merge(other: IntelSet): IntelSet {
    if (other.all.length === 0 && other.feedList.length === 0) return this;
    if (this.all.length === 0 && this.feedList.length === 0) return other;
    return new IntelSet([...this.all, ...other.all], [...this.feedList, ...other.feedList]);
  }

  /** Merges any number of sets, in order. */
  static mergeAll(sets: readonly IntelSet[]): IntelSet {
    return sets.reduce((merged, set) => merged.merge(set), IntelSet.empty());
  }

  /**
   * The most specific entry covering an address: the address itself if listed, else the
   * smallest listed network holding it; among feeds listing the same entry, the first merged.
   * Expects canonical text from {@link normalizeIp} (as RequestEvent.clientIp is); other
   * spellings of IPv6 are normalized; anything that is not an address matches nothing.
   */
  lookup(ip: string): IntelMatch | undefined {
    const ref = this.find(ip, false)[0];
    return ref === undefined ? undefined : toMatch(ref);
  }

  /** Whether any entry covers the address. */
  has(ip: string): boolean {
    return this.find(ip, false).length > 0;
  }

  /** Every entry covering an address, from every feed: the exact entry first, then networks from the innermost. */
  lookupAll(ip: string): IntelMatch[] {
    const matches: IntelMatch[] = [];
    for (const head of this.find(ip, true)) {
      for (let ref: Ref | undefined = head; ref !== undefined; ref = ref.next) matches.push(toMatch(ref));
    }
    return matches;
  }

  private find(ip: string, all: boolean): Ref[] {
    if (typeof ip !== 'string') return [];
    if (ip.indexOf(':') < 0) {
      const exact = this.exact.get(ip);
      if (exact !== undefined && !all) return [exact];
      const found = exact === undefined ? [] : [exact];
      if (this.v4.starts.length === 0) return found;
      const value = ipv4ToNumber(ip);
      if (value === undefined) return found;
      return found.concat(findInRanges(this.v4, value, all));
    }
    const canonical = normalizeIp(ip);
    if (canonical === undefined) return [];
    if (canonical.indexOf(':') < 0) return this.find(canonical, all);
    const exact = this.exact.get(canonical);
    if (exact !== undefined && !all) return [exact];
    const found = exact === undefined ? [] : [exact];
    if (this.v6.starts.length === 0) return found;
    return found.concat(findInRanges(this.v6, ipv6ToBigInt(ipaddr.IPv6.parse(canonical).parts), all));
  }
}
