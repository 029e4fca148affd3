/**
 * Public types of the labeled traffic generator: options, messages, ground-truth labels.
 */

import type { DefenderAlertType, PayloadVariant } from '../core/alertTypes';

/** The twelve Defender for APIs runtime alert types, each of which the generator can inject. */
export { DEFENDER_ALERT_TYPES as ALERT_TYPES } from '../core/alertTypes';
export type { PayloadVariant };
export type AlertType = DefenderAlertType;

/**
 * Ground truth for one injected attack. Every record of the attack has a time in [start, end)
 * and comes from one of `clientIps`.
 */
export interface Label {
  /** Deterministic id, e.g. "gen-42-007". */
  id: string;
  alertType: AlertType;
  /** Only for API_SpikeInPayload. */
  variant?: PayloadVariant;
  /** ISO time (ms precision) of the first injected record, inclusive. */
  start: string;
  /** ISO time (ms precision) just after the last injected record, exclusive. */
  end: string;
  /** Client IPs of the injected records, canonical text form, in order of first appearance. */
  clientIps: string[];
  /** APIM service name, lower case (the last segment of resourceId, lower-cased). */
  service: string;
  /** Targeted API id; "*" when the attack spans several APIs, "" when it targets no API. */
  apiId: string;
  /** Targeted operation id; "*" when the attack spans several operations. */
  operationId: string;
  /** For enumeration and unseen parameter/type attacks: the query parameter involved. */
  parameterName?: string;
  /** For API_AccessFromSuspiciousUserAgent: the User-Agent sent. */
  userAgent?: string;
  /** For attacks keyed by status code (spikes): the status code every injected record carries. */
  statusCode?: number;
  /** Number of injected records. */
  requestCount: number;
  description: string;
}

/** An attack type that was asked for but could not be injected, and why. */
export interface SkippedAttack {
  alertType: AlertType;
  variant?: PayloadVariant;
  reason: string;
}

export interface GeneratorOptions {
  /** PRNG seed: the same options always produce byte-identical output. */
  seed: number;
  /** Event time of the first possible record. The clock is never read. */
  start: Date;
  /** Length of the range in days (fractions allowed). */
  days: number;
  /** Mean baseline volume over a week, requests per day. Default 20,000. */
  requestsPerDay?: number;
  /** true (default): every alert type; false: none; a list: only those types. */
  attacks?: boolean | readonly AlertType[];
  /** Days from `start` with no attack at all, so baselines can be learned. Default: days − 1 (attacks only in the last day). */
  warmupDays?: number;
  /** How many injections of each alert type (each payload variant counts as one). Default 1. */
  attackRounds?: number;
  /** Tor exit IPs to take attackers from; empty ⇒ API_AccessFromTorExitNode is skipped. */
  torExitIps?: readonly string[];
  /** Threat-intel IPs to take attackers from (Tor exits are removed first); empty ⇒ API_AccessFromSuspiciousIP is skipped. */
  suspiciousIps?: readonly string[];
  /** Log the User-Agent / Content-Length / X-Forwarded-For request headers (APIM azuremonitor diagnostic headers). Default true. */
  logHeaders?: boolean;
  /** Maximum records in one Event Hub message. Default 20. */
  recordsPerMessage?: number;
  /** Number of APIM services the APIs are spread over, 1–4. Default 2. */
  services?: number;
  /** Number of distinct baseline clients. Default: requestsPerDay / 2, clamped to [300, 50,000]. */
  clients?: number;
  /** Share (0–1) of desktop web clients that reach APIM through a proxy (callerIpAddress = proxy, X-Forwarded-For = client). Default 0. */
  proxyShare?: number;
  /** Proxy addresses used when proxyShare > 0. Default ["10.30.0.4", "10.30.0.5"] (Application Gateway instances). */
  proxyIps?: readonly string[];
}

export interface LiveOptions extends Omit<GeneratorOptions, 'start' | 'days' | 'warmupDays' | 'attackRounds'> {
  /** Event time where the stream starts. */
  from: Date;
  /** Minutes of event time between two attacks; the first starts one interval after `from`. Default 30. */
  attackEveryMinutes?: number;
}

/** One Event Hub message as the diagnostic setting would send it. */
export interface GeneratedMessage {
  /** Event time (epoch ms) of its first record. */
  time: number;
  /** Partition key: the client IP (the real client, also when it came through a proxy). */
  partitionKey: string;
  /** The message body: JSON text {"records":[…]}. */
  body: string;
  /** Number of records in the body. */
  recordCount: number;
}

export type LiveItem = { message: GeneratedMessage } | { label: Label };

export interface TrafficPlan {
  /** Ground-truth labels, in order of start time. */
  labels: Label[];
  /** Alert types that were asked for but not injected, with the reason. */
  skipped: SkippedAttack[];
  /** The messages, in non-decreasing event time; lazy and memory-bounded, and can be iterated again. */
  messages(): Iterable<GeneratedMessage>;
  /** Estimate of how many messages messages() yields (for progress bars). */
  estimatedMessages: number;
  /** Options after defaults were applied. */
  resolved: ResolvedSummary;
}

/** The effective settings of a plan, after defaults. */
export interface ResolvedSummary {
  seed: number;
  start: string;
  end: string;
  requestsPerDay: number;
  warmupDays: number;
  attackStart: string;
  recordsPerMessage: number;
  logHeaders: boolean;
  services: string[];
  clients: number;
}
