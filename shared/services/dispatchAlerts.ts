import { matchingAutomationRules, toDefenderExport, type Alert, type AutomationRule } from '../core/alerts';
import type {
  ActionStore,
  AlertExportEvent,
  AlertExporter,
  AlertOutbox,
  AlertStore,
  AutomationRuleStore,
  Clock,
  Logger,
  OutboxEntry,
  PlaybookRunner,
} from '../ports';
import { accepted, auditPlaybookRun, failureOf, isTransient, tryPlaybook, type PlaybookAttempt, type PlaybookRunAudit } from './runPlaybook';

export interface DispatchDependencies {
  outbox: AlertOutbox;
  alerts: AlertStore;
  /** The SIEM export hub; undefined when none is configured, and export entries are then discarded. */
  exporter?: AlertExporter;
  rules: Pick<AutomationRuleStore, 'list'>;
  /** Built on first use: a run without automation work needs no ARM client. */
  playbooks: () => PlaybookRunner;
  actions: ActionStore;
  clock: Clock;
  logger: Logger;
}

export interface DispatchOptions {
  /** Most export entries one run handles (default 500). */
  exportLimit?: number;
  /** Most automation entries one run handles (default 100). */
  automationLimit?: number;
  /** Attempts of a playbook that keeps failing transiently before it is given up (default 10, about ten minutes of runs). */
  maxAutomationAttempts?: number;
}

export interface DispatchSummary {
  /** Alerts the export hub accepted. */
  exported: number;
  /** Export entries left queued after a failed send (attempt recorded). */
  exportFailed: number;
  /** Export entries dropped: the alert no longer exists, or is too large for an event. */
  exportDropped: number;
  /** Export entries discarded because no export hub is configured. */
  exportDiscarded: number;
  /** Playbook runs the trigger accepted. */
  playbookRuns: number;
  /** Playbook runs that failed for good (a permanent refusal, or transient failures past the attempt limit). */
  playbookFailures: number;
  /** Automation entries left queued for another try. */
  automationRetrying: number;
}

const DEFAULTS = { exportLimit: 500, automationLimit: 100, maxAutomationAttempts: 10 };

/**
 * Drains the alert outbox (the dispatchAlerts timer, every minute): sends the current state of
 * every queued alert to the export hub, and runs the playbook of every enabled automation rule
 * that matches each new alert. Export and automation run one after the other and neither stops
 * the other; a storage failure in either is rethrown after both ran, so the run is reported
 * failed and its entries stay queued.
 */
export async function dispatchAlerts(deps: DispatchDependencies, options: DispatchOptions = {}): Promise<DispatchSummary> {
  const settings = { ...DEFAULTS, ...options };
  const summary: DispatchSummary = {
    exported: 0,
    exportFailed: 0,
    exportDropped: 0,
    exportDiscarded: 0,
    playbookRuns: 0,
    playbookFailures: 0,
    automationRetrying: 0,
  };
  const errors: unknown[] = [];
  await exportPending(deps, settings.exportLimit, summary).catch((error: unknown) => errors.push(error));
  await automatePending(deps, settings, summary).catch((error: unknown) => errors.push(error));
  if (errors.length > 0) throw errors[0];
  return summary;
}

/** Oldest queued first; entries whose alert is gone are returned apart. */
async function withAlerts(entries: readonly OutboxEntry[], alerts: AlertStore): Promise<{ found: Array<[OutboxEntry, Alert]>; gone: OutboxEntry[] }> {
  const found: Array<[OutboxEntry, Alert]> = [];
  const gone: OutboxEntry[] = [];
  for (const entry of entries) {
    const alert = (await alerts.get(entry.alertId))?.alert;
    if (alert === undefined) gone.push(entry);
    else found.push([entry, alert]);
  }
  return { found, gone };
}

/**
 * Export is at least once: an entry is removed only after the hub accepted its alert, or when it
 * can never be sent (alert gone, event too large). A failed send leaves the failed batch's
 * entries queued with the attempt recorded, and the rest untouched, for the next run. Each event
 * carries the alert's state when it was read, keyed by its dedupe key so that one alert's
 * updates stay in order on one partition.
 */
