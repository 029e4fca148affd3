/**
 * Matching alerts (Defender export shape, as `runDetect` writes them) to the generator's
 * ground-truth labels. Pure.
 *
 * An alert matches a label when
 * - the type is equal, and the payload variant where the label has one;
 * - its time [StartTimeUtc, EndTimeUtc] overlaps the label's [start, end) widened by `slackMs`
 *   on both sides (the 20-minute window granularity plus the evaluation lateness);
 * - its key entity matches: the client IP is one of the label's for per-client types; the API
 *   and operation are the label's for the population types (population spike, distributed
 *   enumeration) and, where the label names one operation, for per-client types too; the
 *   parameter where the label names one; the APIM service where both name one.
 *
 * An alert that matches no label of its type but concerns an attack of another type is
 * "secondary" (explained): its client IP is an attacker's and its time overlaps that attack,
 * or (for alerts without a client) its endpoint is the attack's endpoint at that time — a
 * spray attacker also probing unknown paths, a payload spike also raising latency, an
 * enumeration raising its endpoint's population count. Everything else is a false alert.
 */
import type { Label } from '../../shared/generator';
import { canonical } from './common';

/** The fields of an exported alert the matcher reads. */
export interface AlertView {
  id: string;
  alertType: string;
  variant?: string;
  start: number;
  end: number;
  clientIp?: string;
  service?: string;
  apiId?: string;
  operationId?: string;
  pathTemplate?: string;
  parameterName?: string;
  statusCode?: string;
  observed?: string;
  baseline?: string;
  score?: string;
  count: number;
  userAgent?: string;
}

/** Reads an alert line of `runDetect`'s output (Defender's continuous-export shape). */
export function alertView(exported: unknown): AlertView {
  const alert = exported as {
    SystemAlertId: string;
    AlertType: string;
    StartTimeUtc: string;
    EndTimeUtc: string;
    ExtendedProperties?: Record<string, string>;
  };
  const p = alert.ExtendedProperties ?? {};
  const view: AlertView = {
    id: alert.SystemAlertId,
    alertType: alert.AlertType,
    start: Date.parse(alert.StartTimeUtc),
    end: Date.parse(alert.EndTimeUtc),
    count: Number(p.alertCount ?? 1),
  };
  const put = (key: keyof AlertView, value: string | undefined) => {
    if (value !== undefined && value !== '') (view as unknown as Record<string, string>)[key] = value;
  };
  put('variant', p.variant);
  put('clientIp', p.clientIp === undefined ? undefined : canonical(p.clientIp));
  put('service', p.service);
  put('apiId', p.apiId);
  put('operationId', p.operationId);
  put('pathTemplate', p.pathTemplate);
  put('parameterName', p.parameterName);
  put('statusCode', p.statusCode);
  put('observed', p.observed);
  put('baseline', p.baseline);
  put('score', p.score);
  put('userAgent', p.userAgent);
  return view;
}

/** Types whose key entity is an endpoint rather than a client. */
export const POPULATION_TYPES: ReadonlySet<string> = new Set(['API_PopulationSpikeInAPITraffic', 'API_DistributedParameterEnumeration']);

export type Verdict = 'true' | 'secondary' | 'false';

export interface JudgedAlert extends AlertView {
  verdict: Verdict;
  /** Labels this alert detects (verdict "true"). */
  labels: string[];
  /** For secondary alerts: the attack that explains it ("gen-1-004 API_SprayInRequests"). */
  explainedBy?: string;
  /** For false alerts: what probably caused it (see the caller's `attribute`). */
  cause?: string;
}

export type JudgedLabel = Pick<
  Label,
  'id' | 'alertType' | 'variant' | 'start' | 'end' | 'clientIps' | 'service' | 'apiId' | 'operationId' | 'parameterName' | 'requestCount' | 'description'
> & {
  detected: boolean;
  alerts: string[];
};

interface Span {
  start: number;
  end: number;
  ips: ReadonlySet<string>;
}

function spanOf(label: Label): Span {
  return { start: Date.parse(label.start), end: Date.parse(label.end), ips: new Set(label.clientIps.map(canonical)) };
}

