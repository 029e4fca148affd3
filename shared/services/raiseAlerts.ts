import { applySuppression, dedupeKey, findSuppressingRule, mergeFinding, newAlert, type Alert, type SuppressionRule } from '../core/alerts';
import type { Finding } from '../core/detectors/finding';
import type { AlertStore } from '../ports';

export interface RaiseSummary {
  created: number;
  updated: number;
  suppressed: number;
}

const OPEN = new Set<Alert['status']>(['Active', 'InProgress']);

/**
 * Turns findings into alerts: a finding joins the open (Active or InProgress) alert of its type
 * and entities, or starts a new one, whose id derives from its first finding, so a replay
 * creates nothing new. A new alert matching a suppression rule is dismissed at once and records
 * the rule, and while that rule applies its repeats join the dismissed alert. One store query per distinct dedupe key, one write per alert touched.
 */
export async function raiseAlerts(
  findings: readonly Finding[],
  deps: { alerts: AlertStore; rules: readonly SuppressionRule[] },
  context: { detectedAt: Date; now: Date; azureResourceId?: (finding: Finding) => string | undefined },
): Promise<RaiseSummary> {
  const byKey = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = dedupeKey(finding);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [finding]);
    else list.push(finding);
  }
  const summary: RaiseSummary = { created: 0, updated: 0, suppressed: 0 };
  const touched: Alert[] = [];
  for (const [key, group] of byKey) {
    group.sort((a, b) => a.time - b.time);
    const existing = await deps.alerts.byDedupeKey(key);
    let alert = existing.find((candidate) => OPEN.has(candidate.status)) ?? stillSuppressed(existing[0], deps.rules, context.now);
    let rest = group;
    if (alert === undefined) {
      const [first, ...others] = group as [Finding, ...Finding[]];
      alert = newAlert(first, { detectedAt: context.detectedAt, azureResourceId: context.azureResourceId?.(first) });
      rest = others;
      summary.created += 1;
      const rule = findSuppressingRule(alert, deps.rules, context.now);
      if (rule !== undefined) {
        alert = applySuppression(alert, rule, context.now);
        summary.suppressed += 1;
      }
    } else {
      summary.updated += 1;
    }
    for (const finding of rest) alert = mergeFinding(alert, finding);
    touched.push(alert);
  }
  await deps.alerts.put(touched);
  return summary;
}

/** The latest alert, when a rule dismissed it and still applies: repeats join it rather than open new dismissed alerts. */
function stillSuppressed(latest: Alert | undefined, rules: readonly SuppressionRule[], now: Date): Alert | undefined {
  if (latest?.suppression === undefined) return undefined;
  return findSuppressingRule(latest, rules, now) === undefined ? undefined : latest;
}
