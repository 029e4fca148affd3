/**
 * API_AccessFromTorExitNode: the client IP is a Tor exit relay.
 *
 * Only the client IP is judged (`RequestEvent.clientIp`, which the trusted-proxy rule already
 * resolved from X-Forwarded-For when the caller is a trusted proxy), never the immediate caller:
 * behind Front Door or Application Gateway the caller is our own proxy, and when the caller is
 * not trusted it already is the client.
 */
import { currentLists, type IntelListsSource } from '../intel';
import { intelFinding, matchEvidence } from '../intel/findings';
import type { RequestEvent } from '../requestEvent';
import type { Finding } from './finding';
import type { InstantDetector } from './instant';

export class TorExitNodeDetector implements InstantDetector {
  readonly name = 'torExitNode';

  /** @param lists the Tor list (and the threat-intel list, quoted in evidence when it also names the IP). */
  constructor(private readonly lists: IntelListsSource) {}

  /**
   * One finding when the client IP is on the Tor list; score 1 (an exit relay is a fact, not a
   * degree). When a threat-intel feed also lists the IP, the evidence says so (`alsoListedBy`,
   * `alsoListedAs`, `alsoListedConfidence`), since by default that feed's own alert is not raised.
   */
  detect(event: RequestEvent): Finding[] {
    const lists = currentLists(this.lists);
    const match = lists.tor.lookup(event.clientIp);
    if (match === undefined) return [];
    const evidence = matchEvidence(match);
    const intel = lists.threatIntel.lookup(event.clientIp);
    if (intel !== undefined) {
      evidence.alsoListedBy = intel.feed;
      evidence.alsoListedAs = intel.listedAs;
      if (intel.confidence !== undefined) evidence.alsoListedConfidence = intel.confidence;
    }
    return [intelFinding('API_AccessFromTorExitNode', event, 1, evidence)];
  }
}
