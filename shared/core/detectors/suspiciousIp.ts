/**
 * API_AccessFromSuspiciousIP: the client IP is on a threat-intel feed (IPsum and the like).
 * Severity (High) comes from the alert catalog, not from here.
 *
 * Only the client IP is judged (see TorExitNodeDetector). By default a client that is also a
 * Tor exit relay raises no finding here: the Tor detector reports it, quoting the feed in its
 * evidence. IPsum lists most Tor exits (1,354 of 1,363 IPv4 exits on 2026-08-22, 240 of them at
 * level 3), so two alerts per Tor request would be noise. `includeTorExitNodes` makes both fire.
 */
import { currentLists, type IntelListsSource, type IntelMatch } from '../intel';
import { intelFinding, matchEvidence } from '../intel/findings';
import type { RequestEvent } from '../requestEvent';
import type { Finding } from './finding';
import type { InstantDetector } from './instant';

export interface SuspiciousIpDetectorOptions {
  /** Also report clients that are on the Tor list (default false: the Tor alert alone covers them). */
  includeTorExitNodes?: boolean;
  /**
   * Entries with a confidence below this raise nothing (default 0: every listed entry alerts).
   * Entries without a confidence always alert. Use 3 with IPsum's full list to alert at the
   * level its maintainers recommend for blocking.
   */
  minConfidence?: number;
  /** The confidence that scores 1 (default 3, IPsum's level 3); see {@link confidenceScore}. */
  confidenceAtScoreOne?: number;
}

export const DEFAULT_CONFIDENCE_AT_SCORE_ONE = 3;

/**
 * Score of a match: 1 without a confidence; otherwise confidence / confidenceAtScoreOne, never
 * below 1. With IPsum (confidence = number of blocklists naming the IP) an IP on 3 lists scores
 * 1, on 9 lists 3: priority among High alerts grows with how widely the IP is reported.
 */
export function confidenceScore(confidence: number | undefined, confidenceAtScoreOne = DEFAULT_CONFIDENCE_AT_SCORE_ONE): number {
  if (confidence === undefined || !(confidenceAtScoreOne > 0)) return 1;
  return Math.max(1, confidence / confidenceAtScoreOne);
}

export class SuspiciousIpDetector implements InstantDetector {
  readonly name = 'suspiciousIp';
  private readonly includeTor: boolean;
  private readonly minConfidence: number;
  private readonly scoreUnit: number;

  constructor(
    private readonly lists: IntelListsSource,
    options: SuspiciousIpDetectorOptions = {},
  ) {
    this.includeTor = options.includeTorExitNodes ?? false;
    this.minConfidence = options.minConfidence ?? 0;
    this.scoreUnit = options.confidenceAtScoreOne ?? DEFAULT_CONFIDENCE_AT_SCORE_ONE;
  }

  /**
   * One finding for the most specific qualifying entry (an exact address before a network; the
   * first feed merged before later ones). When other feeds list the client too, `alsoListedBy`
   * names them.
   */
  detect(event: RequestEvent): Finding[] {
    const lists = currentLists(this.lists);
    const matches = lists.threatIntel.lookupAll(event.clientIp);
    if (matches.length === 0) return [];
    const qualifying = matches.filter((m) => m.confidence === undefined || m.confidence >= this.minConfidence);
    const match: IntelMatch | undefined = qualifying[0];
    if (match === undefined) return [];
    if (!this.includeTor && lists.tor.has(event.clientIp)) return [];
    const evidence = matchEvidence(match);
    const others = [...new Set(qualifying.map((m) => m.feed).filter((feed) => feed !== match.feed))];
    if (others.length > 0) evidence.alsoListedBy = others.join(', ');
    return [intelFinding('API_AccessFromSuspiciousIP', event, confidenceScore(match.confidence, this.scoreUnit), evidence)];
  }
}
