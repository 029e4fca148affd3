/**
 * Finding alerts: the filter analysts and playbooks list (and bulk-change) alerts with, read from
 * a query string or a JSON body, and keyset paging over the priority order. Pure.
 */
import { createHash } from 'node:crypto';

import { z } from 'zod';

import { ValidationError } from '../../errors';
import { ALERT_TYPES, type AlertType } from '../alertTypes';
import { CidrSet } from '../ip';
import { ALERT_STATUSES, comparePriority, type Alert, type AlertStatus, type PriorityFields } from './alert';
import { SEVERITIES, type Severity } from './catalog';
import { tagSchema } from './triage';

/** Which alerts: every field narrows (AND); a list matches any of its values (OR). */
export interface AlertFilter {
  severities?: Severity[];
  statuses?: AlertStatus[];
  alertTypes?: AlertType[];
  /** An IP or a CIDR range the alert's client IP falls in. */
  clientIp?: string;
  apiId?: string;
  operationId?: string;
  /** Alerts active at some point in [from, to]: they end at or after `from` and start at or before `to` (ISO 8601). */
  from?: string;
  to?: string;
  owner?: string;
  tag?: string;
  /** Case-insensitive text in the name, description, affected entity, entities or properties. */
  text?: string;
  isSample?: boolean;
}

const ipOrCidr = z
  .string()
  .trim()
  .refine((value) => CidrSet.parse([value]).ok, { error: 'must be an IP address or a CIDR range' });
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z' });
const name = z.string().trim().min(1).max(256);

/** The filter's fields as they come in a JSON body (bulk changes). */
const filterFields = {
  severities: z.array(z.enum(SEVERITIES)).min(1).optional(),
  statuses: z.array(z.enum(ALERT_STATUSES)).min(1).optional(),
  alertTypes: z.array(z.enum(ALERT_TYPES)).min(1).optional(),
  clientIp: ipOrCidr.optional(),
  apiId: name.optional(),
  operationId: name.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  owner: name.optional(),
  tag: tagSchema.optional(),
  text: z.string().trim().min(1).max(256).optional(),
  isSample: z.boolean().optional(),
};

const timeOrder = { error: 'must not be before from', path: ['to'] };
const ordered = (filter: { from?: string; to?: string }): boolean =>
  filter.from === undefined || filter.to === undefined || Date.parse(filter.from) <= Date.parse(filter.to);

export const alertFilterSchema = z.strictObject(filterFields).refine(ordered, timeOrder);

