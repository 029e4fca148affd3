/**
 * A mergeable quantile sketch with relative accuracy, for non-negative values such as sizes in
 * bytes and latencies in ms: DDSketch (Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable
 * quantile sketch with relative-error guarantees", VLDB 2019).
 *
 * How it is built. Values map to integer bucket keys with the DDSketch logarithmic index mapping
 * of @datadog/sketches-js (`LogarithmicMapping`: key(x) = ⌈log_γ x⌉ with γ = (1+α)/(1−α)); every
 * bucket (γ^(k−1), γ^k] is represented by a value within relative error α of anything in it.
 * Values ≤ ~1.2e−308 (0 included) go to a separate zero bucket. The bucket counts are kept here
 * in a canonical dense store, and encoded by this module, instead of the library's store and
 * protobuf encoding, because in the installed version:
 *   - `toProto()`/`fromProto()` need `protobufjs`, which is not installed (they throw);
 *   - `fromProto()` returns a non-collapsing store (unbounded again) and loses min, max and sum;
 *   - the library store writes its padding bins too (8 bytes each), and its merge can misplace a
 *     bin whose key is 0 (`secondKey || key`), so merge results could depend on order.
 *
 * Guarantees:
 * - Accuracy: `quantile(q)` returns a value within relative error α (default 2 %) of the
 *   element of rank ⌊q·(n−1)⌋ of the sorted input (0-based), as long as that element is not in the
 *   collapsed lowest bucket (see below). quantile(0) and quantile(1) are the exact min and max.
 * - Bounded size: at most `binLimit` buckets (default 1024). When the keys span more, the lowest
 *   buckets collapse into one (DDSketch "collapsing lowest"): with α = 2 %, 1024 buckets cover a
 *   ratio of γ^1024 ≈ 10^17.7 below the largest value, so in practice only values ~10^−14 of the
 *   max and below (or sub-normal noise) lose accuracy; high quantiles never do.
 * - Mergeable exactly: merge keeps every bucket count (integers) and clamps keys below
 *   maxKey − binLimit + 1 to that floor; clamping composes, so the result is the same for any
 *   split of the input and any merge order or tree. The sum is kept exactly ({@link ExactSum}).
 *   Two sketches of the same multiset serialize to identical text. (Bucket keys come from
 *   Math.log2, which JavaScript engines need not round identically: across Node versions a value
 *   within an ulp of a bucket boundary could land in the neighbouring bucket. Accuracy and
 *   mergeability are unaffected; only byte-identity across runtimes is not promised.)
 * - Serialization: base64 of a small binary encoding (header, zero-run-length varint bucket
 *   counts, exact min/max, the exact sum's terms). Bounded by the bin limit: at most
 *   (372 + 8·binLimit) bytes, ≤ 11.4 K base64 characters at the default 1024; measured 0.2–1.5 KB
 *   for 10⁴–10⁶ values of sizes or latencies (a 1e6-value lognormal with σ = 3, spanning ~10
 *   orders of magnitude: 679 buckets, 1,508 characters). An empty sketch is 20 characters.
 */
import { LogarithmicMapping } from '@datadog/sketches-js/dist/ddsketch/mapping';

import { ByteWriter, openSketch, SketchFormatError, type ByteReader } from './binary';
import { ExactSum } from './exactSum';
import type { Distribution, ValueRun } from './robust';

/** Default relative accuracy α: quantiles within ±2 %. */
export const DEFAULT_RELATIVE_ACCURACY = 0.02;
/** Default maximum number of buckets. */
export const DEFAULT_BIN_LIMIT = 1024;
/** Largest accepted bin limit (keeps a hostile serialized text from allocating much). */
export const MAX_BIN_LIMIT = 65536;

const TAG = 0x51; // 'Q'
const VERSION = 1;

export interface QuantileSketchOptions {
  /** Relative accuracy α in (0, 0.5]; sketches merge only with the same α. Default 0.02. */
  relativeAccuracy?: number;
  /** Maximum number of buckets, 1 … 65536; merging takes the smaller. Default 1024. */
  binLimit?: number;
}

export class QuantileSketch implements Distribution {
  readonly relativeAccuracy: number;
  private limit: number;
  private readonly mapping: LogarithmicMapping;
  private zeroCount = 0;
  /** Key of bins[0]. Invariant: bins is empty, or bins[0] > 0 and bins[last] > 0. */
  private offset = 0;
  private bins: number[] = [];
  private binTotal = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = Number.NEGATIVE_INFINITY;
  private total = new ExactSum();

