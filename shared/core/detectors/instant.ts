import type { RequestEvent } from '../requestEvent';
import type { Finding } from './finding';

/**
 * A detector that judges one request on its own, in the ingest path, against what it was
 * built with (cached baselines, intel lists, patterns). It must be fast and never throw.
 */
export interface InstantDetector {
  /** Stable name for logs and evaluation ("suspiciousUserAgent"). */
  readonly name: string;
  detect(event: RequestEvent): Finding[];
}
