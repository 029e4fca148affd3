/**
 * API_AccessFromSuspiciousUserAgent: a request whose User-Agent is an attack tool's fingerprint
 * or carries an attack payload. Defender for APIs raises it for "a User-Agent associated with
 * malicious activity" and validates it with `User-Agent: javascript:`; this detector does that
 * and more (see {@link UserAgentCategory} for what it recognizes). Pure and per request.
 *
 * What does NOT count, by default:
 * - scripting clients (curl, Wget, python-requests, Go-http-client, …): APIs are called by
 *   scripts, CI jobs and integrations all day, so flagging them would bury real alerts. Set
 *   `flagScriptingClients` to count them (category 'scripting_client', score 1).
 * - crawlers and mobile/SDK clients (okhttp, Dart, Azure SDK `azsdk-*`, CFNetwork apps).
 * - an absent or empty User-Agent: the parser turns an empty header into "no User-Agent", so
 *   "empty but present" cannot be told from "not logged" and is never flagged.
 *
 * Scores: 2 for a payload (an exploit attempt: Log4Shell, shellshock, injection, traversal,
 * out-of-band callback domains, CR/LF), 1 for a tool fingerprint, a scripting client, a malformed
 * browser imitation, other control characters or an oversized header.
 *
 * The finding: `observed` and `entities.userAgent` hold the User-Agent cut to
 * `maxObservedLength`; `evidence` has `category`, `rule`, `matched` (an excerpt of at most 80
 * characters of the decoded, lower-cased header), `decoded` (the match needed decoding) and
 * `userAgentLength`.
 */
import type { RequestEvent } from '../requestEvent';
import type { Finding } from './finding';
import type { InstantDetector } from './instant';
import { categoryScore, UserAgentMatcher, type UserAgentPatternOptions } from './userAgentPatterns';

export interface SuspiciousUserAgentOptions extends UserAgentPatternOptions {
  /**
   * Case-insensitive substrings of User-Agents that are never flagged: the team's own scanners
   * and pentest tools ("nuclei-internal-ci"), or a partner whose header trips a rule. Default none.
   */
  allowSubstrings?: readonly string[];
  /** The User-Agent in `observed` and `entities.userAgent` is cut to this many characters. Default {@link DEFAULT_MAX_OBSERVED_LENGTH}. */
  maxObservedLength?: number;
}

/** Default cut of the User-Agent kept in a finding: enough for any real one, bounded for storage. */
export const DEFAULT_MAX_OBSERVED_LENGTH = 512;

const ALERT_TYPE = 'API_AccessFromSuspiciousUserAgent' as const;

/** Cuts text to `max` characters, marking the cut with "…" and never splitting a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

export class SuspiciousUserAgentDetector implements InstantDetector {
  readonly name = 'suspiciousUserAgent';
  private readonly matcher: UserAgentMatcher;
  private readonly allow: readonly string[];
  private readonly maxObserved: number;

  constructor(options: SuspiciousUserAgentOptions = {}) {
    this.matcher = new UserAgentMatcher(options);
    this.allow = (options.allowSubstrings ?? []).map((entry) => entry.toLowerCase()).filter((entry) => entry.length > 0);
    this.maxObserved = Math.max(16, options.maxObservedLength ?? DEFAULT_MAX_OBSERVED_LENGTH);
  }

  detect(event: RequestEvent): Finding[] {
    const userAgent = event.userAgent;
    if (userAgent === undefined || userAgent.length === 0) return [];
    try {
      if (this.allow.length > 0) {
        const lower = userAgent.toLowerCase();
        if (this.allow.some((entry) => lower.includes(entry))) return [];
      }
      const match = this.matcher.match(userAgent);
      if (match === undefined) return [];
      const observed = cutText(userAgent, this.maxObserved);
      return [
        {
          alertType: ALERT_TYPE,
          time: event.time,
          endTime: event.time,
          entities: { clientIp: event.clientIp, endpoint: event.endpoint, userAgent: observed, status: event.status },
          observed,
          score: categoryScore(match.category),
          evidence: {
            category: match.category,
            rule: match.rule,
            matched: match.matched,
            decoded: match.decoded,
            userAgentLength: userAgent.length,
          },
          source: event.source,
        },
      ];
    } catch {
      // Detectors never throw into the ingest path; a pattern bug must not drop the batch.
      return [];
    }
  }
}
