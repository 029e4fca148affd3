/**
 * Suppression rules: an alert type (or every type) plus entity patterns, an optional expiry and a
 * reason. A matching alert is dismissed as it is raised, and the alert records which rule did it.
 * Pure: "now" is a parameter (event time in a replay, the wall clock only at the caller).
 */
import { z } from 'zod';

import { ALERT_TYPES, type AlertType } from '../alertTypes';
import type { Finding, FindingEntities } from '../detectors/finding';
import { CidrSet, normalizeIp } from '../ip';
import type { Alert } from './alert';
import { globToRegExp, issueLines, ruleId, ruleIsoTime, ruleText, strictObjectError } from './ruleFields';

export interface SuppressionRuleEntities {
  /** An IP or a CIDR range ("203.0.113.7", "10.0.0.0/8", "2001:db8::/32"). */
  clientIp?: string;
  /** APIM API id, exact or a glob where `*` matches any run of characters ("orders-*"). Case-insensitive. */
  apiId?: string;
  /** APIM operation id, exact or glob as apiId. Case-insensitive. */
  operationId?: string;
  /** APIM service name, exact or glob as apiId. Case-insensitive. */
  service?: string;
  /** Query or path parameter name, exact and case-sensitive (as APIM passes names on). */
  parameterName?: string;
}

