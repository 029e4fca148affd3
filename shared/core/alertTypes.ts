/**
 * The alert types API Warden raises: Defender for APIs' twelve runtime detections, plus one of
 * its own for clients probing endpoints that no API operation serves.
 */
export const DEFENDER_ALERT_TYPES = [
  'API_PopulationSpikeInAPITraffic',
  'API_SpikeInAPITraffic',
  'API_SpikeInPayload',
  'API_SpikeInLatency',
  'API_SprayInRequests',
  'API_ParameterEnumeration',
  'API_DistributedParameterEnumeration',
  'API_UnseenParamType',
  'API_UnseenParam',
  'API_AccessFromTorExitNode',
  'API_AccessFromSuspiciousIP',
  'API_AccessFromSuspiciousUserAgent',
] as const;

export type DefenderAlertType = (typeof DEFENDER_ALERT_TYPES)[number];

/** Requests from one client to paths no APIM operation serves (scanning for hidden resources). Low severity. */
export const UNKNOWN_ENDPOINT_ALERT_TYPE = 'API_AccessToUnknownEndpoints' as const;

export const ALERT_TYPES = [...DEFENDER_ALERT_TYPES, UNKNOWN_ENDPOINT_ALERT_TYPE] as const;

export type AlertType = (typeof ALERT_TYPES)[number];

/** API_SpikeInPayload comes in two variants: request size or response size. */
export type PayloadVariant = 'request' | 'response';
