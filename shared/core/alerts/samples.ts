/**
 * Sample alerts: one finding of every alert type (both payload variants), on entities that cannot
 * be real traffic — documentation addresses (RFC 5737) and an APIM service named
 * "api-warden-samples" — so a team can exercise its playbooks, automation rules and SIEM without
 * an attack. The alerts made from them are marked `isSample`. Pure.
 */
import { ALERT_TYPES, type AlertType, type PayloadVariant } from '../alertTypes';
import type { Finding, FindingEntities } from '../detectors/finding';
import { WINDOW_MS } from '../windows';
import { makeEndpoint } from '../requestEvent';

export const SAMPLE_SERVICE = 'api-warden-samples';

const orders = makeEndpoint({ service: SAMPLE_SERVICE, apiId: 'sample-shop', operationId: 'get-order', pathTemplate: '' });
const search = makeEndpoint({ service: SAMPLE_SERVICE, apiId: 'sample-shop', operationId: 'search-products', pathTemplate: '' });
const unknown = makeEndpoint({ service: SAMPLE_SERVICE, apiId: '', operationId: '', pathTemplate: 'GET /.env' });

type Measurement = Pick<Finding, 'observed' | 'baseline' | 'score' | 'evidence'> & { entities: FindingEntities; window: boolean };

/** What each sample shows: a plausible measurement of its detection, keyed by type (and variant). */
const SAMPLES: Record<string, Measurement> = {
  API_PopulationSpikeInAPITraffic: {
    entities: { endpoint: orders, status: 200 },
    observed: 48_000,
    baseline: { median: 1_150, mad: 140, threshold: 4_600 },
    score: 10.4,
    evidence: { clients: 3_100 },
    window: true,
  },
  API_SpikeInAPITraffic: {
    entities: { clientIp: '203.0.113.10', endpoint: orders, status: 200 },
    observed: 9_200,
    baseline: { median: 12, mad: 4, threshold: 300 },
    score: 30.7,
    evidence: {},
    window: true,
  },
  'API_SpikeInPayload.request': {
    entities: { clientIp: '203.0.113.11', endpoint: search, status: 200 },
    observed: 1_048_576,
    baseline: { p99: 2_048, threshold: 65_536 },
    score: 16,
    evidence: { requests: 40 },
    window: true,
  },
  'API_SpikeInPayload.response': {
    entities: { clientIp: '203.0.113.12', endpoint: orders, status: 200 },
    observed: 5_242_880,
    baseline: { p99: 8_192, threshold: 262_144 },
    score: 20,
    evidence: { requests: 25 },
    window: true,
  },
  API_SpikeInLatency: {
    entities: { clientIp: '203.0.113.13', endpoint: search, status: 200 },
    observed: 18_000,
    baseline: { p99: 350, threshold: 3_000 },
    score: 6,
    evidence: { requests: 60 },
    window: true,
  },
  API_SprayInRequests: {
    entities: { clientIp: '203.0.113.14' },
    observed: 240,
    baseline: { median: 3, threshold: 40 },
    score: 6,
    evidence: { requests: 2_400 },
    window: true,
  },
  API_ParameterEnumeration: {
    entities: { clientIp: '203.0.113.15', endpoint: orders, parameterName: 'orderId' },
    observed: 1_500,
    baseline: { median: 2, p999: 9, threshold: 50 },
    score: 30,
    evidence: { distinctValues: 1_500, exact: false, samples: '100001, 100002, 100003' },
    window: true,
  },
  API_DistributedParameterEnumeration: {
    entities: { endpoint: orders, parameterName: 'orderId' },
    observed: 12_000,
    baseline: { median: 300, p999: 900, threshold: 2_000 },
    score: 6,
    evidence: { distinctValues: 12_000, clients: 180, samples: '200001, 200002, 200003' },
    window: true,
  },
  API_UnseenParamType: {
    entities: { clientIp: '203.0.113.16', endpoint: orders, parameterName: 'orderId', status: 500 },
    observed: 'text',
    baseline: { types: 'integer' },
    score: 1,
    evidence: { value: "1' OR '1'='1" },
    window: false,
  },
  API_UnseenParam: {
    entities: { clientIp: '203.0.113.17', endpoint: search, parameterName: 'debug', status: 200 },
    observed: 'debug',
    baseline: { knownParameters: 'q, page, pageSize' },
    score: 1,
    evidence: { value: 'true' },
    window: false,
  },
  API_AccessFromTorExitNode: {
    entities: { clientIp: '198.51.100.20', endpoint: orders, status: 200 },
    observed: '198.51.100.20',
    score: 1,
    evidence: { feed: 'sample Tor exit list', listedAs: '198.51.100.20' },
    window: false,
  },
  API_AccessFromSuspiciousIP: {
    entities: { clientIp: '198.51.100.21', endpoint: orders, status: 200 },
    observed: '198.51.100.21',
    score: 1,
    evidence: { feed: 'sample threat-intel feed', listedAs: '198.51.100.0/24' },
    window: false,
  },
  API_AccessFromSuspiciousUserAgent: {
    entities: { clientIp: '203.0.113.18', endpoint: search, status: 200, userAgent: 'sqlmap/1.8 (https://sqlmap.org)' },
    observed: 'sqlmap/1.8 (https://sqlmap.org)',
    score: 1,
    evidence: { category: 'attack-tool', rule: 'sqlmap', matched: 'sqlmap' },
    window: false,
  },
  API_AccessToUnknownEndpoints: {
    entities: { clientIp: '203.0.113.19', endpoint: unknown },
    observed: 320,
    baseline: { threshold: 50 },
    score: 6.4,
    evidence: { distinctPaths: 180 },
    window: true,
  },
};

function sampleKey(alertType: AlertType, variant: PayloadVariant | undefined): string {
  return variant === undefined ? alertType : `${alertType}.${variant}`;
}

/**
 * Sample findings of the given types (default: all), over the 20 minutes before `now` (window
 * detections) or at `now` (per-request ones), so each call's samples get new alert ids.
 * API_SpikeInPayload gives one per variant.
 */
export function sampleFindings(now: number, alertTypes: readonly AlertType[] = ALERT_TYPES): Finding[] {
  return [...new Set(alertTypes)].flatMap((alertType) => {
    const variants: (PayloadVariant | undefined)[] = alertType === 'API_SpikeInPayload' ? ['request', 'response'] : [undefined];
    return variants.map((variant) => {
      const { window, entities, ...measurement } = SAMPLES[sampleKey(alertType, variant)] as Measurement;
      const finding: Finding = {
        alertType,
        time: window ? now - WINDOW_MS : now,
        endTime: now,
        entities: { ...entities },
        ...measurement,
      };
      if (variant !== undefined) finding.variant = variant;
      return finding;
    });
  });
}