function overlaps(alert: AlertView, span: Span, slackMs: number): boolean {
  return alert.start < span.end + slackMs && alert.end >= span.start - slackMs;
}

function concrete(value: string): boolean {
  return value !== '*';
}

function sameService(alert: AlertView, label: Label): boolean {
  return alert.service === undefined || label.service === '' || alert.service.toLowerCase() === label.service.toLowerCase();
}

function sameEndpoint(alert: AlertView, label: Label, required: boolean): boolean {
  if (concrete(label.apiId) && (alert.apiId ?? '') !== label.apiId && (required || alert.apiId !== undefined)) return false;
  if (concrete(label.operationId) && (alert.operationId ?? '') !== label.operationId && (required || alert.operationId !== undefined)) return false;
  return true;
}

/** Whether `alert` detects `label` (see the module comment). */
export function matches(alert: AlertView, label: Label, span: Span, slackMs: number): boolean {
  if (alert.alertType !== label.alertType) return false;
  if (label.variant !== undefined && alert.variant !== label.variant) return false;
  if (!overlaps(alert, span, slackMs) || !sameService(alert, label)) return false;
  if (label.parameterName !== undefined && alert.parameterName !== label.parameterName) return false;
  if (POPULATION_TYPES.has(label.alertType)) return concrete(label.operationId) && sameEndpoint(alert, label, true);
  return alert.clientIp !== undefined && span.ips.has(alert.clientIp) && sameEndpoint(alert, label, false);
}

function explains(alert: AlertView, label: Label, span: Span, slackMs: number): boolean {
  if (!overlaps(alert, span, slackMs) || !sameService(alert, label)) return false;
  if (alert.clientIp !== undefined) return span.ips.has(alert.clientIp);
  return concrete(label.apiId) && concrete(label.operationId) && sameEndpoint(alert, label, true);
}

export interface JudgeOptions {
  slackMs: number;
  /** Names the probable cause of a false alert (a benign surprise, the proxy, …). */
  attribute?: (alert: AlertView) => string;
}

/** Judges every alert and label. */
export function judge(labels: readonly Label[], alerts: readonly AlertView[], options: JudgeOptions): { labels: JudgedLabel[]; alerts: JudgedAlert[] } {
  const spans = labels.map(spanOf);
  const detectedBy = labels.map(() => [] as string[]);
  const judged = alerts.map((original): JudgedAlert => {
    const alert = original.clientIp === undefined ? original : { ...original, clientIp: canonical(original.clientIp) };
    const matched: string[] = [];
    labels.forEach((label, i) => {
      if (matches(alert, label, spans[i] as Span, options.slackMs)) {
        matched.push(label.id);
        (detectedBy[i] as string[]).push(alert.id);
      }
    });
    if (matched.length > 0) return { ...alert, verdict: 'true', labels: matched };
    const index = labels.findIndex((label, i) => explains(alert, label, spans[i] as Span, options.slackMs));
    const explainer = labels[index];
    if (explainer !== undefined) return { ...alert, verdict: 'secondary', labels: [], explainedBy: `${explainer.id} ${explainer.alertType}${explainer.variant ? ` (${explainer.variant})` : ''}` };
    return { ...alert, verdict: 'false', labels: [], cause: options.attribute?.(alert) ?? 'baseline traffic' };
  });
  const judgedLabels = labels.map((label, i): JudgedLabel => ({
    id: label.id,
    alertType: label.alertType,
    ...(label.variant !== undefined ? { variant: label.variant } : {}),
    start: label.start,
    end: label.end,
    clientIps: label.clientIps.slice(0, 5),
    service: label.service,
    apiId: label.apiId,
    operationId: label.operationId,
    ...(label.parameterName !== undefined ? { parameterName: label.parameterName } : {}),
    requestCount: label.requestCount,
    description: label.description,
    detected: (detectedBy[i] as string[]).length > 0,
    alerts: detectedBy[i] as string[],
  }));
  return { labels: judgedLabels, alerts: judged };
}

/** The row key of an alert type in tables: the payload variant is its own row. */
export function typeKey(alertType: string, variant?: string): string {
  return variant === undefined || alertType !== 'API_SpikeInPayload' ? alertType : `${alertType} (${variant})`;
}
