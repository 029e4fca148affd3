/**
 * A mergeable distinct-value counter for strings (parameter values, endpoint keys, IPs): exact up
 * to a capacity k, an estimate above it.
 *
 * It keeps the k smallest distinct 53-bit hashes seen (a "KMV", k-minimum-values sketch; Bar-Yossef
 * et al. 2002, Beyer et al. 2007):
 * - while at most k distinct hashes have been seen it holds all of them, and the count is exact
 *   (up to 53-bit hash collisions: for n values the chance of any is about n²/2^54, ≈ 4e−12 at
 *   n = 256);
 * - past k, with h₍ₖ₎ the k-th smallest hash scaled to (0, 1], the estimate is (k − 1) / h₍ₖ₎,
 *   which is unbiased with a relative standard error of about 1/√(k − 2): 6.3 % at k = 256,
 *   so ±19 % at three standard errors.
 *
 * Merge is set union: the k smallest hashes of A ∪ B are among the k smallest of A and of B, so
 * merging gives exactly the counter of the union, whatever the split or merge order (capacities
 * may differ: the result uses the smaller). It also keeps a few raw values as evidence for an
 * alert: the ones with the smallest hashes among values added with {@link DistinctCounter.add}
 * (deterministic, so also merge-independent; a fair random sample of the distinct values).
 *
 * Size: k hashes delta-encoded (≤ 7 bytes each when full, fewer as n grows) plus the samples,
 * bounded by about (16 + 8·k + samples·(12 + 3·maxSampleLength))·4/3 base64 characters: ≤ 5.4 K
 * at the defaults (k = 256, 5 samples of ≤ 128 chars). Measured: 188 characters for 10 values,
 * ~2.5 K at 256 values, ~1.8–2.4 K estimating 10³–10⁶ values (short ASCII samples).
 */
import { ByteWriter, openSketch, SketchFormatError } from './binary';
import { HASH_RANGE, hashString } from './hash';

/** Default capacity k: exact up to 256 distinct values, ±6.3 % (one standard error) beyond. */
export const DEFAULT_DISTINCT_CAPACITY = 256;
/** Default number of raw values kept as evidence. */
export const DEFAULT_SAMPLE_COUNT = 5;
/** Default maximum length (UTF-16 code units) of a kept sample value; longer values are cut. */
export const DEFAULT_MAX_SAMPLE_LENGTH = 128;
/** Largest accepted capacity. */
export const MAX_DISTINCT_CAPACITY = 65536;

const TAG = 0x44; // 'D'
const VERSION = 1;

export interface DistinctCounterOptions {
  /** k: exact up to this many distinct values, 3 … 65536. Default 256. */
  capacity?: number;
  /** Raw values kept as evidence, 0 … capacity. Default 5. */
  samples?: number;
  /** Samples longer than this (UTF-16 code units) are cut; 1 … 4096. Default 128. */
  maxSampleLength?: number;
}

