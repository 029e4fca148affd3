/**
 * Deterministic, labeled APIM GatewayLogs traffic generator. Pure: no I/O, no clock.
 *
 * - planTraffic(options): a fixed range, labels up front, messages lazily in event-time order.
 * - liveTraffic(options): an endless stream of messages and labels with recurring attacks.
 */
export { planTraffic, liveTraffic, DEFAULTS } from './engine';
export { parseIpList, type ParsedIpList } from './ipList';
export { ATTACK_KINDS, type AttackKind } from './attacks';
export { BASELINE_USER_AGENTS, SUSPICIOUS_USER_AGENTS, PROBE_PATHS, APIS, KNOWN_QUERY_PARAM_NAMES } from './catalog';
export { Rng, WeightedTable, hashParts } from './prng';
export { ALERT_TYPES } from './types';
export type {
  AlertType,
  GeneratedMessage,
  GeneratorOptions,
  Label,
  LiveItem,
  LiveOptions,
  PayloadVariant,
  ResolvedSummary,
  SkippedAttack,
  TrafficPlan,
} from './types';
