import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { applySuppression, findSuppressingRule, parseSuppressionRule, suppressionRuleFields, type SuppressionRule } from '../core/alerts';
import { NotFoundError, ValidationError } from '../errors';
import type { AlertStore, Clock, SuppressionRuleStore } from '../ports';
import { modifyAlert } from './alerts';

const OPEN = new Set(['Active', 'InProgress']);

/** Body of POST /api/suppression-rules: the rule without the fields the service fills in. */
export const newRuleSchema = z.strictObject({
  alertType: suppressionRuleFields.alertType,
  entities: suppressionRuleFields.entities,
  expiresAt: suppressionRuleFields.expiresAt,
  reason: suppressionRuleFields.reason,
  /** Defaults to the caller. */
  createdBy: suppressionRuleFields.createdBy.optional(),
  /** Also dismiss the active and in-progress alerts the rule matches now (default false). */
  dismissMatching: z.boolean().optional(),
});

export interface RuleCreated {
  rule: SuppressionRule;
  /** Ids of the open alerts the rule dismissed, when asked to. */
  dismissed: string[];
}

/**
 * Creates a suppression rule (id and creation time filled in, everything else validated with the
 * rule's own schema, errors naming the field); optionally dismisses the open alerts it matches,
 * recording the rule on each.
 */
export async function createSuppressionRule(
  body: z.infer<typeof newRuleSchema>,
  caller: string,
  deps: { rules: SuppressionRuleStore; alerts: AlertStore; clock: Clock },
): Promise<RuleCreated> {
  const { dismissMatching, ...fields } = body;
  const now = deps.clock.now();
  const parsed = parseSuppressionRule({ ...fields, id: randomUUID(), createdBy: body.createdBy ?? caller, createdAt: now.toISOString() });
  if (!parsed.ok) {
    const [first = 'rule: invalid'] = parsed.errors;
    throw new ValidationError(first, first.split(':')[0]);
  }
  await deps.rules.put(parsed.rule);
  const dismissed: string[] = [];
  if (dismissMatching === true) {
    const open = await deps.alerts.list({ statuses: ['Active', 'InProgress'] });
    for (const candidate of open) {
      const changed = await modifyAlert(deps.alerts, candidate.systemAlertId, (alert) =>
        OPEN.has(alert.status) && findSuppressingRule(alert, [parsed.rule], now) !== undefined ? applySuppression(alert, parsed.rule, now) : undefined,
      );
      if (changed?.suppression?.ruleId === parsed.rule.id) dismissed.push(candidate.systemAlertId);
    }
  }
  return { rule: parsed.rule, dismissed };
}

export async function getSuppressionRule(id: string, rules: SuppressionRuleStore): Promise<SuppressionRule> {
  const rule = await rules.get(id);
  if (rule === undefined) throw new NotFoundError(`no suppression rule ${id}`);
  return rule;
}
