/**
 * The alert model: findings become alerts shaped like Microsoft Defender for Cloud's security
 * alerts (the Microsoft.Security/alerts resource, camelCase), so that the API, the dashboard and
 * the Defender-compatible export (./defenderExport) all speak the same language.
 *
 * Pure: no I/O, no clock. Every time comes from the finding (event time) or from the caller.
 *
 * - Repeats aggregate: findings of the same type (and payload variant) on the same entities share
 *   a {@link dedupeKey}; the caller looks up the open alert with that key and {@link mergeFinding}s
 *   into it instead of creating another.
 * - Ids are deterministic ({@link alertId}): replaying the same findings yields the same alerts.
 */
import { createHash } from 'node:crypto';

import type { AlertType, PayloadVariant } from '../alertTypes';
import type { Finding, FindingEntities } from '../detectors/finding';
import { normalizeIp } from '../ip';
import type { Endpoint } from '../requestEvent';
import {
  catalogEntry,
  renderTemplate,
  SEVERITIES,
  variantOf,
  type CatalogEntry,
  type Severity,
  type Tactic,
  type TemplatePlaceholder,
} from './catalog';

export const PRODUCT_NAME = 'API Warden';
export const VENDOR_NAME = 'API Warden';

/** Defender's alert lifecycle statuses (Microsoft.Security/alerts `status`). */
export const ALERT_STATUSES = ['Active', 'InProgress', 'Dismissed', 'Resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** The client IP, as Defender and Sentinel write an IP entity (`{ "$id", "Type": "ip", "Address" }`). */
export interface IpEntity {
  $id: string;
  type: 'ip';
  address: string;
}

/**
 * The API endpoint. Defender for Cloud's public docs show no API-endpoint entity, so this is API
 * Warden's own entity type (Defender's schema allows entity types it does not list). It carries
 * the APIM identity of the endpoint and, when the APIM service's resource id is known and the
 * request matched an operation, the operation's ARM resource id.
 */
export interface ApiEndpointEntity {
  $id: string;
  type: 'api-endpoint';
  /** Human-readable identity: "service/apiId/operationId", or "service/apiId METHOD /template" when unmatched. */
  displayName: string;
  /** The endpoint's stable key (see endpointKey in requestEvent). */
  endpointKey: string;
  service: string;
  apiId: string;
  operationId: string;
  /** For requests no operation matched: "METHOD /path/{id}". */
  pathTemplate?: string;
  /** ARM id of the APIM operation, when known. */
  resourceId?: string;
}

/** The APIM service, as Defender writes an Azure resource entity (`"Type": "azure-resource"`, ResourceId). */
export interface AzureResourceEntity {
  $id: string;
  type: 'azure-resource';
  resourceId: string;
  resourceType: string;
  resourceName: string;
}

export type AlertEntity = IpEntity | ApiEndpointEntity | AzureResourceEntity;

/** Why an alert was dismissed by a suppression rule. */
export interface AlertSuppression {
  ruleId: string;
  reason: string;
  /** When the rule dismissed the alert (ISO 8601, the caller's event-time "now"). */
  suppressedAtUtc: string;
}

export interface Alert {
  /** Deterministic id: {@link alertId} of the dedupe key and the first finding's time. A UUID-shaped string, like Defender's. */
  systemAlertId: string;
  /** Identity of the (type, variant, entities) the alert is about: see {@link dedupeKey}. */
  dedupeKey: string;
  alertType: AlertType;
  /** Only for API_SpikeInPayload. */
  variant?: PayloadVariant;
  alertDisplayName: string;
  description: string;
  severity: Severity;
  status: AlertStatus;
  /** Defender's `intent`: the tactics joined with ", " (e.g. "Discovery, PreAttack"). */
  intent: string;
  tactics: Tactic[];
  /** First event of the alert (ISO 8601 UTC). */
  startTimeUtc: string;
  /** Last event of the alert (ISO 8601 UTC); for window detections the window's end. */
  endTimeUtc: string;
  /** When the alert was raised, in event time (the caller's `detectedAt`). */
  timeGeneratedUtc: string;
  /** Display name of the resource most related to the alert: the endpoint, else the APIM service, else the client IP. */
  compromisedEntity: string;
  /** The APIM service's ARM resource id, when known. */
  azureResourceId?: string;
  entities: AlertEntity[];
  /** The finding's entities the alert was created for (suppression rules and filters match on these). */
  keyEntities: FindingEntities;
  /** String values only, as Defender's: baseline, observed, score, window, entities, evidence. */
  extendedProperties: Record<string, string>;
  remediationSteps: string[];
  productName: string;
  vendorName: string;
  /** Number of findings aggregated into this alert. */
  count: number;
  /** Event time of the earliest and latest finding (ISO 8601 UTC). */
  firstFindingTime: string;
  lastFindingTime: string;
  /** The strongest finding's score (1 at the threshold, larger is stronger). */
  score: number;
  /** Set when a suppression rule dismissed the alert. */
  suppression?: AlertSuppression;
  /** A demonstration alert (sample alerts), not a detection. */
  isSample: boolean;
  /** Triage (./triage): who owns the alert, its labels, whether it was useful, and every change made. */
  owner?: string;
  tags?: string[];
  feedback?: AlertFeedback;
  history?: AlertHistoryEntry[];
}

/** An analyst's verdict on an alert (Defender's "Was this useful?"). */
export interface AlertFeedback {
  useful: boolean;
  reason?: string;
  by: string;
  /** ISO 8601, wall clock. */
  at: string;
}

/** One triage change: who, when, what changed (before → after) and the comment given. */
export interface AlertHistoryEntry {
  by: string;
  /** ISO 8601, wall clock. */
  at: string;
  status?: { from: AlertStatus; to: AlertStatus };
  owner?: { from: string | null; to: string | null };
  tagsAdded?: string[];
  tagsRemoved?: string[];
  feedback?: { useful: boolean; reason?: string };
  comment?: string;
}

export interface AlertContext {
  /** The APIM service's ARM resource id, when known. */
  azureResourceId?: string;
  /** Event time at which the detection ran (becomes timeGeneratedUtc). */
  detectedAt: Date;
  /** Marks a sample alert. */
  isSample?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Dedupe keys and ids

type KeyField = 'clientIp' | 'endpoint' | 'status' | 'parameterName' | 'userAgent';

/**
 * Which entities identify an alert of each type: DESIGN.md's key column, plus the parameter for the
 * parameter detections (a different parameter is a different finding) and the client IP for the
 * detections Defender describes as "a single IP was observed…" (so the alert names the IP to act
 * on). Status is included only where the detection is keyed by status code.
 * API_AccessFromSuspiciousUserAgent is keyed by User-Agent as DESIGN says, and by client IP so
 * that each attacking client gets an alert that names it.
 */
export const DEDUPE_FIELDS: Readonly<Record<AlertType, readonly KeyField[]>> = {
  API_PopulationSpikeInAPITraffic: ['endpoint', 'status'],
  API_SpikeInAPITraffic: ['clientIp', 'endpoint', 'status'],
  API_SpikeInPayload: ['clientIp', 'endpoint', 'status'],
  API_SpikeInLatency: ['clientIp', 'endpoint', 'status'],
  API_SprayInRequests: ['clientIp'],
  API_ParameterEnumeration: ['clientIp', 'endpoint', 'parameterName'],
  API_DistributedParameterEnumeration: ['endpoint', 'parameterName'],
  API_UnseenParamType: ['clientIp', 'endpoint', 'parameterName'],
  API_UnseenParam: ['clientIp', 'endpoint', 'parameterName'],
  API_AccessFromTorExitNode: ['clientIp'],
  API_AccessFromSuspiciousIP: ['clientIp'],
  API_AccessFromSuspiciousUserAgent: ['clientIp', 'userAgent'],
  API_AccessToUnknownEndpoints: ['clientIp'],
};

function keyValue(entities: FindingEntities, field: KeyField): string | number | null {
  switch (field) {
    case 'clientIp':
      return entities.clientIp === undefined ? null : (normalizeIp(entities.clientIp) ?? entities.clientIp);
    case 'endpoint':
      return entities.endpoint?.key ?? null;
    case 'status':
      return entities.status ?? null;
    case 'parameterName':
      return entities.parameterName ?? null;
    case 'userAgent':
      return entities.userAgent ?? null;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The identity of what a finding is about: its type, payload variant, and the entities its type is
 * keyed by ({@link DEDUPE_FIELDS}). Equal for repeats, different when any of those differ.
 *
 * Form: `<alertType>[.<variant>]~<32 hex chars>` (a SHA-256 prefix of the entity values), so it is
 * bounded in length and safe as a Table Storage PartitionKey/RowKey component whatever the
 * User-Agent or path contains, and still sorts by type.
 */
export function dedupeKey(finding: Pick<Finding, 'alertType' | 'variant' | 'entities'>): string {
  const variant = variantOf(finding.alertType, finding.variant);
  const fields = DEDUPE_FIELDS[finding.alertType];
  const canonical = JSON.stringify([
    'api-warden/dedupe/v1',
    finding.alertType,
    variant ?? '',
    fields.map((field) => [field, keyValue(finding.entities, field)]),
  ]);
  const prefix = variant === undefined ? finding.alertType : `${finding.alertType}.${variant}`;
  return `${prefix}~${sha256(canonical).subarray(0, 16).toString('hex')}`;
}

function toMs(time: number | Date | string): number {
  const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : time.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`invalid time: ${String(time)}`);
  return ms;
}

/**
 * Deterministic alert id: the first 128 bits of SHA-256 over the dedupe key and the first
 * finding's time, written as a UUID (version 8, RFC 9562's custom format) so that consumers that
 * expect Defender's GUID-shaped SystemAlertId accept it. Same key and time ⇒ same id, so a replay
 * creates nothing new; a later alert on the same entities (after the first was closed) starts at
 * another time and so gets another id.
 */
export function alertId(key: string, firstFindingTime: number | Date | string): string {
  const bytes = Buffer.from(sha256(`api-warden/alert/v1\n${key}\n${new Date(toMs(firstFindingTime)).toISOString()}`).subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Rendering

const MAX_TEXT = 256;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Attacker-controlled text (User-Agent, paths, parameter names) made safe to show: no control characters, bounded length. */
function displayText(text: string): string {
  const clean = text.replace(CONTROL, '\uFFFD');
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT - 1)}…` : clean;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1 ? String(Math.round(value * 100) / 100) : String(Number(value.toPrecision(3)));
}

function formatValue(value: number | string): string {
  return typeof value === 'number' ? formatNumber(value) : displayText(value);
}

/** "service/apiId/operationId", or "service/apiId METHOD /template" for unmatched requests; empty parts left out. */
export function endpointDisplayName(endpoint: Omit<Endpoint, 'key'>): string {
  const scope = [endpoint.service, endpoint.apiId].filter((part) => part !== '');
  if (endpoint.operationId !== '') return [...scope, endpoint.operationId].join('/');
  if (scope.length === 0) return endpoint.pathTemplate;
  return endpoint.pathTemplate === '' ? scope.join('/') : `${scope.join('/')} ${endpoint.pathTemplate}`;
}

function baselineSummary(baseline: Record<string, number | string> | undefined): string | undefined {
  if (baseline === undefined) return undefined;
  const parts = Object.entries(baseline).map(([name, value]) => `${displayText(name)} ${formatValue(value)}`);
  return parts.length === 0 ? undefined : parts.join(', ');
}

const FALLBACKS: Record<TemplatePlaceholder, string> = {
  clientIp: 'an unknown client',
  endpoint: 'the endpoint',
  parameter: 'unknown',
  status: 'unknown',
  userAgent: '(none)',
  observed: 'unknown',
  baseline: 'no baseline recorded',
  score: 'n/a',
  windowStart: 'an unknown time',
  windowEnd: 'an unknown time',
};

type Measurement = Pick<Finding, 'time' | 'endTime' | 'observed' | 'baseline' | 'score' | 'evidence' | 'source'>;

function templateValues(
  entities: FindingEntities,
  measurement: Measurement,
  entry: CatalogEntry,
): Partial<Record<TemplatePlaceholder, string>> {
  const observed =
    typeof measurement.observed === 'number' && entry.observedUnit !== undefined
      ? `${formatNumber(measurement.observed)} ${entry.observedUnit}`
      : formatValue(measurement.observed);
  return {
    clientIp: entities.clientIp,
    endpoint: entities.endpoint === undefined ? undefined : displayText(endpointDisplayName(entities.endpoint)),
    parameter: entities.parameterName === undefined ? undefined : displayText(entities.parameterName),
    status: entities.status === undefined ? undefined : String(entities.status),
    userAgent: entities.userAgent === undefined ? undefined : JSON.stringify(displayText(entities.userAgent)),
    observed,
    baseline: baselineSummary(measurement.baseline),
    score: formatNumber(measurement.score),
    windowStart: new Date(measurement.time).toISOString(),
    windowEnd: new Date(measurement.endTime).toISOString(),
  };
}

/** The description and remediation steps of an alert on these entities, with this (strongest) measurement. */
function renderTexts(
  entities: FindingEntities,
  measurement: Measurement,
  entry: CatalogEntry,
): { description: string; remediationSteps: string[] } {
  const values = templateValues(entities, measurement, entry);
  return {
    description: renderTemplate(entry.descriptionTemplate, values, FALLBACKS),
    remediationSteps: entry.remediationSteps.map((step) => renderTemplate(step, values, FALLBACKS)),
  };
}

// ---------------------------------------------------------------------------------------------
// Extended properties

/** Keys API Warden itself writes; evidence keys that collide are written as "evidence.<key>". */
export const RESERVED_PROPERTY_KEYS: ReadonlySet<string> = new Set([
  'clientIp',
  'service',
  'apiId',
  'operationId',
  'pathTemplate',
  'endpoint',
  'endpointKey',
  'parameterName',
  'statusCode',
  'userAgent',
  'variant',
  'observed',
  'baseline',
  'score',
  'windowStart',
  'windowEnd',
  'requestTime',
  'source',
]);

function entityProperties(entities: FindingEntities, variant: PayloadVariant | undefined): Record<string, string> {
  const properties: Record<string, string> = {};
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') properties[key] = value;
  };
  put('clientIp', entities.clientIp);
  if (entities.endpoint !== undefined) {
    put('service', entities.endpoint.service);
    put('apiId', entities.endpoint.apiId);
    put('operationId', entities.endpoint.operationId);
    put('pathTemplate', entities.endpoint.pathTemplate);
    put('endpoint', endpointDisplayName(entities.endpoint));
    put('endpointKey', entities.endpoint.key);
  }
  put('parameterName', entities.parameterName);
  put('statusCode', entities.status === undefined ? undefined : String(entities.status));
  put('userAgent', entities.userAgent);
  put('variant', variant);
  return properties;
}

function measurementProperties(measurement: Measurement): Record<string, string> {
  const properties: Record<string, string> = {
    observed: String(measurement.observed),
    score: String(measurement.score),
  };
  if (measurement.baseline !== undefined) properties.baseline = JSON.stringify(measurement.baseline);
  if (measurement.endTime > measurement.time) {
    properties.windowStart = new Date(measurement.time).toISOString();
    properties.windowEnd = new Date(measurement.endTime).toISOString();
  } else {
    properties.requestTime = new Date(measurement.time).toISOString();
  }
  if (measurement.source !== undefined) {
    const { partitionId, sequenceNumber, recordIndex } = measurement.source;
    properties.source = `${partitionId}/${sequenceNumber}/${recordIndex}`;
  }
  for (const [key, value] of Object.entries(measurement.evidence)) {
    properties[RESERVED_PROPERTY_KEYS.has(key) ? `evidence.${key}` : key] = String(value);
  }
  return properties;
}

function buildProperties(
  entities: FindingEntities,
  variant: PayloadVariant | undefined,
  measurement: Measurement,
): Record<string, string> {
  return { ...measurementProperties(measurement), ...entityProperties(entities, variant) };
}

// ---------------------------------------------------------------------------------------------
// Entities

const APIM_RESOURCE_TYPE = 'API Management service';

function resourceName(resourceId: string): string {
  const segments = resourceId.split('/').filter((segment) => segment !== '');
  return segments[segments.length - 1] ?? resourceId;
}

function buildEntities(entities: FindingEntities, azureResourceId: string | undefined): AlertEntity[] {
  const result: AlertEntity[] = [];
  const nextId = (): string => String(result.length + 1);
  if (entities.clientIp !== undefined && entities.clientIp !== '') {
    result.push({ $id: nextId(), type: 'ip', address: entities.clientIp });
  }
  const endpoint = entities.endpoint;
  if (endpoint !== undefined) {
    const entity: ApiEndpointEntity = {
      $id: nextId(),
      type: 'api-endpoint',
      displayName: endpointDisplayName(endpoint),
      endpointKey: endpoint.key,
      service: endpoint.service,
      apiId: endpoint.apiId,
      operationId: endpoint.operationId,
    };
    if (endpoint.pathTemplate !== '') entity.pathTemplate = endpoint.pathTemplate;
    const serviceMatches =
      azureResourceId !== undefined &&
      (endpoint.service === '' || resourceName(azureResourceId).toLowerCase() === endpoint.service.toLowerCase());
    if (serviceMatches && endpoint.apiId !== '' && endpoint.operationId !== '') {
      entity.resourceId = `${azureResourceId}/apis/${endpoint.apiId}/operations/${endpoint.operationId}`;
    }
    result.push(entity);
  }
  if (azureResourceId !== undefined) {
    result.push({
      $id: nextId(),
      type: 'azure-resource',
      resourceId: azureResourceId,
      resourceType: APIM_RESOURCE_TYPE,
      resourceName: resourceName(azureResourceId),
    });
  }
  return result;
}

function compromisedEntityOf(entities: FindingEntities, azureResourceId: string | undefined): string {
  if (entities.endpoint !== undefined) {
    const name = endpointDisplayName(entities.endpoint);
    if (name !== '') return name;
  }
  if (azureResourceId !== undefined) return resourceName(azureResourceId);
  return entities.clientIp ?? '';
}

function copyEntities(entities: FindingEntities): FindingEntities {
  const copy: FindingEntities = { ...entities };
  if (entities.endpoint !== undefined) copy.endpoint = { ...entities.endpoint };
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Alerts

/** A new Active alert for a finding. `context.detectedAt` (event time) becomes timeGeneratedUtc. */
export function newAlert(finding: Finding, context: AlertContext): Alert {
  const entry = catalogEntry(finding.alertType, finding.variant);
  const variant = variantOf(finding.alertType, finding.variant);
  const key = dedupeKey(finding);
  const azureResourceId =
    context.azureResourceId !== undefined && context.azureResourceId.trim() !== '' ? context.azureResourceId.trim() : undefined;
  const entities = copyEntities(finding.entities);
  const { description, remediationSteps } = renderTexts(entities, finding, entry);
  const first = new Date(toMs(finding.time)).toISOString();
  const end = new Date(Math.max(toMs(finding.time), toMs(finding.endTime))).toISOString();

  const alert: Alert = {
    systemAlertId: alertId(key, finding.time),
    dedupeKey: key,
    alertType: finding.alertType,
    alertDisplayName: entry.alertDisplayName,
    description,
    severity: entry.severity,
    status: 'Active',
    intent: entry.tactics.join(', '),
    tactics: [...entry.tactics],
    startTimeUtc: first,
    endTimeUtc: end,
    timeGeneratedUtc: new Date(toMs(context.detectedAt)).toISOString(),
    compromisedEntity: compromisedEntityOf(entities, azureResourceId),
    entities: buildEntities(entities, azureResourceId),
    keyEntities: entities,
    extendedProperties: buildProperties(entities, variant, finding),
    remediationSteps,
    productName: PRODUCT_NAME,
    vendorName: VENDOR_NAME,
    count: 1,
    firstFindingTime: first,
    lastFindingTime: first,
    score: finding.score,
    isSample: context.isSample === true,
  };
  if (variant !== undefined) alert.variant = variant;
  if (azureResourceId !== undefined) alert.azureResourceId = azureResourceId;
  return alert;
}

function laterIso(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function earlierIso(a: string, b: string): string {
  return Date.parse(b) < Date.parse(a) ? b : a;
}

/**
 * Aggregates a repeat into its alert and returns a new alert (the input is not modified):
 * count + 1; startTimeUtc/firstFindingTime the earliest and endTimeUtc/lastFindingTime the latest;
 * when the finding is stronger (higher score) than any before, its score, observed value, baseline,
 * window and evidence replace the alert's and the description is rewritten around them.
 *
 * The status is left alone: merging never reopens a Dismissed or Resolved alert (the caller
 * decides whether a repeat after closing starts a new alert). The id never changes.
 *
 * @throws RangeError when the finding belongs to another alert (different dedupe key).
 */
export function mergeFinding(alert: Alert, finding: Finding): Alert {
  const key = dedupeKey(finding);
  if (key !== alert.dedupeKey) {
    throw new RangeError(`finding ${key} does not belong to alert ${alert.systemAlertId} (${alert.dedupeKey})`);
  }
  const time = new Date(toMs(finding.time)).toISOString();
  const end = new Date(Math.max(toMs(finding.time), toMs(finding.endTime))).toISOString();
  const merged: Alert = {
    ...alert,
    tactics: [...alert.tactics],
    entities: alert.entities.map((entity) => ({ ...entity })),
    keyEntities: copyEntities(alert.keyEntities),
    extendedProperties: { ...alert.extendedProperties },
    remediationSteps: [...alert.remediationSteps],
    count: alert.count + 1,
    startTimeUtc: earlierIso(alert.startTimeUtc, time),
    endTimeUtc: laterIso(alert.endTimeUtc, end),
    firstFindingTime: earlierIso(alert.firstFindingTime, time),
    lastFindingTime: laterIso(alert.lastFindingTime, time),
  };
  if (alert.suppression !== undefined) merged.suppression = { ...alert.suppression };
  if (finding.score > alert.score || Number.isNaN(alert.score)) {
    const entry = catalogEntry(alert.alertType, alert.variant);
    const { description, remediationSteps } = renderTexts(alert.keyEntities, finding, entry);
    merged.score = finding.score;
    merged.description = description;
    merged.remediationSteps = remediationSteps;
    merged.extendedProperties = buildProperties(alert.keyEntities, alert.variant, finding);
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Priority

/** What an alert's priority depends on (paging tokens carry these for the last alert of a page). */
export type PriorityFields = Pick<Alert, 'severity' | 'score' | 'endTimeUtc' | 'systemAlertId'>;

/** High 3, Medium 2, Low 1, Informational 0. */
export function severityRank(severity: Severity): number {
  const index = SEVERITIES.indexOf(severity);
  return index < 0 ? -1 : SEVERITIES.length - 1 - index;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

function timeOr(text: string): number {
  return finiteOr(Date.parse(text), Number.NEGATIVE_INFINITY);
}

/**
 * Sort comparator, most urgent first: severity (High > Medium > Low > Informational), then the
 * endpoint's exposure as the caller rates it (e.g. 2 unauthenticated and internet-facing, 1 one of
 * them, 0 neither or unknown; higher first, default 0), then score (higher first), then recency
 * (later endTimeUtc first), then systemAlertId (ascending) so that the order is total and
 * deterministic whatever order the alerts came in.
 */
export function comparePriority<T extends PriorityFields>(a: T, b: T, exposure?: (alert: T) => number): number {
  const bySeverity = severityRank(b.severity) - severityRank(a.severity);
  if (bySeverity !== 0) return bySeverity;
  if (exposure !== undefined) {
    const byExposure = finiteOr(exposure(b), 0) - finiteOr(exposure(a), 0);
    if (byExposure !== 0) return byExposure;
  }
  const scoreA = finiteOr(a.score, Number.NEGATIVE_INFINITY);
  const scoreB = finiteOr(b.score, Number.NEGATIVE_INFINITY);
  if (scoreA !== scoreB) return scoreB > scoreA ? 1 : -1;
  const endA = timeOr(a.endTimeUtc);
  const endB = timeOr(b.endTimeUtc);
  if (endA !== endB) return endB > endA ? 1 : -1;
  return a.systemAlertId < b.systemAlertId ? -1 : a.systemAlertId > b.systemAlertId ? 1 : 0;
}
