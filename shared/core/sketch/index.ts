/**
 * Mergeable, compact, serializable sketches and robust statistics for window aggregates and
 * 30-day baselines. Everything here is pure (no I/O, no clock) and every sketch's merge result
 * is independent of how its inputs were split and of merge order.
 */
export { SketchFormatError } from './binary';
export { CountHistogram } from './countHistogram';
export {
  DEFAULT_DISTINCT_CAPACITY,
  DEFAULT_MAX_SAMPLE_LENGTH,
  DEFAULT_SAMPLE_COUNT,
  DistinctCounter,
  MAX_DISTINCT_CAPACITY,
  type DistinctCounterOptions,
} from './distinctCounter';
export { ExactSum } from './exactSum';
export { HASH_RANGE, hashString } from './hash';
export {
  DEFAULT_BIN_LIMIT,
  DEFAULT_RELATIVE_ACCURACY,
  MAX_BIN_LIMIT,
  QuantileSketch,
  type QuantileSketchOptions,
} from './quantileSketch';
export {
  MAD_NORMAL_SCALE,
  ROBUST_THRESHOLD_DEFAULTS,
  mad,
  madOfRuns,
  median,
  medianOfRuns,
  quantile,
  quantileOfRuns,
  robustScore,
  robustThreshold,
  runsCount,
  sortedCopy,
  type Distribution,
  type MadOptions,
  type RobustThreshold,
  type RobustThresholdOptions,
  type ThresholdBinding,
  type ValueRun,
} from './robust';
