import { z } from 'zod';

import { ALERT_TYPES, type AlertType } from '../core/alertTypes';
import {
  alertFilterSchema,
  applyTriage,
  contextWindows,
  matchesAlertFilter,
  newAlert,
  pageOfAlerts,
  sampleFindings,
  trafficFocus,
  trafficPoint,
  triageChangeSchema,
  type Alert,
  type AlertFilter,
  type AlertPage,
  type AlertQuery,
  type TrafficPoint,
  type TriageChange,
} from '../core/alerts';
import { CidrSet } from '../core/ip';
import { DomainError, NotFoundError, retryOnConflict, ValidationError } from '../errors';
import type { ActionRecord, ActionStore, AlertStore, Clock, PartitionStateStore, WindowStore } from '../ports';

/** Alert ids as the API takes them (deterministic UUID-shaped strings). */
const alertIdSchema = z.string().trim().min(1).max(100);

/** Most alerts one bulk change touches; a filter matching more is refused rather than half-applied. */
export const MAX_BULK = 1000;

/** Body of POST /api/alerts/bulk-update: the alerts (by ids or by filter) and the change. */
export const bulkTriageSchema = z
  .strictObject({
    ids: z.array(alertIdSchema).min(1).max(MAX_BULK).optional(),
    filter: alertFilterSchema.optional(),
    change: triageChangeSchema,
  })
  .refine((body) => (body.ids === undefined) !== (body.filter === undefined), { error: 'give either ids or filter', path: ['ids'] });

/** Body of POST /api/alerts/samples. */
export const sampleAlertsSchema = z.strictObject({
  alertTypes: z.array(z.enum(ALERT_TYPES)).min(1).optional(),
});

/** How far back the details look for actions taken. */
const RECENT_ACTIONS = 1000;

/** A page of alerts in priority order. `exposure` rates an alert's endpoint (see comparePriority). */
export async function listAlerts(query: AlertQuery, deps: { alerts: AlertStore; exposure?: (alert: Alert) => number }): Promise<AlertPage> {
  return pageOfAlerts(await deps.alerts.list(query.filter), query, deps.exposure);
}

export interface AlertDetails {
  alert: Alert;
  /** The manual mitigation steps (the alert's remediation steps). */
  mitigation: string[];
  /** Open posture recommendations on the alert's endpoint (prevent future attacks). */
  recommendations: unknown[];
  /** The client's traffic on the endpoint around the alert (20-minute windows), when the windows are still kept. */
  recentTraffic: TrafficPoint[];
  /** Response actions taken for this alert or on its client's address, newest first (policy documents left out). */
  actionsTaken: Omit<ActionRecord, 'policyBefore' | 'policyAfter'>[];
}

export interface AlertDetailsDependencies {
  alerts: AlertStore;
  actions: ActionStore;
  windows: WindowStore;
  partitions: PartitionStateStore;
  /** The open recommendations affecting the alert's endpoint; none when no inventory is synced. */
  recommendationsFor?: (alert: Alert) => Promise<unknown[]>;
}

/** Everything the Take action view shows for one alert. */
export async function getAlertDetails(alertId: string, deps: AlertDetailsDependencies): Promise<AlertDetails> {
  const stored = await deps.alerts.get(alertId);
  if (stored === undefined) throw new NotFoundError(`no alert ${alertId}`);
  const { alert } = stored;
  const [recommendations, recentTraffic, actionsTaken] = await Promise.all([
    deps.recommendationsFor?.(alert) ?? Promise.resolve([]),
    trafficAround(alert, deps),
    actionsFor(alert, deps.actions),
  ]);
  return { alert, mitigation: alert.remediationSteps, recommendations, recentTraffic, actionsTaken };
}

async function trafficAround(alert: Alert, deps: Pick<AlertDetailsDependencies, 'windows' | 'partitions'>): Promise<TrafficPoint[]> {
  const focus = trafficFocus(alert);
  if (focus === undefined) return [];
  const partitionIds = (await deps.partitions.list()).map((state) => state.partitionId);
  if (partitionIds.length === 0) return [];
  const starts = contextWindows(alert);
  const aggregates = await Promise.all(starts.map((start) => deps.windows.readWindow(start, partitionIds)));
  return starts.map((start, i) => trafficPoint(start, aggregates[i] as (typeof aggregates)[number], focus));
}