export interface SuppressionRule {
  id: string;
  alertType: AlertType | '*';
  entities: SuppressionRuleEntities;
  /** ISO 8601; the rule stops applying at this instant (a rule expiring exactly "now" no longer applies). */
  expiresAt?: string;
  reason: string;
  createdBy: string;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * Canonical text of an IP or CIDR entry, or undefined when CidrSet would not accept it. The
 * address is written as normalizeIp writes it; an IPv4-mapped IPv6 range becomes the IPv4 range
 * it denotes ("::ffff:10.0.0.0/104" → "10.0.0.0/8"), as CidrSet and normalizeIp treat it.
 */
function canonicalIpPattern(entry: string): string | undefined {
  const parsed = CidrSet.parse([entry]);
  if (!parsed.ok || parsed.set.size !== 1) return undefined;
  const slash = entry.indexOf('/');
  const rawAddress = slash < 0 ? entry : entry.slice(0, slash);
  const address = normalizeIp(rawAddress);
  if (address === undefined) return undefined;
  if (slash < 0) return address;
  const prefix = Number(entry.slice(slash + 1));
  const folded = rawAddress.includes(':') && !address.includes(':');
  if (!folded) return `${address}/${prefix}`;
  return prefix >= 96 ? `${address}/${prefix - 96}` : `${rawAddress.toLowerCase()}/${prefix}`;
}

const clientIpPattern = z
  .string({ error: 'must be a string' })
  .trim()
  .transform((value, ctx) => {
    const canonical = canonicalIpPattern(value);
    if (canonical === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an IP address or CIDR range (e.g. 203.0.113.7, 10.0.0.0/8, 2001:db8::/32)` });
      return z.NEVER;
    }
    return canonical;
  });


const entitiesSchema = z.strictObject(
  {
    clientIp: clientIpPattern.optional(),
    apiId: ruleText(256).optional(),
    operationId: ruleText(256).optional(),
    service: ruleText(256)
      .transform((value) => value.toLowerCase())
      .optional(),
    parameterName: ruleText(256).optional(),
  },
  strictObjectError,
);

/** The fields of a rule, each with its validation (the HTTP API's create body reuses them). */
export const suppressionRuleFields = {
  id: ruleId,
  alertType: z.union([z.enum(ALERT_TYPES), z.literal('*')], {
    error: `must be one of ${ALERT_TYPES.join(', ')}, or "*" for every type`,
  }),
  entities: entitiesSchema.default({}),
  expiresAt: ruleIsoTime.optional(),
  reason: ruleText(1000),
  createdBy: ruleText(256),
  createdAt: ruleIsoTime,
};

/**
 * Validates a rule as stored or as sent to the HTTP API. Trims text, lower-cases the service name,
 * canonicalizes the IP or CIDR. Rejects: unknown fields, an alert type that is neither one of
 * ALERT_TYPES nor "*", an invalid IP/CIDR, bad dates, an expiry not after creation, and a rule for
 * every alert type with no entity pattern (it would silence everything).
 */
export const suppressionRuleSchema: z.ZodType<SuppressionRule> = z
  .strictObject(suppressionRuleFields, strictObjectError)
  .superRefine((rule, ctx) => {
    if (rule.expiresAt !== undefined && Date.parse(rule.expiresAt) <= Date.parse(rule.createdAt)) {
      ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be later than createdAt' });
    }
    if (rule.alertType === '*' && Object.values(rule.entities).every((value) => value === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['entities'],
        message: 'a rule for every alert type ("*") must name at least one entity (clientIp, apiId, operationId, service or parameterName)',
      });
    }
  })
  .transform((rule) => {
    const result: SuppressionRule = {
      id: rule.id,
      alertType: rule.alertType,
      entities: Object.fromEntries(
        Object.entries(rule.entities).filter(([, value]) => value !== undefined),
      ) as SuppressionRuleEntities,
      reason: rule.reason,
      createdBy: rule.createdBy,
      createdAt: rule.createdAt,
    };
    if (rule.expiresAt !== undefined) result.expiresAt = rule.expiresAt;
    return result;
  });

export type SuppressionRuleResult = { ok: true; rule: SuppressionRule } | { ok: false; errors: string[] };

/** Validates a rule; on failure every problem is listed as "<field path>: <message>". */
export function parseSuppressionRule(input: unknown): SuppressionRuleResult {
  const parsed = suppressionRuleSchema.safeParse(input);
  if (parsed.success) return { ok: true, rule: parsed.data };
  return { ok: false, errors: issueLines(parsed.error.issues, 'rule') };
}

// ---------------------------------------------------------------------------------------------
// Matching

interface CompiledRule {
  ips?: CidrSet;
  /** Host bits of the clientIp range: 0 for a single address, 8 for a /24, 64 for an IPv6 /64. */
  ipHostBits?: number;
  apiId?: RegExp;
  operationId?: RegExp;
  service?: RegExp;
  /** Patterns given, and how many of them are exact (no `*`, a single IP). */
  patternCount: number;
  exactCount: number;
  /** Literal (non-`*`) characters in the glob patterns. */
  literalChars: number;
  createdAtMs: number;
  expiresAtMs?: number;
}

/** Compiled matchers per rule object (rules are treated as immutable values once validated). */
const compiled = new WeakMap<SuppressionRule, CompiledRule>();

function hostBits(pattern: string): number {
  const slash = pattern.indexOf('/');
  if (slash < 0) return 0;
  const width = pattern.slice(0, slash).includes(':') ? 128 : 32;
  return Math.max(0, width - Number(pattern.slice(slash + 1)));
}

function compile(rule: SuppressionRule): CompiledRule {
  const cached = compiled.get(rule);
  if (cached !== undefined) return cached;
  const entities = rule.entities;
  const result: CompiledRule = { patternCount: 0, exactCount: 0, literalChars: 0, createdAtMs: Date.parse(rule.createdAt) };
  if (rule.expiresAt !== undefined) result.expiresAtMs = Date.parse(rule.expiresAt);
  if (entities.clientIp !== undefined) {
    const parsed = CidrSet.parse([entities.clientIp]);
    // An unparsable pattern (a rule that skipped validation) matches nothing rather than everything.
    result.ips = parsed.ok ? parsed.set : CidrSet.empty();
    result.ipHostBits = hostBits(entities.clientIp);
    result.patternCount += 1;
    if (result.ipHostBits === 0) result.exactCount += 1;
  }
  for (const field of ['apiId', 'operationId', 'service'] as const) {
    const pattern = entities[field];
    if (pattern === undefined) continue;
    result[field] = globToRegExp(pattern);
    result.patternCount += 1;
    if (pattern.includes('*')) result.literalChars += pattern.replace(/\*/g, '').length;
    else result.exactCount += 1;
  }
  if (entities.parameterName !== undefined) {
    result.patternCount += 1;
    result.exactCount += 1;
  }
  compiled.set(rule, result);
  return result;
}

function isActive(rule: CompiledRule, nowMs: number): boolean {
  if (rule.expiresAtMs === undefined) return true;
  // Expired at or before now; an unparsable expiry counts as expired.
  return Number.isFinite(rule.expiresAtMs) && rule.expiresAtMs > nowMs;
}

function matches(rule: SuppressionRule, compiledRule: CompiledRule, alertType: AlertType, entities: FindingEntities): boolean {
  if (rule.alertType !== '*' && rule.alertType !== alertType) return false;
  if (compiledRule.ips !== undefined) {
    const ip = entities.clientIp === undefined ? undefined : normalizeIp(entities.clientIp);
    if (ip === undefined || !compiledRule.ips.contains(ip)) return false;
  }
  const endpoint = entities.endpoint;
  for (const field of ['apiId', 'operationId', 'service'] as const) {
    const pattern = compiledRule[field];
    if (pattern === undefined) continue;
    const value = endpoint?.[field];
    if (value === undefined || value === '' || !pattern.test(value)) return false;
  }
  if (rule.entities.parameterName !== undefined && entities.parameterName !== rule.entities.parameterName) return false;
  return true;
}

/**
 * Orders matching rules, the winner first:
 * 1. a rule for this alert type beats a rule for every type ("*");
 * 2. more entity patterns beat fewer;
 * 3. more exact patterns (no `*`, a single IP rather than a range) beat fewer;
 * 4. when both name a clientIp range, the narrower range wins;
 * 5. more literal characters in glob patterns win ("orders-v2-*" beats "orders-*");
 * 6. then the earliest created; then the smallest id (so the choice is deterministic).
 */
function compareSpecificity(a: SuppressionRule, b: SuppressionRule): number {
  const ca = compile(a);
  const cb = compile(b);
  const typeA = a.alertType === '*' ? 0 : 1;
  const typeB = b.alertType === '*' ? 0 : 1;
  if (typeA !== typeB) return typeB - typeA;
  if (ca.patternCount !== cb.patternCount) return cb.patternCount - ca.patternCount;
  if (ca.exactCount !== cb.exactCount) return cb.exactCount - ca.exactCount;
  if (ca.ipHostBits !== undefined && cb.ipHostBits !== undefined && ca.ipHostBits !== cb.ipHostBits) {
    return ca.ipHostBits - cb.ipHostBits;
  }
  if (ca.literalChars !== cb.literalChars) return cb.literalChars - ca.literalChars;
  const createdA = Number.isFinite(ca.createdAtMs) ? ca.createdAtMs : Number.POSITIVE_INFINITY;
  const createdB = Number.isFinite(cb.createdAtMs) ? cb.createdAtMs : Number.POSITIVE_INFINITY;
  if (createdA !== createdB) return createdA < createdB ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function targetOf(target: Alert | Finding): { alertType: AlertType; entities: FindingEntities } {
  if ('systemAlertId' in target) return { alertType: target.alertType, entities: target.keyEntities };
  return { alertType: target.alertType, entities: target.entities };
}

/**
 * The rule that suppresses an alert (or a finding about to become one) at `now`, if any.
 * A rule applies when it has not expired (`expiresAt` later than `now`), its alert type is the
 * alert's or "*", and every entity pattern it gives matches (an alert without that entity does
 * not match). Among applying rules the most specific wins, then the earliest created: see
 * {@link compareSpecificity}.
 */
export function findSuppressingRule(
  target: Alert | Finding,
  rules: readonly SuppressionRule[],
  now: Date,
): SuppressionRule | undefined {
  const nowMs = now.getTime();
  const { alertType, entities } = targetOf(target);
  let best: SuppressionRule | undefined;
  for (const rule of rules) {
    const compiledRule = compile(rule);
    if (!isActive(compiledRule, nowMs) || !matches(rule, compiledRule, alertType, entities)) continue;
    if (best === undefined || compareSpecificity(rule, best) < 0) best = rule;
  }
  return best;
}

/** The alert dismissed by the rule (a new object): status Dismissed, and which rule, why and when. */
export function applySuppression(alert: Alert, rule: SuppressionRule, at: Date): Alert {
  return {
    ...alert,
    status: 'Dismissed',
    suppression: { ruleId: rule.id, reason: rule.reason, suppressedAtUtc: at.toISOString() },
  };
}
