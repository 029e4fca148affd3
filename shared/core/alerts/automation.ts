/**
 * Automation rules, like Defender for Cloud's workflow automation: which new alerts (types,
 * severities, endpoint, samples or not) run which Logic App playbook. The dispatcher runs every
 * enabled matching rule's playbook with the alert in Defender's export shape. Pure.
 */
import { z } from 'zod';

import { ALERT_TYPES, type AlertType } from '../alertTypes';
import type { Alert } from './alert';
import { SEVERITIES, type Severity } from './catalog';
import { globToRegExp, ruleText, strictObjectError } from './ruleFields';

/** A Logic App workflow trigger (a playbook), by its ARM coordinates. */
export const playbookRefSchema = z.strictObject(
  {
    subscriptionId: z.guid(),
    resourceGroup: z.string().trim().min(1).max(90),
    workflowName: z.string().trim().min(1).max(80),
    triggerName: z.string().trim().min(1).max(80).default('manual'),
  },
  strictObjectError,
);
export type PlaybookRef = z.output<typeof playbookRefSchema>;

export interface AutomationRule {
  id: string;
  name: string;
  /** A disabled rule runs nothing. */
  enabled: boolean;
  /** Alert types the rule applies to; absent: every type. */
  alertTypes?: AlertType[];
  /** Severities the rule applies to; absent: every severity. */
  severities?: Severity[];
  /**
   * The alert's endpoint: APIM API id and operation id, exact or a glob where `*` matches any run
   * of characters, case-insensitive. An alert without that part of an endpoint does not match.
   */
  endpoint?: { apiId?: string; operationId?: string };
  /** Whether sample alerts (isSample) run the playbook too. */
  includeSampleAlerts: boolean;
  playbook: PlaybookRef;
  createdBy: string;
  /** ISO 8601. */
  createdAt: string;
}

function uniqueList<T extends string>(values: readonly [T, ...T[]], singular: string, plural: string) {
  return z
    .array(z.enum(values, { error: `must be one of ${values.join(', ')}` }), { error: `must be a list of ${plural}` })
    .min(1, { error: `must name at least one ${singular} (leave it out for every ${singular})` })
    .refine((list) => new Set(list).size === list.length, { error: 'must not repeat a value' });
}

const endpointSchema = z
  .strictObject({ apiId: ruleText(256).optional(), operationId: ruleText(256).optional() }, strictObjectError)
  .refine((endpoint) => endpoint.apiId !== undefined || endpoint.operationId !== undefined, {
    error: 'must name apiId or operationId (or be left out for every endpoint)',
  });

/** What a client sends to create a rule (POST /api/automation-rules); `createdBy` is a claim that a signed-in principal overrides. */
export const newAutomationRuleSchema = z.strictObject(
  {
    name: ruleText(200),
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    alertTypes: uniqueList(ALERT_TYPES, 'alert type', 'alert types').optional(),
    severities: uniqueList(SEVERITIES, 'severity', 'severities').optional(),
    endpoint: endpointSchema.optional(),
    includeSampleAlerts: z.boolean({ error: 'must be true or false' }).default(false),
    playbook: playbookRefSchema,
    createdBy: ruleText(256).optional(),
  },
  strictObjectError,
);
export type NewAutomationRule = z.output<typeof newAutomationRuleSchema>;

/** The rule a validated request becomes; fields left out stay out. */
export function newAutomationRule(input: NewAutomationRule, fill: { id: string; createdBy: string; createdAt: string }): AutomationRule {
  const rule: AutomationRule = {
    id: fill.id,
    name: input.name,
    enabled: input.enabled,
    includeSampleAlerts: input.includeSampleAlerts,
    playbook: input.playbook,
    createdBy: fill.createdBy,
    createdAt: fill.createdAt,
  };
  if (input.alertTypes !== undefined) rule.alertTypes = input.alertTypes;
  if (input.severities !== undefined) rule.severities = input.severities;
  if (input.endpoint !== undefined) {
    rule.endpoint = {};
    if (input.endpoint.apiId !== undefined) rule.endpoint.apiId = input.endpoint.apiId;
    if (input.endpoint.operationId !== undefined) rule.endpoint.operationId = input.endpoint.operationId;
  }
  return rule;
}

function endpointMatches(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  return value !== undefined && value !== '' && globToRegExp(pattern).test(value);
}

function applies(rule: AutomationRule, alert: Alert): boolean {
  if (!rule.enabled) return false;
  if (alert.isSample && !rule.includeSampleAlerts) return false;
  if (rule.alertTypes !== undefined && !rule.alertTypes.includes(alert.alertType)) return false;
  if (rule.severities !== undefined && !rule.severities.includes(alert.severity)) return false;
  const endpoint = alert.keyEntities.endpoint;
  return endpointMatches(rule.endpoint?.apiId, endpoint?.apiId) && endpointMatches(rule.endpoint?.operationId, endpoint?.operationId);
}

/**
 * The rules whose playbook a new alert runs, oldest rule first: every enabled rule whose alert
 * types, severities and endpoint patterns it matches (a sample alert only for rules that include
 * samples). An alert a suppression rule dismissed runs none: suppressing means nobody acts on it.
 */
export function matchingAutomationRules(alert: Alert, rules: readonly AutomationRule[]): AutomationRule[] {
  if (alert.suppression !== undefined) return [];
  return rules
    .filter((rule) => applies(rule, alert))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