  private constructor(relativeAccuracy: number, binLimit: number) {
    if (!(relativeAccuracy > 0 && relativeAccuracy <= 0.5)) throw new RangeError(`relativeAccuracy must be within (0, 0.5], got ${relativeAccuracy}`);
    if (!Number.isInteger(binLimit) || binLimit < 1 || binLimit > MAX_BIN_LIMIT) throw new RangeError(`binLimit must be an integer within [1, ${MAX_BIN_LIMIT}], got ${binLimit}`);
    this.relativeAccuracy = relativeAccuracy;
    this.limit = binLimit;
    this.mapping = new LogarithmicMapping(relativeAccuracy);
  }

  /** An empty sketch. */
  static create(options: QuantileSketchOptions | number = {}): QuantileSketch {
    const o = typeof options === 'number' ? { relativeAccuracy: options } : options;
    return new QuantileSketch(o.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY, o.binLimit ?? DEFAULT_BIN_LIMIT);
  }

  /** A sketch of the given values (convenience for tests and small baselines). */
  static of(values: Iterable<number>, options?: QuantileSketchOptions | number): QuantileSketch {
    const sketch = QuantileSketch.create(options);
    for (const v of values) sketch.add(v);
    return sketch;
  }

  get binLimit(): number {
    return this.limit;
  }

  /**
   * Records `value` `weight` times.
   * @throws RangeError unless value is finite and ≥ 0 and weight is a positive safe integer.
   */
  add(value: number, weight = 1): void {
    if (!(value >= 0 && value <= Number.MAX_VALUE)) throw new RangeError(`QuantileSketch takes finite values ≥ 0, got ${value}`);
    if (!Number.isSafeInteger(weight) || weight <= 0) throw new RangeError(`weight must be a positive integer, got ${weight}`);
    if (value === 0) value = 0; // −0 → +0, so that min does not depend on order
    if (value > this.mapping.minPossible) {
      this.addToKey(this.mapping.key(value), weight);
      this.binTotal += weight;
    } else {
      this.zeroCount += weight;
    }
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
    if (weight === 1) this.total.add(value);
    else this.total.addMultiple(value, weight);
  }

  private addToKey(key: number, weight: number): void {
    const bins = this.bins;
    if (bins.length === 0) {
      this.offset = key;
      bins.push(weight);
      return;
    }
    const maxKey = this.offset + bins.length - 1;
    if (key > maxKey) {
      const floor = key - this.limit + 1;
      if (floor > this.offset) this.collapseBelow(floor);
      const target = this.bins;
      const index = key - this.offset;
      if (index < target.length) {
        // binLimit 1: everything was just collapsed onto this very key.
        target[index] = (target[index] as number) + weight;
        return;
      }
      while (target.length < index) target.push(0);
      target.push(weight);
      return;
    }
    let k = key;
    if (k < this.offset) {
      const floor = maxKey - this.limit + 1;
      if (k < floor) k = floor;
      if (k < this.offset) {
        this.bins = new Array<number>(this.offset - k).fill(0).concat(bins);
        this.offset = k;
      }
    }
    const index = k - this.offset;
    this.bins[index] = (this.bins[index] as number) + weight;
  }

  /** Moves the counts of every key below `floor` into the bucket at `floor`. */
  private collapseBelow(floor: number): void {
    const bins = this.bins;
    const cut = floor - this.offset;
    if (cut <= 0) return;
    let moved = 0;
    const upto = Math.min(cut, bins.length);
    for (let i = 0; i < upto; i++) moved += bins[i] as number;
    if (cut >= bins.length) {
      this.bins = [moved];
    } else {
      const rest = bins.slice(cut);
      rest[0] = (rest[0] as number) + moved;
      this.bins = rest;
    }
    this.offset = floor;
  }

