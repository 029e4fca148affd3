/**
 * The distribution of a key's per-window counts over a baseline period (e.g. requests from one
 * IP to one endpoint in each 20-minute window of 30 days = 2,160 windows), stored compactly:
 * the number of windows, the number of empty (zero) windows, and a {@link QuantileSketch} of the
 * non-zero counts. Most (IP, endpoint) keys are idle in most windows, so this is far smaller than
 * a list of 2,160 numbers, and it merges across partitions and days.
 *
 * Counts are integers, so the sketch's buckets are read back as integers where a bucket holds a
 * single integer: every count below ~1/α (≈ 25 at α = 2 %) is exact, larger ones are within α.
 * `quantile()` then interpolates like {@link quantile} in robust.ts (type 7), so a small-count
 * baseline gives the same numbers as the raw per-window array would.
 *
 * Use it directly as the `values` of {@link robustThreshold} (it is a {@link Distribution}).
 */
import { ByteWriter, openSketch, SketchFormatError } from './binary';
import { QuantileSketch, type QuantileSketchOptions } from './quantileSketch';
import { quantileOfRuns, type Distribution, type ValueRun } from './robust';

const TAG = 0x43; // 'C'
const VERSION = 1;

export class CountHistogram implements Distribution {
  private constructor(private readonly sketch: QuantileSketch) {}

  /** An empty histogram; options are those of the inner {@link QuantileSketch}. */
  static create(options: QuantileSketchOptions = {}): CountHistogram {
    return new CountHistogram(QuantileSketch.create(options));
  }

  /** A histogram of the given per-window counts (convenience). */
  static of(counts: Iterable<number>, options?: QuantileSketchOptions): CountHistogram {
    const histogram = CountHistogram.create(options);
    for (const c of counts) histogram.add(c);
    return histogram;
  }

  /**
   * Records `windows` windows (default 1) that each had `count` events.
   * @throws RangeError unless count is a non-negative safe integer and windows a positive one.
   */
  add(count: number, windows = 1): void {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`window count must be a non-negative integer, got ${count}`);
    this.sketch.add(count, windows);
  }

  /** Records `windows` empty windows (no-op for 0). */
  addEmptyWindows(windows: number): void {
    if (windows === 0) return;
    this.sketch.add(0, windows);
  }

  /**
   * Fills up with empty windows until `totalWindows` are recorded (no-op if already there): for
   * a baseline built only from the windows where a key appeared, once the period's length is
   * known. Do it once, on the final merged histogram, not on partials.
   */
  padToWindows(totalWindows: number): void {
    const missing = totalWindows - this.windows;
    if (missing > 0) this.addEmptyWindows(missing);
  }

  /** Makes this the histogram of both inputs. Returns this. */
  merge(other: CountHistogram): this {
    this.sketch.merge(other.sketch);
    return this;
  }

  /** Number of windows recorded. */
  get windows(): number {
    return this.sketch.count;
  }

  /** Number of windows with a count of 0. */
  get emptyWindows(): number {
    return this.sketch.zeros;
  }

  /** Number of windows with a non-zero count. */
  get activeWindows(): number {
    return this.sketch.count - this.sketch.zeros;
  }

  /** Total of all counts (exact). */
  get total(): number {
    return this.sketch.sum;
  }

  /** Largest count (exact); NaN when no windows. */
  get max(): number {
    return this.sketch.max;
  }

  /** Mean count per window; NaN when no windows. */
  get mean(): number {
    const n = this.windows;
    return n === 0 ? Number.NaN : this.sketch.sum / n;
  }

  /** Type-7 interpolated q-quantile of the per-window counts (see the module comment); NaN when empty. */
  quantile(q: number): number {
    return quantileOfRuns(this.runs(), q);
  }

  /** Ascending (count, windows) runs; small counts exact. */
  runs(): ValueRun[] {
    return this.sketch.runs(true);
  }

  /** A copy of the sketch of all window counts (zeros included). */
  toQuantileSketch(): QuantileSketch {
    return this.sketch.clone();
  }

  clone(): CountHistogram {
    return new CountHistogram(this.sketch.clone());
  }

  serialize(): string {
    const w = new ByteWriter();
    w.byte(TAG);
    w.byte(VERSION);
    this.sketch.writeTo(w);
    return w.toBase64();
  }

  /** @throws SketchFormatError when the text is not a serialized CountHistogram. */
  static deserialize(text: string): CountHistogram {
    const r = openSketch(text, TAG, VERSION, 'count histogram');
    const sketch = QuantileSketch.readFrom(r);
    r.end();
    if (sketch.count > 0 && !Number.isInteger(sketch.max)) throw new SketchFormatError('count histogram: non-integer count');
    return new CountHistogram(sketch);
  }
}