async function actionsFor(alert: Alert, actions: ActionStore): Promise<AlertDetails['actionsTaken']> {
  const clientIp = alert.keyEntities.clientIp;
  const coversClient = (record: ActionRecord): boolean => {
    if (clientIp === undefined || record.addresses.length === 0) return false;
    const parsed = CidrSet.parse(record.addresses);
    return parsed.ok && parsed.set.contains(clientIp);
  };
  const records = await actions.list(RECENT_ACTIONS);
  return records
    .filter((record) => record.alertId === alert.systemAlertId || coversClient(record))
    .map(({ policyBefore: _before, policyAfter: _after, ...summary }) => summary);
}

/**
 * Reads an alert, changes it and writes it back if nobody wrote in between (else again from a
 * fresh read). `change` returns undefined for "nothing to write". Undefined when there is no such alert.
 */
export async function modifyAlert(alerts: AlertStore, alertId: string, change: (alert: Alert) => Alert | undefined): Promise<Alert | undefined> {
  return await retryOnConflict(async () => {
    const stored = await alerts.get(alertId);
    if (stored === undefined) return undefined;
    const next = change(stored.alert);
    if (next === undefined) return stored.alert;
    await alerts.save(next, stored.etag);
    return next;
  });
}

/** Applies a triage change to one alert, recording who and when. */
export async function triageAlert(alertId: string, change: TriageChange, by: string, deps: { alerts: AlertStore; clock: Clock }): Promise<Alert> {
  const at = deps.clock.now();
  const alert = await modifyAlert(deps.alerts, alertId, (current) => {
    const result = applyTriage(current, change, by, at);
    return result.changed ? result.alert : undefined;
  });
  if (alert === undefined) throw new NotFoundError(`no alert ${alertId}`);
  return alert;
}

export interface BulkTriageResult {
  /** Alerts the change altered. */
  updated: string[];
  /** Alerts already so (e.g. already Dismissed). */
  unchanged: string[];
  /** Ids given that name no alert. */
  notFound: string[];
}

/**
 * Applies one triage change to many alerts, named by id or selected by filter (at most
 * {@link MAX_BULK}; a filter matching more is refused before anything changes).
 */
export async function triageAlerts(
  selection: { ids?: string[]; filter?: AlertFilter },
  change: TriageChange,
  by: string,
  deps: { alerts: AlertStore; clock: Clock },
): Promise<BulkTriageResult> {
  const ids = selection.ids ?? (await idsMatching(selection.filter ?? {}, deps.alerts));
  const at = deps.clock.now();
  const result: BulkTriageResult = { updated: [], unchanged: [], notFound: [] };
  for (const alertId of new Set(ids)) {
    let changed = false;
    const alert = await modifyAlert(deps.alerts, alertId, (current) => {
      const applied = applyTriage(current, change, by, at);
      changed = applied.changed;
      return changed ? applied.alert : undefined;
    });
    if (alert === undefined) result.notFound.push(alertId);
    else (changed ? result.updated : result.unchanged).push(alertId);
  }
  return result;
}

async function idsMatching(filter: AlertFilter, alerts: AlertStore): Promise<string[]> {
  const matching = (await alerts.list(filter)).filter((alert) => matchesAlertFilter(alert, filter));
  if (matching.length > MAX_BULK) {
    throw new ValidationError(`filter: matches ${matching.length} alerts, more than ${MAX_BULK} in one change; narrow it (e.g. by time range)`, 'filter');
  }
  return matching.map((alert) => alert.systemAlertId);
}

/**
 * Creates one sample alert of each type asked (default every type, both payload variants),
 * marked `isSample`, Active, dated now. They are written like detections, so automation rules
 * and the SIEM export see them.
 */
export async function createSampleAlerts(alertTypes: readonly AlertType[] | undefined, deps: { alerts: AlertStore; clock: Clock }): Promise<Alert[]> {
  const now = deps.clock.now();
  const alerts = sampleFindings(now.getTime(), alertTypes).map((finding) => newAlert(finding, { detectedAt: now, isSample: true }));
  return await Promise.all(alerts.map((alert) => createOnce(alert, deps.alerts)));
}

/** Creates the alert, or returns the stored one when it already exists (a repeated request in the same instant). */
async function createOnce(alert: Alert, alerts: AlertStore): Promise<Alert> {
  try {
    await alerts.save(alert);
    return alert;
  } catch (error) {
    const existing = error instanceof DomainError && error.code === 'conflict' ? await alerts.get(alert.systemAlertId) : undefined;
    if (existing === undefined) throw error;
    return existing.alert;
  }
}