  /**
   * Adds another sketch's contents (this becomes the sketch of both inputs). Same relative
   * accuracy required; the bin limit becomes the smaller of the two. Merging a sketch into itself
   * doubles it.
   * @throws Error when the relative accuracies differ.
   */
  merge(other: QuantileSketch): this {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new Error(`cannot merge quantile sketches of relative accuracy ${this.relativeAccuracy} and ${other.relativeAccuracy}`);
    }
    const limit = Math.min(this.limit, other.limit);
    const a = this.bins;
    const b = other.bins;
    if (a.length > 0 || b.length > 0) {
      const aMax = this.offset + a.length - 1;
      const bMax = other.offset + b.length - 1;
      const newMax = Math.max(a.length > 0 ? aMax : -Infinity, b.length > 0 ? bMax : -Infinity);
      const rawMin = Math.min(a.length > 0 ? this.offset : Infinity, b.length > 0 ? other.offset : Infinity);
      const newMin = Math.max(rawMin, newMax - limit + 1);
      const merged = new Array<number>(newMax - newMin + 1).fill(0);
      for (const [bins, offset] of [[a, this.offset], [b, other.offset]] as const) {
        for (let i = 0; i < bins.length; i++) {
          const c = bins[i] as number;
          if (c === 0) continue;
          const idx = Math.max(offset + i, newMin) - newMin;
          merged[idx] = (merged[idx] as number) + c;
        }
      }
      this.bins = merged;
      this.offset = newMin;
    }
    this.limit = limit;
    this.binTotal += other.binTotal;
    this.zeroCount += other.zeroCount;
    if (other.minValue < this.minValue) this.minValue = other.minValue;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
    this.total.addSum(other.total);
    return this;
  }

  /** Number of values recorded (sum of weights). */
  get count(): number {
    return this.zeroCount + this.binTotal;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** Number of values in the zero bucket (0 and values ≤ ~1.2e−308). */
  get zeros(): number {
    return this.zeroCount;
  }

  /** Exact smallest value recorded; NaN when empty. */
  get min(): number {
    return this.count === 0 ? Number.NaN : this.minValue;
  }

  /** Exact largest value recorded; NaN when empty. */
  get max(): number {
    return this.count === 0 ? Number.NaN : this.maxValue;
  }

  /** Sum of the values recorded (weighted), correctly rounded; 0 when empty. */
  get sum(): number {
    return this.total.value;
  }

  /** Number of buckets currently held (≤ binLimit). */
  get bucketCount(): number {
    return this.bins.length;
  }

  private clamp(value: number): number {
    return value < this.minValue ? this.minValue : value > this.maxValue ? this.maxValue : value;
  }

  /**
   * Approximate q-quantile: the element of rank ⌊q·(n−1)⌋ within relative accuracy (see the
   * module comment). NaN when empty; q = 0 and q = 1 give the exact min and max.
   * @throws RangeError when q is outside [0, 1].
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile level must be within [0, 1], got ${q}`);
    const n = this.count;
    if (n === 0) return Number.NaN;
    if (q === 0) return this.minValue;
    if (q === 1) return this.maxValue;
    const rank = Math.floor(q * (n - 1));
    if (rank < this.zeroCount) return this.clamp(0);
    let seen = this.zeroCount;
    const bins = this.bins;
    for (let i = 0; i < bins.length; i++) {
      seen += bins[i] as number;
      if (seen > rank) return this.clamp(this.mapping.value(this.offset + i));
    }
    return this.maxValue;
  }

  /**
   * Approximate fraction of recorded values ≤ `value` (the empirical CDF, bucket resolution:
   * values in the same bucket as `value` count as ≤). NaN when empty.
   */
  cdf(value: number): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    if (value >= this.maxValue) return 1;
    if (value < this.minValue) return 0;
    let below = this.zeroCount;
    if (value > this.mapping.minPossible) {
      const last = Math.min(this.mapping.key(value) - this.offset, this.bins.length - 1);
      for (let i = 0; i <= last; i++) below += this.bins[i] as number;
    }
    return below / n;
  }

  /**
   * The sketch's contents as ascending (value, count) runs: the zero bucket as value 0 (or the
   * min, if larger), then one run per non-empty bucket at its representative value (clamped to
   * [min, max]). With `integers`, a bucket that holds exactly one integer reports that integer,
   * which makes small integer values (below ~1/α) exact — used for counts.
   */
  runs(integers = false): ValueRun[] {
    const runs: ValueRun[] = [];
    if (this.zeroCount > 0) runs.push({ value: this.clamp(0), count: this.zeroCount });
    for (let i = 0; i < this.bins.length; i++) {
      const count = this.bins[i] as number;
      if (count === 0) continue;
      const key = this.offset + i;
      const approx = this.mapping.value(key);
      const value = integers ? this.onlyIntegerIn(key, approx) : approx;
      runs.push({ value: this.clamp(value), count });
    }
    return runs;
  }

  /** The unique integer in bucket `key`, if there is exactly one; else `approx`. */
  private onlyIntegerIn(key: number, approx: number): number {
    const m = this.mapping;
    const inBucket = (x: number): boolean => x > m.minPossible && m.key(x) === key;
    const lo = Math.floor(approx);
    const hi = lo + 1;
    const loIn = lo >= 1 && inBucket(lo);
    const hiIn = inBucket(hi);
    if (loIn && !hiIn && !inBucket(lo - 1)) return lo;
    if (hiIn && !loIn && !inBucket(hi + 1)) return hi;
    return approx;
  }

  clone(): QuantileSketch {
    const copy = new QuantileSketch(this.relativeAccuracy, this.limit);
    copy.zeroCount = this.zeroCount;
    copy.offset = this.offset;
    copy.bins = this.bins.slice();
    copy.binTotal = this.binTotal;
    copy.minValue = this.minValue;
    copy.maxValue = this.maxValue;
    copy.total = this.total.clone();
    return copy;
  }

  /** Writes the sketch body (no tag/version) — shared with CountHistogram. */
  writeTo(w: ByteWriter): void {
    w.float64(this.relativeAccuracy);
    w.uint(this.limit);
    w.uint(this.zeroCount);
    const bins = this.bins;
    w.uint(bins.length);
    if (bins.length > 0) {
      w.int(this.offset);
      let i = 0;
      while (i < bins.length) {
        const c = bins[i] as number;
        if (c !== 0) {
          w.uint(c);
          i++;
          continue;
        }
        let run = 0;
        while (i < bins.length && bins[i] === 0) {
          run++;
          i++;
        }
        w.uint(0);
        w.uint(run);
      }
    }
    if (this.count > 0) {
      w.float64(this.minValue);
      w.float64(this.maxValue);
    }
    const terms = this.total.terms();
    w.uint(terms.length);
    for (const t of terms) w.float64(t);
  }

  /** Reads a body written by {@link writeTo}, validating it. */
  static readFrom(r: ByteReader): QuantileSketch {
    const alpha = r.float64('relative accuracy');
    const limit = r.uint('bin limit');
    let sketch: QuantileSketch;
    try {
      sketch = new QuantileSketch(alpha, limit);
    } catch (error) {
      throw new SketchFormatError(`quantile sketch: ${(error as Error).message}`);
    }
    sketch.zeroCount = r.uint('zero count');
    const length = r.uint('bucket count');
    if (length > limit) throw new SketchFormatError(`quantile sketch: ${length} buckets exceed the limit ${limit}`);
    if (length > 0) {
      sketch.offset = r.int('bucket offset');
      const bins = new Array<number>(length);
      let i = 0;
      let total = 0;
      while (i < length) {
        const c = r.uint('bucket count');
        if (c !== 0) {
          bins[i++] = c;
          total += c;
          continue;
        }
        const run = r.uint('zero run');
        if (run === 0 || i + run > length) throw new SketchFormatError('quantile sketch: bad zero run');
        for (let j = 0; j < run; j++) bins[i++] = 0;
      }
      if (bins[0] === 0 || bins[length - 1] === 0) throw new SketchFormatError('quantile sketch: buckets not trimmed');
      if (!Number.isSafeInteger(total)) throw new SketchFormatError('quantile sketch: count overflow');
      sketch.bins = bins;
      sketch.binTotal = total;
    }
    if (sketch.count > 0) {
      const min = r.float64('min');
      const max = r.float64('max');
      if (!(min >= 0 && min <= max && max <= Number.MAX_VALUE)) throw new SketchFormatError('quantile sketch: bad min/max');
      sketch.minValue = min;
      sketch.maxValue = max;
    }
    const termCount = r.uint('sum terms');
    if (termCount > 64) throw new SketchFormatError('quantile sketch: too many sum terms');
    const terms: number[] = [];
    for (let i = 0; i < termCount; i++) {
      const t = r.float64('sum term');
      if (!Number.isFinite(t)) throw new SketchFormatError('quantile sketch: bad sum');
      terms.push(t);
    }
    sketch.total = ExactSum.fromTerms(terms);
    return sketch;
  }

  /** Compact base64 text; {@link deserialize} restores an identical sketch. */
  serialize(): string {
    const w = new ByteWriter();
    w.byte(TAG);
    w.byte(VERSION);
    this.writeTo(w);
    return w.toBase64();
  }

  /** @throws SketchFormatError when the text is not a serialized QuantileSketch. */
  static deserialize(text: string): QuantileSketch {
    const r = openSketch(text, TAG, VERSION, 'quantile sketch');
    const sketch = QuantileSketch.readFrom(r);
    r.end();
    return sketch;
  }
}
