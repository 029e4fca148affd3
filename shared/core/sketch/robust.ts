/**
 * Robust statistics for baselines built from per-window values (for example 30 days × 72
 * twenty-minute windows of request counts, or the sizes and latencies a key has shown).
 *
 * Everything here works on small in-memory inputs: a plain array of numbers, or a
 * {@link Distribution} — a list of (value, count) runs such as a QuantileSketch or a
 * CountHistogram produces — so that a baseline stored as a compact sketch is scored the same
 * way as one kept as raw values.
 *
 * Quantiles use linear interpolation between order statistics (Hyndman & Fan type 7, the
 * default of R, NumPy and Excel's PERCENTILE.INC): for n sorted values x₀…xₙ₋₁ the q-quantile
 * is at position h = (n−1)·q, i.e. x⌊h⌋ + (h−⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋).
 */

/** `count` copies of `value`. Counts are positive; runs of a distribution are sorted by value. */
export interface ValueRun {
  value: number;
  count: number;
}

/** Anything that can list its values as ascending runs (QuantileSketch, CountHistogram). */
export interface Distribution {
  runs(): ValueRun[];
}

/**
 * Factor that makes the MAD a consistent estimator of the standard deviation for normally
 * distributed data (1 / Φ⁻¹(3/4) ≈ 1.4826). With it, "median + 3.5·MAD" reads as "3.5 sigma".
 */
export const MAD_NORMAL_SCALE = 1.4826;