async function exportPending(deps: DispatchDependencies, limit: number, summary: DispatchSummary): Promise<void> {
  const entries = await deps.outbox.pending('export', limit);
  if (entries.length === 0) return;
  if (deps.exporter === undefined) {
    await deps.outbox.done(entries);
    summary.exportDiscarded += entries.length;
    return;
  }
  const { found, gone } = await withAlerts(entries, deps.alerts);
  const events: AlertExportEvent[] = found.map(([, alert]) => ({
    alertId: alert.systemAlertId,
    partitionKey: alert.dedupeKey,
    body: JSON.stringify(toDefenderExport(alert)),
  }));
  const result = await deps.exporter.send(events);
  const entryOf = new Map(entries.map((entry) => [entry.alertId, entry]));
  const pick = (ids: readonly string[]): OutboxEntry[] => ids.flatMap((id) => entryOf.get(id) ?? []);
  await deps.outbox.done([...gone, ...pick(result.sent), ...pick(result.tooLarge)]);
  for (const entry of pick(result.failed)) await deps.outbox.failed(entry, result.error ?? 'send failed');
  if (result.tooLarge.length > 0) deps.logger.error('export.too_large', { alertIds: result.tooLarge });
  if (result.error !== undefined) deps.logger.warn('export.failed', { failed: result.failed.length, error: result.error });
  summary.exported += result.sent.length;
  summary.exportFailed += result.failed.length;
  summary.exportDropped += gone.length + result.tooLarge.length;
}

async function automatePending(deps: DispatchDependencies, settings: typeof DEFAULTS, summary: DispatchSummary): Promise<void> {
  const entries = await deps.outbox.pending('automation', settings.automationLimit);
  if (entries.length === 0) return;
  const rules = (await deps.rules.list()).filter((rule) => rule.enabled);
  if (rules.length === 0) {
    await deps.outbox.done(entries);
    return;
  }
  const { found, gone } = await withAlerts(entries, deps.alerts);
  await deps.outbox.done(gone);
  for (const [entry, alert] of found) await automate(entry, alert, rules, deps, settings.maxAutomationAttempts, summary);
}

function auditOf(rule: AutomationRule, alert: Alert): PlaybookRunAudit {
  return {
    ref: rule.playbook,
    alertId: alert.systemAlertId,
    ruleId: rule.id,
    requestedBy: `api-warden (automation rule ${rule.id})`,
    reason: `automation rule "${rule.name}"`,
  };
}

/**
 * Runs the playbook of every matching rule not settled yet for this alert. A run the trigger
 * accepted, or refused for good (a 4xx other than 408 and 429), is audited and settled; transient
 * failures keep the entry queued with the rules settled so far, so a retry never runs a playbook
 * twice, until `maxAttempts`, when they are audited as failed and the entry is dropped.
 */
async function automate(
  entry: OutboxEntry,
  alert: Alert,
  rules: readonly AutomationRule[],
  deps: DispatchDependencies,
  maxAttempts: number,
  summary: DispatchSummary,
): Promise<void> {
  const settled = new Set(entry.settledRules ?? []);
  const retry: Array<{ rule: AutomationRule; attempt: PlaybookAttempt }> = [];
  for (const rule of matchingAutomationRules(alert, rules).filter((candidate) => !settled.has(candidate.id))) {
    const attempt = await tryPlaybook(deps.playbooks(), rule.playbook, alert);
    if (isTransient(attempt)) {
      retry.push({ rule, attempt });
      deps.logger.warn('automation.run_failed', { alertId: alert.systemAlertId, ruleId: rule.id, attempt: entry.attempts + 1, error: failureOf(attempt) });
      continue;
    }
    await auditPlaybookRun(attempt, auditOf(rule, alert), deps);
    settled.add(rule.id);
    if (accepted(attempt)) summary.playbookRuns += 1;
    else summary.playbookFailures += 1;
  }
  if (retry.length === 0) return await deps.outbox.done([entry]);
  const attempts = entry.attempts + 1;
  if (attempts >= maxAttempts) {
    for (const { rule, attempt } of retry) {
      await auditPlaybookRun(attempt, { ...auditOf(rule, alert), detail: `gave up after ${attempts} attempts: ${failureOf(attempt)}` }, deps);
    }
    summary.playbookFailures += retry.length;
    return await deps.outbox.done([entry]);
  }
  const error = retry.map(({ rule, attempt }) => `rule ${rule.id}: ${failureOf(attempt)}`).join('; ');
  await deps.outbox.failed({ ...entry, settledRules: [...settled] }, error);
  summary.automationRetrying += 1;
}
