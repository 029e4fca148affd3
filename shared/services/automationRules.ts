import { randomUUID } from 'node:crypto';

import { newAutomationRule, type AutomationRule, type NewAutomationRule } from '../core/alerts';
import { NotFoundError } from '../errors';
import type { AutomationRuleStore, Clock } from '../ports';

/** Stores a validated rule with a new id, its author (the signed-in caller, else the body's claim) and the time. */
export async function createAutomationRule(
  body: NewAutomationRule,
  createdBy: string,
  deps: { rules: AutomationRuleStore; clock: Clock },
): Promise<AutomationRule> {
  const rule = newAutomationRule(body, { id: randomUUID(), createdBy, createdAt: deps.clock.now().toISOString() });
  await deps.rules.put(rule);
  return rule;
}

export async function getAutomationRule(id: string, rules: AutomationRuleStore): Promise<AutomationRule> {
  const rule = await rules.get(id);
  if (rule === undefined) throw new NotFoundError(`no automation rule ${id}`);
  return rule;
}