function checkQ(q: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile level must be within [0, 1], got ${q}`);
}

/**
 * Linearly interpolated q-quantile (type 7) of values already sorted ascending. The order is
 * trusted, not checked. Empty input gives NaN; one value gives that value for every q.
 * @throws RangeError when q is outside [0, 1].
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  checkQ(q);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  if (lo + 1 >= n) return a;
  const b = sorted[lo + 1] as number;
  return a + (h - lo) * (b - a);
}

/** Total count of a list of runs. */
export function runsCount(runs: readonly ValueRun[]): number {
  let n = 0;
  for (const r of runs) n += r.count;
  return n;
}

/**
 * The same type-7 quantile as {@link quantile}, over runs sorted ascending by value: equal to
 * quantile() of the array in which every run is expanded to `count` copies (counts are meant to
 * be integers; fractional counts are accepted and act as weights on positions). Empty → NaN.
 */
export function quantileOfRuns(runs: readonly ValueRun[], q: number): number {
  checkQ(q);
  const n = runsCount(runs);
  if (runs.length === 0 || n <= 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  // Find the runs holding positions lo and lo + 1 (0-based in the expanded array).
  let seen = 0;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as ValueRun;
    seen += run.count;
    if (seen > lo) {
      if (seen > lo + 1 || h === lo) return run.value;
      // Position lo + 1 is the first element of the next non-empty run.
      for (let j = i + 1; j < runs.length; j++) {
        const next = runs[j] as ValueRun;
        if (next.count > 0) return run.value + (h - lo) * (next.value - run.value);
      }
      return run.value;
    }
  }
  return (runs[runs.length - 1] as ValueRun).value;
}

/** Ascending copy of the values, as a Float64Array (numeric sort). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Median (type-7 quantile 0.5) of unsorted values; NaN when empty. */
export function median(values: ArrayLike<number>): number {
  return quantile(sortedCopy(values), 0.5);
}

export interface MadOptions {
  /**
   * Multiply the raw MAD by a factor: `true` for {@link MAD_NORMAL_SCALE} (1.4826, a standard
   * deviation estimate for normal data), or a number. Default: unscaled.
   */
  scale?: boolean | number;
  /** Centre to measure deviations from; default the median of the values. */
  center?: number;
}

function madScale(scale: boolean | number | undefined): number {
  if (scale === undefined || scale === false) return 1;
  if (scale === true) return MAD_NORMAL_SCALE;
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new RangeError(`MAD scale must be a non-negative finite number, got ${scale}`);
  return scale;
}

/**
 * Median absolute deviation: median(|xᵢ − median(x)|), optionally scaled. NaN when empty;
 * 0 for one value, for all-equal values, and whenever more than half of the values are equal —
 * a baseline threshold must therefore never rely on MAD alone (see {@link robustThreshold}).
 */
export function mad(values: ArrayLike<number>, options: MadOptions = {}): number {
  const sorted = sortedCopy(values);
  if (sorted.length === 0) return Number.NaN;
  const center = options.center ?? quantile(sorted, 0.5);
  const deviations = new Float64Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) deviations[i] = Math.abs((sorted[i] as number) - center);
  deviations.sort();
  return quantile(deviations, 0.5) * madScale(options.scale);
}

/** Median of runs sorted ascending by value; NaN when empty. */
export function medianOfRuns(runs: readonly ValueRun[]): number {
  return quantileOfRuns(runs, 0.5);
}

/** MAD of runs sorted ascending by value (same definition as {@link mad}); NaN when empty. */
export function madOfRuns(runs: readonly ValueRun[], options: MadOptions = {}): number {
  if (runsCount(runs) <= 0) return Number.NaN;
  const center = options.center ?? quantileOfRuns(runs, 0.5);
  const deviations = runs
    .filter((r) => r.count > 0)
    .map((r) => ({ value: Math.abs(r.value - center), count: r.count }))
    .sort((a, b) => a.value - b.value);
  return quantileOfRuns(deviations, 0.5) * madScale(options.scale);
}

/** Default settings of {@link robustThreshold}; each is documented on {@link RobustThresholdOptions}. */
export const ROBUST_THRESHOLD_DEFAULTS = {
  q: 0.99,
  madMultiplier: 3.5,
  relativeFloor: 1.5,
  absoluteFloor: 0,
  logSpace: false,
  minValues: 1,
} as const;

export interface RobustThresholdOptions {
  /**
   * The baseline: raw per-window values (any order), or a {@link Distribution} such as a
   * QuantileSketch or CountHistogram. Values must be finite; with `logSpace`, also ≥ 0.
   */
  values: ArrayLike<number> | Distribution;
  /**
   * Quantile level of the baseline used for the relative floor, in [0, 1]. Default 0.99: a new
   * value must exceed the baseline's own p99 (times `relativeFloor`).
   */
  q?: number;
  /**
   * How many scaled MADs (≈ standard deviations, see {@link MAD_NORMAL_SCALE}) above the median
   * a value must lie, ≥ 0. Default 3.5, the usual cut-off for the modified z-score
   * (Iglewicz & Hoaglin). Computed in log1p space when `logSpace`.
   */
  madMultiplier?: number;
  /**
   * Factor applied to the q-quantile (in the values' own units), ≥ 0. Default 1.5: a value must
   * exceed 1.5 × p99. Keeps a tight, low-variance baseline from flagging ordinary growth.
   */
  relativeFloor?: number;
  /**
   * Absolute lower bound of the threshold, in the values' units (requests, bytes, ms). Default 0.
   * This is what carries the threshold when the baseline is all zeros or all equal (MAD 0), so
   * detectors should set it (e.g. "at least 50 requests in a window").
   */
  absoluteFloor?: number;
  /**
   * Work in log1p space for the median/MAD bound: for sizes and latencies, whose spread is
   * multiplicative. The quantile bound and floors stay in original units. Default false.
   */
  logSpace?: boolean;
  /**
   * Fewer baseline values than this (total count for a distribution) gives an infinite threshold
   * (binding 'insufficient'): nothing is anomalous without history. Default 1.
   */
  minValues?: number;
}

/** Which term set the threshold. */
export type ThresholdBinding = 'mad' | 'quantile' | 'absolute' | 'insufficient';

/** A threshold and the baseline figures behind it, for the alert's extended properties. */
export interface RobustThreshold {
  /** A new observation is anomalous when it is strictly greater than this. */
  threshold: number;
  binding: ThresholdBinding;
  /** Number of baseline values (total count for a distribution). */
  n: number;
  /** Median of the baseline, original units (NaN when empty). */
  median: number;
  /** Scaled MAD (×1.4826), in the space used: log1p units when `logSpace`, else original units. */
  mad: number;
  /** The bound from the median/MAD term, original units: f⁻¹(f(median) + k·MAD). */
  madBound: number;
  /** The baseline's q-quantile, original units. */
  quantile: number;
  /** quantile × relativeFloor. */
  quantileBound: number;
  absoluteFloor: number;
  q: number;
  madMultiplier: number;
  relativeFloor: number;
  logSpace: boolean;
}

function isDistribution(values: ArrayLike<number> | Distribution): values is Distribution {
  return typeof (values as Partial<Distribution>).runs === 'function';
}

function checkFinite(value: number, name: string, min: number): void {
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be a finite number ≥ ${min}, got ${value}`);
}

/**
 * The threshold above which a new observation is anomalous, against a baseline:
 *
 *     threshold = max( f⁻¹(median_f + madMultiplier · 1.4826 · MAD_f),   // "k sigma" in f space
 *                      quantile(values, q) · relativeFloor,
 *                      absoluteFloor )
 *
 * where f = log1p when `logSpace` (sizes, latencies), else identity, and median_f/MAD_f are
 * computed on f(values).
 *
 * Edge cases:
 * - fewer than `minValues` values (including none): threshold +Infinity, binding 'insufficient';
 * - one value, all-equal values, or more than half equal (MAD = 0): the MAD bound collapses to
 *   the median, so `relativeFloor` and `absoluteFloor` carry the threshold;
 * - an all-zero baseline (typical for per-IP counts): only `absoluteFloor` is left, so a
 *   threshold of 0 (the default floor) would flag any non-zero value — set the floor;
 * - ties between terms bind in the order mad, quantile, absolute.
 *
 * @throws RangeError for non-finite values, negative values with `logSpace`, or options outside
 * their documented ranges.
 */