interface Sample {
  hash: number;
  value: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Cuts a sample to `max` code units and replaces lone surrogates so that UTF-8 round-trips. */
function sampleText(value: string, max: number): string {
  const cut = value.length > max ? value.slice(0, max) : value;
  return cut.replace(LONE_SURROGATE, '\uFFFD');
}

function compareSamples(a: Sample, b: Sample): number {
  return a.hash - b.hash || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

/** Index of the first element ≥ h in an ascending array. */
function lowerBound(sorted: readonly number[], h: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < h) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class DistinctCounter {
  private k: number;
  private sampleLimit: number;
  private maxSampleLength: number;
  /** Ascending, distinct, at most k. */
  private hashes: number[] = [];
  /** True once a hash was dropped: more than k distinct hashes exist. Then hashes.length === k. */
  private saturated = false;
  /** Ascending by (hash, value), distinct hashes, at most sampleLimit. */
  private kept: Sample[] = [];

  private constructor(capacity: number, samples: number, maxSampleLength: number) {
    if (!Number.isInteger(capacity) || capacity < 3 || capacity > MAX_DISTINCT_CAPACITY) {
      throw new RangeError(`capacity must be an integer within [3, ${MAX_DISTINCT_CAPACITY}], got ${capacity}`);
    }
    if (!Number.isInteger(samples) || samples < 0 || samples > capacity) throw new RangeError(`samples must be an integer within [0, capacity], got ${samples}`);
    if (!Number.isInteger(maxSampleLength) || maxSampleLength < 1 || maxSampleLength > 4096) {
      throw new RangeError(`maxSampleLength must be an integer within [1, 4096], got ${maxSampleLength}`);
    }
    this.k = capacity;
    this.sampleLimit = samples;
    this.maxSampleLength = maxSampleLength;
  }

  static create(options: DistinctCounterOptions = {}): DistinctCounter {
    return new DistinctCounter(
      options.capacity ?? DEFAULT_DISTINCT_CAPACITY,
      options.samples ?? DEFAULT_SAMPLE_COUNT,
      options.maxSampleLength ?? DEFAULT_MAX_SAMPLE_LENGTH,
    );
  }

  /** A counter of the given values (convenience). */
  static of(values: Iterable<string>, options?: DistinctCounterOptions): DistinctCounter {
    const counter = DistinctCounter.create(options);
    for (const v of values) counter.add(v);
    return counter;
  }

  /** k: the counter is exact up to this many distinct values. */
  get capacity(): number {
    return this.k;
  }

  /** Counts `value` (hashing it with {@link hashString}) and considers it as a sample. */
  add(value: string): void {
    const h = hashString(value);
    this.addHash(h);
    if (this.sampleLimit > 0) {
      const kept = this.kept;
      const last = kept[kept.length - 1];
      if (kept.length < this.sampleLimit || (last !== undefined && h <= last.hash)) {
        this.offerSample({ hash: h, value: sampleText(value, this.maxSampleLength) });
      }
    }
  }

  private offerSample(sample: Sample): void {
    const kept = this.kept;
    let i = 0;
    while (i < kept.length && compareSamples(kept[i] as Sample, sample) < 0) i++;
    const at = kept[i];
    if (at !== undefined && at.hash === sample.hash) {
      // Same hash: keep the smaller value, deterministically.
      if (sample.value < at.value) kept[i] = sample;
      return;
    }
    const before = kept[i - 1];
    if (before !== undefined && before.hash === sample.hash) return;
    kept.splice(i, 0, sample);
    if (kept.length > this.sampleLimit) kept.pop();
  }

  /**
   * Counts a value by its hash (from {@link hashString}, or any uniform integer in [0, 2^53)),
   * e.g. when one hash feeds several counters. No sample is kept.
   * @throws RangeError when h is not an integer in [0, 2^53).
   */
  addHash(h: number): void {
    if (!(h >= 0 && h < HASH_RANGE) || !Number.isInteger(h)) throw new RangeError(`hash must be an integer in [0, 2^53), got ${h}`);
    const hashes = this.hashes;
    const n = hashes.length;
    // Fast path once full: most hashes are larger than the k-th smallest and change nothing.
    if (n === this.k && h > (hashes[n - 1] as number)) {
      this.saturated = true;
      return;
    }
    const i = lowerBound(hashes, h);
    if (hashes[i] === h) return;
    hashes.splice(i, 0, h);
    if (hashes.length > this.k) {
      hashes.pop();
      this.saturated = true;
    }
  }

  /**
   * Makes this the counter of the union of both inputs. Capacity, sample count and sample length
   * become the smaller of the two. Returns this.
   */
  merge(other: DistinctCounter): this {
    const k = Math.min(this.k, other.k);
    const a = this.hashes;
    const b = other.hashes;
    const union: number[] = [];
    let i = 0;
    let j = 0;
    while (union.length <= k && (i < a.length || j < b.length)) {
      const x = i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY;
      const y = j < b.length ? (b[j] as number) : Number.POSITIVE_INFINITY;
      if (x < y) {
        union.push(x);
        i++;
      } else if (y < x) {
        union.push(y);
        j++;
      } else {
        union.push(x);
        i++;
        j++;
      }
    }
    let saturated = this.saturated || other.saturated || i < a.length || j < b.length;
    if (union.length > k) {
      union.length = k;
      saturated = true;
    }
    this.k = k;
    this.hashes = union;
    this.saturated = saturated;

    const sampleLimit = Math.min(this.sampleLimit, other.sampleLimit);
    const maxLength = Math.min(this.maxSampleLength, other.maxSampleLength);
    const incoming = other.kept.slice();
    this.sampleLimit = sampleLimit;
    if (maxLength < this.maxSampleLength) {
      this.kept = this.kept.map((s) => ({ hash: s.hash, value: sampleText(s.value, maxLength) }));
    }
    this.maxSampleLength = maxLength;
    this.kept = this.kept.slice(0, sampleLimit);
    for (const s of incoming) this.offerSample({ hash: s.hash, value: sampleText(s.value, maxLength) });
    return this;
  }

  /** True while the count is exact: no more than `capacity` distinct values were ever added. */
  isExact(): boolean {
    return !this.saturated;
  }

  /** Number of distinct values: exact when {@link isExact}, else the KMV estimate (k−1)/h₍ₖ₎. */
  estimate(): number {
    if (!this.saturated) return this.hashes.length;
    const kth = this.hashes[this.k - 1] as number;
    return ((this.k - 1) * HASH_RANGE) / (kth + 1);
  }

  /** Relative standard error of {@link estimate}: 0 when exact, else 1/√(k−2). */
  relativeError(): number {
    return this.saturated ? 1 / Math.sqrt(this.k - 2) : 0;
  }

  /** The kept raw values, in ascending hash order (at most `samples`, cut to `maxSampleLength`). */
  samples(): string[] {
    return this.kept.map((s) => s.value);
  }

  clone(): DistinctCounter {
    const copy = new DistinctCounter(this.k, this.sampleLimit, this.maxSampleLength);
    copy.hashes = this.hashes.slice();
    copy.saturated = this.saturated;
    copy.kept = this.kept.slice();
    return copy;
  }

  /** Compact base64 text; {@link deserialize} restores an identical counter. */
  serialize(): string {
    const w = new ByteWriter();
    w.byte(TAG);
    w.byte(VERSION);
    w.uint(this.k);
    w.uint(this.sampleLimit);
    w.uint(this.maxSampleLength);
    w.byte(this.saturated ? 1 : 0);
    w.uint(this.hashes.length);
    let previous = -1;
    for (const h of this.hashes) {
      w.uint(h - previous - 1);
      previous = h;
    }
    w.uint(this.kept.length);
    for (const s of this.kept) {
      w.uint(s.hash);
      w.string(s.value);
    }
    return w.toBase64();
  }

  /** @throws SketchFormatError when the text is not a serialized DistinctCounter. */
  static deserialize(text: string): DistinctCounter {
    const r = openSketch(text, TAG, VERSION, 'distinct counter');
    const capacity = r.uint('capacity');
    const sampleLimit = r.uint('sample count');
    const maxLength = r.uint('sample length');
    let counter: DistinctCounter;
    try {
      counter = new DistinctCounter(capacity, sampleLimit, maxLength);
    } catch (error) {
      throw new SketchFormatError(`distinct counter: ${(error as Error).message}`);
    }
    const flag = r.byte('flags');
    if (flag > 1) throw new SketchFormatError('distinct counter: bad flags');
    counter.saturated = flag === 1;
    const n = r.uint('hash count');
    if (n > capacity || (counter.saturated && n !== capacity)) throw new SketchFormatError(`distinct counter: ${n} hashes for capacity ${capacity}`);
    let previous = -1;
    for (let i = 0; i < n; i++) {
      const h = previous + 1 + r.uint('hash');
      if (h >= HASH_RANGE) throw new SketchFormatError('distinct counter: hash out of range');
      counter.hashes.push(h);
      previous = h;
    }
    const sampleCount = r.uint('sample count');
    if (sampleCount > sampleLimit) throw new SketchFormatError('distinct counter: too many samples');
    for (let i = 0; i < sampleCount; i++) {
      const hash = r.uint('sample hash');
      const value = r.string('sample');
      const sample = { hash, value };
      const before = counter.kept[i - 1];
      if (hash >= HASH_RANGE || value.length > maxLength || (before !== undefined && before.hash >= hash)) {
        throw new SketchFormatError('distinct counter: bad sample');
      }
      counter.kept.push(sample);
    }
    r.end();
    return counter;
  }
}