/** A comma-separated list of enum values in a query string ("High,Medium"). */
function csv<T extends readonly [string, ...string[]]>(values: T) {
  const item = z.enum(values, { error: `must be a comma-separated list of ${values.join(', ')}` });
  return z
    .string()
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(z.array(item).min(1));
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** GET /api/alerts query parameters: the filter with query-string spellings, plus paging. */
export const alertQuerySchema = z
  .strictObject({
    severity: csv(SEVERITIES).optional(),
    status: csv(ALERT_STATUSES).optional(),
    alertType: csv(ALERT_TYPES).optional(),
    clientIp: filterFields.clientIp,
    apiId: filterFields.apiId,
    operationId: filterFields.operationId,
    from: filterFields.from,
    to: filterFields.to,
    owner: filterFields.owner,
    tag: filterFields.tag,
    q: filterFields.text,
    isSample: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((value) => value === 'true').optional(),
    pageSize: z.coerce.number({ error: 'must be a number' }).int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    continuationToken: z.string().min(1).max(2000).optional(),
  })
  .refine(ordered, timeOrder)
  .transform(({ severity, status, alertType, q, pageSize, continuationToken, ...rest }) => {
    const filter: AlertFilter = { ...rest };
    if (severity !== undefined) filter.severities = severity;
    if (status !== undefined) filter.statuses = status;
    if (alertType !== undefined) filter.alertTypes = alertType;
    if (q !== undefined) filter.text = q;
    return { filter: withoutUndefined(filter), pageSize, continuationToken };
  });

export type AlertQuery = z.output<typeof alertQuerySchema>;

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** Whether an alert passes the filter. The store may pre-filter on some fields; this is the definition. */
export function matchesAlertFilter(alert: Alert, filter: AlertFilter): boolean {
  const endpoint = alert.keyEntities.endpoint;
  return (
    (filter.severities === undefined || filter.severities.includes(alert.severity)) &&
    (filter.statuses === undefined || filter.statuses.includes(alert.status)) &&
    (filter.alertTypes === undefined || filter.alertTypes.includes(alert.alertType)) &&
    (filter.clientIp === undefined || inRange(alert.keyEntities.clientIp, filter.clientIp)) &&
    (filter.apiId === undefined || sameName(endpoint?.apiId, filter.apiId)) &&
    (filter.operationId === undefined || sameName(endpoint?.operationId, filter.operationId)) &&
    (filter.from === undefined || Date.parse(alert.endTimeUtc) >= Date.parse(filter.from)) &&
    (filter.to === undefined || Date.parse(alert.startTimeUtc) <= Date.parse(filter.to)) &&
    (filter.owner === undefined || sameName(alert.owner, filter.owner)) &&
    (filter.tag === undefined || (alert.tags ?? []).some((tag) => sameName(tag, filter.tag))) &&
    (filter.text === undefined || searchableText(alert).includes(filter.text.toLowerCase())) &&
    (filter.isSample === undefined || alert.isSample === filter.isSample)
  );
}

function sameName(actual: string | undefined, wanted: string | undefined): boolean {
  return actual !== undefined && wanted !== undefined && actual.toLowerCase() === wanted.toLowerCase();
}

function inRange(ip: string | undefined, range: string): boolean {
  if (ip === undefined) return false;
  const parsed = CidrSet.parse([range]);
  return parsed.ok && parsed.set.contains(ip);
}

function searchableText(alert: Alert): string {
  return [
    alert.alertDisplayName,
    alert.alertType,
    alert.description,
    alert.compromisedEntity,
    alert.owner ?? '',
    ...(alert.tags ?? []),
    ...Object.values(alert.extendedProperties),
  ]
    .join('\n')
    .toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Paging

/** Where a page ended: the last alert's priority fields, and which query the token belongs to. */
interface PageToken {
  v: 1;
  query: string;
  last: { severity: Severity; score: number | null; endTimeUtc: string; systemAlertId: string; exposure: number };
}

/** Identifies a filter, so a token is not used with another query. */
function filterDigest(filter: AlertFilter): string {
  const canonical = JSON.stringify(Object.entries(filter).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export interface AlertPage {
  alerts: Alert[];
  /** Present when more alerts follow: pass it back as `continuationToken` with the same filter. */
  continuationToken?: string;
}

/**
 * One page of the alerts in priority order (comparePriority: severity, exposure, score,
 * recency, id). Paging is by key, not offset: the token holds the last alert's priority, so
 * alerts raised or changed between pages neither repeat nor shift the pages after them.
 *
 * @throws ValidationError when the token is malformed or belongs to another filter.
 */
export function pageOfAlerts(
  alerts: readonly Alert[],
  query: { filter: AlertFilter; pageSize: number; continuationToken?: string },
  exposure: (alert: Alert) => number = () => 0,
): AlertPage {
  const digest = filterDigest(query.filter);
  type Ranked = PriorityFields & { exposure: number; alert?: Alert };
  const byPriority = (a: Ranked, b: Ranked): number => comparePriority(a, b, (ranked) => ranked.exposure);
  const ranked: Ranked[] = alerts.filter((alert) => matchesAlertFilter(alert, query.filter)).map((alert) => ({ ...priorityOf(alert), exposure: exposure(alert), alert }));
  ranked.sort(byPriority);
  const after = query.continuationToken === undefined ? undefined : decodeToken(query.continuationToken, digest);
  const start = after === undefined ? 0 : ranked.findIndex((candidate) => byPriority(candidate, after) > 0);
  const page = start < 0 ? [] : ranked.slice(start, start + query.pageSize);
  const result: AlertPage = { alerts: page.map((entry) => entry.alert as Alert) };
  const last = page[page.length - 1];
  if (last !== undefined && start + page.length < ranked.length) result.continuationToken = encodeToken(last, digest);
  return result;
}

function priorityOf(alert: Alert): PriorityFields {
  return { severity: alert.severity, score: alert.score, endTimeUtc: alert.endTimeUtc, systemAlertId: alert.systemAlertId };
}

function encodeToken(last: PriorityFields & { exposure: number }, query: string): string {
  const token: PageToken = {
    v: 1,
    query,
    last: {
      severity: last.severity,
      score: Number.isFinite(last.score) ? last.score : null,
      endTimeUtc: last.endTimeUtc,
      systemAlertId: last.systemAlertId,
      exposure: last.exposure,
    },
  };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

const tokenSchema = z.object({
  v: z.literal(1),
  query: z.string(),
  last: z.object({
    severity: z.enum(SEVERITIES),
    score: z.number().nullable(),
    endTimeUtc: z.string(),
    systemAlertId: z.string(),
    exposure: z.number(),
  }),
});

function decodeToken(text: string, digest: string): PriorityFields & { exposure: number } {
  let parsed: z.infer<typeof tokenSchema>;
  try {
    parsed = tokenSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError('continuationToken: not a token this API issued', 'continuationToken');
  }
  if (parsed.query !== digest) throw new ValidationError('continuationToken: issued for another filter; repeat the filter it came with', 'continuationToken');
  const { score, ...rest } = parsed.last;
  return { ...rest, score: score ?? Number.NEGATIVE_INFINITY };
}