export function robustThreshold(options: RobustThresholdOptions): RobustThreshold {
  const q = options.q ?? ROBUST_THRESHOLD_DEFAULTS.q;
  const madMultiplier = options.madMultiplier ?? ROBUST_THRESHOLD_DEFAULTS.madMultiplier;
  const relativeFloor = options.relativeFloor ?? ROBUST_THRESHOLD_DEFAULTS.relativeFloor;
  const absoluteFloor = options.absoluteFloor ?? ROBUST_THRESHOLD_DEFAULTS.absoluteFloor;
  const logSpace = options.logSpace ?? ROBUST_THRESHOLD_DEFAULTS.logSpace;
  const minValues = options.minValues ?? ROBUST_THRESHOLD_DEFAULTS.minValues;
  checkQ(q);
  checkFinite(madMultiplier, 'madMultiplier', 0);
  checkFinite(relativeFloor, 'relativeFloor', 0);
  checkFinite(absoluteFloor, 'absoluteFloor', Number.NEGATIVE_INFINITY);
  checkFinite(minValues, 'minValues', 0);

  // Work on ascending runs in both cases (a plain array is runs of count 1).
  let runs: ValueRun[];
  if (isDistribution(options.values)) {
    runs = options.values.runs().filter((r) => r.count > 0);
  } else {
    runs = Array.from(sortedCopy(options.values), (value) => ({ value, count: 1 }));
  }
  for (const r of runs) {
    if (!Number.isFinite(r.value)) throw new RangeError(`baseline values must be finite, got ${r.value}`);
    if (logSpace && r.value < 0) throw new RangeError(`baseline values must be ≥ 0 in log space, got ${r.value}`);
    if (!(r.count > 0) || !Number.isFinite(r.count)) throw new RangeError(`run counts must be positive and finite, got ${r.count}`);
  }
  const n = runsCount(runs);
  const base = { q, madMultiplier, relativeFloor, absoluteFloor, logSpace, n };

  if (n === 0 || n < minValues) {
    const median = n === 0 ? Number.NaN : quantileOfRuns(runs, 0.5);
    return {
      ...base,
      threshold: Number.POSITIVE_INFINITY,
      binding: 'insufficient',
      median,
      mad: Number.NaN,
      madBound: Number.NaN,
      quantile: n === 0 ? Number.NaN : quantileOfRuns(runs, q),
      quantileBound: Number.NaN,
    };
  }

  const working = logSpace ? runs.map((r) => ({ value: Math.log1p(r.value), count: r.count })) : runs;
  const center = quantileOfRuns(working, 0.5);
  const spread = madOfRuns(working, { center, scale: true });
  const upper = center + madMultiplier * spread;
  const madBound = logSpace ? Math.expm1(upper) : upper;
  const q_ = quantileOfRuns(runs, q);
  const quantileBound = q_ * relativeFloor;

  let threshold = madBound;
  let binding: ThresholdBinding = 'mad';
  if (quantileBound > threshold) {
    threshold = quantileBound;
    binding = 'quantile';
  }
  if (absoluteFloor > threshold) {
    threshold = absoluteFloor;
    binding = 'absolute';
  }
  return { ...base, threshold, binding, median: quantileOfRuns(runs, 0.5), mad: spread, madBound, quantile: q_, quantileBound };
}

/**
 * How far past the baseline an observation is, in units of the threshold's distance from the
 * median, measured in the same space as the threshold (log1p when `logSpace`):
 * (f(observed) − f(median)) / (f(threshold) − f(median)). It is 1 at the threshold, above 1 for
 * anomalous values and ≤ 0 at or below the median. When the threshold is infinite the score is 0;
 * when it equals the median (nothing to scale by) the score is +Infinity above it and 0 otherwise.
 */
export function robustScore(observed: number, baseline: RobustThreshold): number {
  if (!Number.isFinite(baseline.threshold)) return 0;
  const f = baseline.logSpace ? Math.log1p : (x: number) => x;
  const distance = f(baseline.threshold) - f(baseline.median);
  if (!(distance > 0)) return observed > baseline.threshold ? Number.POSITIVE_INFINITY : 0;
  return (f(observed) - f(baseline.median)) / distance;
}
