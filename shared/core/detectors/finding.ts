import type { AlertType, PayloadVariant } from '../alertTypes';
import type { Endpoint, SourcePosition } from '../requestEvent';

/**
 * What a detector reports: one anomaly on one set of entities, with the evidence an analyst
 * needs to see why it fired. Findings become alerts (shared/core/alerts): repeats of the same
 * type on the same entities aggregate into one alert.
 */
export interface Finding {
  alertType: AlertType;
  /** Only for API_SpikeInPayload. */
  variant?: PayloadVariant;
  /** Event time (epoch ms) of the anomaly: the triggering event, or the window's start for window detectors. */
  time: number;
  /** For window detectors: the window's end (exclusive). For per-request findings: equal to `time`. */
  endTime: number;
  entities: FindingEntities;
  /** The value that was anomalous (a size, a count, a type name, a User-Agent, …). */
  observed: number | string;
  /** What was expected, as the detector learned it (quantiles, median and MAD, history length, …); absent for indicator matches. */
  baseline?: Record<string, number | string>;
  /**
   * How far past the threshold: 1 at the threshold, larger is stronger. Indicator matches
   * (Tor, threat intel, User-Agent patterns) use 1, or their feed's confidence where they have one.
   */
  score: number;
  /** Human-readable facts for the alert's description and extended properties. */
  evidence: Record<string, number | string | boolean>;
  /** For per-request findings: the request that triggered it (lets evaluation name the request). */
  source?: SourcePosition;
}

export interface FindingEntities {
  clientIp?: string;
  endpoint?: Endpoint;
  parameterName?: string;
  userAgent?: string;
  /** HTTP status, for detections keyed by status code. */
  status?: number;
}
