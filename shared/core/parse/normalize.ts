/**
 * The one place where a request's fields, whichever format they came from, become a
 * RequestEvent: the same checks, the same client-IP rule, the same size preference.
 */
import { type CidrSet, normalizeIp } from '../ip';
import {
  type InputFormat,
  makeEndpoint,
  type RequestEvent,
  type RequestParam,
  type SizeSource,
  type SourcePosition,
} from '../requestEvent';
import { optionalText, parseEventTime, readMethod, readNonNegative, readStatus } from './fields';
import { parseContentLength, resolveClientIp } from './headers';
import { analyzePath } from './pathTemplate';
import { describeValue, type RejectionReason } from './rejection';
import { parseQuery, splitUrl } from './url';

/** A request's fields as a format module extracted them, before any checking. */
export interface RequestFields {
  time: string;
  callerIp: string;
  method: string;
  url: string;
  status: unknown;
  durationMs: unknown;
  backendTimeMs?: unknown;
  /** Total bytes (APIM's requestSize/responseSize), when the format has them. */
  requestSize?: unknown;
  responseSize?: unknown;
  /** Content-Length values (numbers or header text), when logged. */
  requestContentLength?: unknown;
  responseContentLength?: unknown;
  userAgent?: string | null | undefined;
  forwardedFor?: string | null | undefined;
  correlationId?: string | null | undefined;
  service: string;
  apiId: string;
  operationId: string;
}

/** How each field is called in the source format, for rejection details. */
export type FieldNames = Record<
  'time' | 'callerIp' | 'method' | 'url' | 'status' | 'durationMs' | 'backendTimeMs' | 'requestSize' | 'responseSize',
  string
>;

export type BuildResult = { ok: true; event: RequestEvent } | { ok: false; reason: RejectionReason; detail: string };

function fail(reason: RejectionReason, detail: string): BuildResult {
  return { ok: false, reason, detail };
}

/** Picks Content-Length when logged and valid, else the total bytes, else 0 (as total bytes). */
function pickSize(
  contentLength: unknown,
  total: unknown,
  name: string,
): { size: number; source: SizeSource } | { error: string } {
  const fromHeader = parseContentLength(contentLength);
  if (fromHeader !== undefined) return { size: fromHeader, source: 'contentLength' };
  if (total === undefined || total === null) return { size: 0, source: 'totalBytes' };
  const bytes = readNonNegative(total);
  if (bytes === undefined) return { error: `${name}: expected a non-negative number, got ${describeValue(total)}` };
  return { size: bytes, source: 'totalBytes' };
}

export function buildEvent(
  fields: RequestFields,
  names: FieldNames,
  format: InputFormat,
  source: SourcePosition,
  trustedProxies: CidrSet,
): BuildResult {
  const time = parseEventTime(fields.time);
  if (time === undefined) {
    return fail('bad_time', `${names.time}: expected an ISO 8601 date-time, got ${describeValue(fields.time)}`);
  }

  const callerIp = normalizeIp(fields.callerIp);
  if (callerIp === undefined) {
    return fail('bad_ip', `${names.callerIp}: expected an IPv4 or IPv6 address, got ${describeValue(fields.callerIp)}`);
  }

  if (fields.method.trim() === '') return fail('missing_method', `${names.method}: empty`);
  const method = readMethod(fields.method);
  if (method === undefined) {
    return fail('bad_method', `${names.method}: expected an HTTP method, got ${describeValue(fields.method)}`);
  }

  if (fields.url.trim() === '') return fail('missing_url', `${names.url}: empty`);
  const url = splitUrl(fields.url);
  if (url === undefined) {
    return fail('bad_url', `${names.url}: not an absolute URL or a path, got ${describeValue(fields.url)}`);
  }

  const status = readStatus(fields.status);
  if (status === undefined) {
    return fail('bad_status', `${names.status}: expected an integer from 0 to 999, got ${describeValue(fields.status)}`);
  }

  const latencyMs = readNonNegative(fields.durationMs);
  if (latencyMs === undefined) {
    return fail('bad_number', `${names.durationMs}: expected a non-negative number, got ${describeValue(fields.durationMs)}`);
  }

  let backendLatencyMs: number | undefined;
  if (fields.backendTimeMs !== undefined && fields.backendTimeMs !== null) {
    backendLatencyMs = readNonNegative(fields.backendTimeMs);
    if (backendLatencyMs === undefined) {
      return fail(
        'bad_number',
        `${names.backendTimeMs}: expected a non-negative number, got ${describeValue(fields.backendTimeMs)}`,
      );
    }
  }

  const request = pickSize(fields.requestContentLength, fields.requestSize, names.requestSize);
  if ('error' in request) return fail('bad_number', request.error);
  const response = pickSize(fields.responseContentLength, fields.responseSize, names.responseSize);
  if ('error' in response) return fail('bad_number', response.error);

  const params: RequestParam[] = [];
  const unmatched = fields.operationId === '';
  const pathTemplate = analyzePath(url.path, unmatched ? method : undefined, params);
  if (url.query !== undefined) parseQuery(url.query, params);

  const event: RequestEvent = {
    time,
    clientIp: resolveClientIp(callerIp, optionalText(fields.forwardedFor), trustedProxies),
    callerIp,
    method,
    endpoint: makeEndpoint({
      service: fields.service,
      apiId: fields.apiId,
      operationId: fields.operationId,
      pathTemplate,
    }),
    path: url.path,
    status,
    requestSize: request.size,
    requestSizeSource: request.source,
    responseSize: response.size,
    responseSizeSource: response.source,
    latencyMs,
    params,
    format,
    source,
  };
  if (backendLatencyMs !== undefined) event.backendLatencyMs = backendLatencyMs;
  const userAgent = optionalText(fields.userAgent);
  if (userAgent !== undefined) event.userAgent = userAgent;
  const correlationId = optionalText(fields.correlationId);
  if (correlationId !== undefined) event.correlationId = correlationId;
  return { ok: true, event };
}
