/**
 * The Finding an intel detector reports for one request, shared by the Tor and threat-intel
 * detectors so both read the same way in alerts.
 */
import type { AlertType } from '../alertTypes';
import type { Finding } from '../detectors/finding';
import type { RequestEvent } from '../requestEvent';
import type { IntelMatch } from './intelSet';

/** Evidence naming the matching entry: feed, listedAs, snapshotDate, and confidence when the feed gives one. */
export function matchEvidence(match: IntelMatch): Record<string, number | string | boolean> {
  const evidence: Record<string, number | string | boolean> = {
    feed: match.feed,
    listedAs: match.listedAs,
    snapshotDate: match.snapshotDate,
  };
  if (match.confidence !== undefined) evidence.confidence = match.confidence;
  return evidence;
}

/** A per-request finding on the client IP: entities { clientIp, endpoint, status }, observed = the IP, time = endTime = event time. */
export function intelFinding(
  alertType: AlertType,
  event: RequestEvent,
  score: number,
  evidence: Record<string, number | string | boolean>,
): Finding {
  return {
    alertType,
    time: event.time,
    endTime: event.time,
    entities: { clientIp: event.clientIp, endpoint: event.endpoint, status: event.status },
    observed: event.clientIp,
    score,
    evidence,
    source: event.source,
  };
}
