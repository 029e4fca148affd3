/**
 * Parsing entry point: one Event Hub message in, one result per record out — an event, a
 * rejection for quarantine, or a skip (a record that is not a request, such as another
 * diagnostic category). Never throws, whatever the input.
 *
 * Record formats, told apart per record:
 * - an object with a `v` field is a policy-log record (docs/log-to-eventhub.md);
 * - an object with `category` or `operationName` is an Azure resource-log record: a
 *   GatewayLogs one is parsed, any other category is skipped;
 * - anything else is rejected as `unknown_format` (objects) or `not_an_object`.
 */
import type { CidrSet } from '../ip';
import type { InputFormat, MessagePosition, RequestEvent, SourcePosition } from '../requestEvent';
import { safeStringify, splitBody } from './body';
import { isDiagnosticRecord, notGatewayLogsReason, parseGatewayLogRecord } from './gatewayLogs';
import { isPolicyLogRecord, parsePolicyLogRecord } from './policyLog';
import { makeRejection, type Rejection } from './rejection';

export type { Rejection, RejectionReason } from './rejection';
export { cutRaw, makeRejection } from './rejection';
export { decodeComponent, parseQuery, splitUrl } from './url';
export { analyzePath, isIdSegment } from './pathTemplate';
export { parseContentLength, readHeaders, resolveClientIp } from './headers';
export { parseEventTime } from './fields';
export { gatewayLogRecordSchema } from './gatewayLogs';
export { policyLogRecordSchema, POLICY_LOG_VERSIONS } from './policyLog';

export interface ParseOptions {
  /** Callers whose X-Forwarded-For is believed (Front Door, Application Gateway, …). */
  trustedProxies: CidrSet;
  /** Longest raw record text kept in a rejection; the full length is kept in `rawLength`. */
  maxRawChars: number;
}

export type ParseResult =
  | { kind: 'event'; event: RequestEvent }
  | { kind: 'rejected'; rejection: Rejection }
  /** Not a request (e.g. another diagnostic category): counted, not quarantined. */
  | { kind: 'skipped'; reason: string; source: SourcePosition };

function positionOf(message: MessagePosition, recordIndex: number): SourcePosition {
  return {
    partitionId: message.partitionId,
    sequenceNumber: message.sequenceNumber,
    offset: message.offset,
    recordIndex,
  };
}

/**
 * Parses one record (any JSON value) at a known source position. Exposed for replay tools
 * that read records one at a time. Never throws.
 */
export function parseRecord(
  value: unknown,
  rawText: string | undefined,
  source: SourcePosition,
  options: ParseOptions,
): ParseResult {
  const raw = (): string => rawText ?? safeStringify(value);
  const reject = (reason: Rejection['reason'], detail: string, format?: InputFormat): ParseResult => ({
    kind: 'rejected',
    rejection: makeRejection(reason, detail, raw(), options.maxRawChars, source, format),
  });
  try {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      return reject('not_an_object', `record: expected an object, got ${what}`);
    }
    const record = value as Record<string, unknown>;
    if (isPolicyLogRecord(record)) {
      const outcome = parsePolicyLogRecord(record, source, options.trustedProxies);
      return outcome.ok ? { kind: 'event', event: outcome.event } : reject(outcome.reason, outcome.detail, 'policyLog');
    }
    if (isDiagnosticRecord(record)) {
      const skip = notGatewayLogsReason(record);
      if (skip !== undefined) return { kind: 'skipped', reason: skip, source };
      const outcome = parseGatewayLogRecord(record, source, options.trustedProxies);
      return outcome.ok ? { kind: 'event', event: outcome.event } : reject(outcome.reason, outcome.detail, 'gatewayLogs');
    }
    return reject(
      'unknown_format',
      'record: neither a resource-log record (category/operationName) nor a policy-log record (v)',
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : 'unexpected failure';
    return reject('internal_error', `parser failed: ${message.slice(0, 200)}`);
  }
}

/**
 * Parses an Event Hub message body into one result per record, numbered from 0 in
 * `source.recordIndex` in the order they appear. A body that is not JSON, or a JSON-lines
 * line that is not, yields one `invalid_json` rejection for that part; the good lines still
 * parse. Never throws.
 */
export function parseMessage(body: unknown, position: MessagePosition, options: ParseOptions): ParseResult[] {
  const results: ParseResult[] = [];
  try {
    const parts = splitBody(body);
    for (const part of parts) {
      const source = positionOf(position, results.length);
      if (part.kind === 'invalid') {
        results.push({
          kind: 'rejected',
          rejection: makeRejection(part.reason, part.detail, part.text, options.maxRawChars, source),
        });
      } else {
        results.push(parseRecord(part.value, part.text, source, options));
      }
    }
  } catch (error) {
    // Not expected: splitBody and parseRecord do not throw. Keep the message visible anyway.
    const message = error instanceof Error ? error.message : 'unexpected failure';
    results.push({
      kind: 'rejected',
      rejection: makeRejection(
        'internal_error',
        `parser failed: ${message.slice(0, 200)}`,
        typeof body === 'string' ? body : safeStringify(body),
        options.maxRawChars,
        positionOf(position, results.length),
      ),
    });
  }
  return results;
}
