import { applySuppression, dedupeKey, findSuppressingRule, mergeFinding, newAlert, type Alert, type SuppressionRule } from '../core/alerts';
import type { Finding } from '../core/detectors/finding';
import { retryOnConflict } from '../errors';
import type { AlertStore, StoredAlert } from '../ports';

export interface RaiseSummary {
  created: number;
  updated: number;
  suppressed: number;
}

interface RaiseContext {
  detectedAt: Date;
  now: Date;
  azureResourceId?: (finding: Finding) => string | undefined;
}

const OPEN = new Set<Alert['status']>(['Active', 'InProgress']);

/**
 * Turns findings into alerts: a finding joins the open (Active or InProgress) alert of its type
 * and entities, or starts a new one, whose id derives from its first finding, so a replay
 * creates nothing new. A new alert matching a suppression rule is dismissed at once and records
 * the rule, and while that rule applies its repeats join the dismissed alert. One store query
 * and one conditional write per distinct dedupe key; a write that loses a race with another
 * writer (an analyst triaging the alert, another instance) is redone from a fresh read.
 */
export async function raiseAlerts(
  findings: readonly Finding[],
  deps: { alerts: AlertStore; rules: readonly SuppressionRule[] },
  context: RaiseContext,
): Promise<RaiseSummary> {
  const byKey = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = dedupeKey(finding);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [finding]);
    else list.push(finding);
  }
  const summary: RaiseSummary = { created: 0, updated: 0, suppressed: 0 };
  for (const [key, group] of byKey) {
    group.sort((a, b) => a.time - b.time);
    const outcome = await retryOnConflict(() => raiseOne(key, group, deps, context));
    summary[outcome.created ? 'created' : 'updated'] += 1;
    if (outcome.suppressed) summary.suppressed += 1;
  }
  return summary;
}

/** Merges one dedupe key's findings into its alert (or a new one) and writes it. */
async function raiseOne(
  key: string,
  group: readonly Finding[],
  deps: { alerts: AlertStore; rules: readonly SuppressionRule[] },
  context: RaiseContext,
): Promise<{ created: boolean; suppressed: boolean }> {
  const existing = await deps.alerts.byDedupeKey(key);
  const target = existing.find((candidate) => OPEN.has(candidate.alert.status)) ?? stillSuppressed(existing[0], deps.rules, context.now);
  let alert: Alert;
  let rest: readonly Finding[] = group;
  let suppressed = false;
  if (target === undefined) {
    const [first, ...others] = group as [Finding, ...Finding[]];
    alert = newAlert(first, { detectedAt: context.detectedAt, azureResourceId: context.azureResourceId?.(first) });
    rest = others;
    const rule = findSuppressingRule(alert, deps.rules, context.now);
    if (rule !== undefined) {
      alert = applySuppression(alert, rule, context.now);
      suppressed = true;
    }
  } else {
    alert = target.alert;
  }
  for (const finding of rest) alert = mergeFinding(alert, finding);
  await deps.alerts.save(alert, target?.etag);
  return { created: target === undefined, suppressed };
}

/** The latest alert, when a rule dismissed it and still applies: repeats join it rather than open new dismissed alerts. */
function stillSuppressed(latest: StoredAlert | undefined, rules: readonly SuppressionRule[], now: Date): StoredAlert | undefined {
  if (latest?.alert.suppression === undefined) return undefined;
  return findSuppressingRule(latest.alert, rules, now) === undefined ? undefined : latest;
}
