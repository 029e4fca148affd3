/**
 * The JSON object that APIM's `log-to-eventhub` policy writes per request, as documented (with
 * the policy snippet that produces it) in docs/log-to-eventhub.md. Version 1:
 *
 * ```json
 * {"v":1,"time":"2024-05-13T09:15:26.4496706Z","serviceName":"contoso-apim",
 *  "callerIp":"203.0.113.7","method":"GET","url":"https://contoso.azure-api.net/echo/resource?x=1",
 *  "apiId":"echo-api","operationId":"retrieve-resource","status":200,"durationMs":152.318,
 *  "correlationId":"3f06647e-1c2b-4b8e-9d1a-530eb9f15261","userAgent":"curl/8.5.0",
 *  "forwardedFor":"198.51.100.4","requestContentLength":"0","responseContentLength":"1025"}
 * ```
 *
 * Required: v, time, serviceName, callerIp, method, url, status, durationMs. Everything else is
 * optional; unknown fields are ignored, so the policy can log more without breaking the parser.
 */
import { z } from 'zod';

import type { CidrSet } from '../ip';
import type { SourcePosition } from '../requestEvent';
import { type IssueCodes, issueToRejection } from './issues';
import { type BuildResult, buildEvent, type FieldNames } from './normalize';
import { describeValue } from './rejection';

/** The field that marks an object as a policy-log record, and the versions understood. */
export const POLICY_LOG_VERSION_FIELD = 'v';
export const POLICY_LOG_VERSIONS: readonly number[] = [1];

const numberLike = z.union([z.number(), z.string()], { error: 'expected a number' });
const optionalText = z.string().nullish();

export const policyLogRecordSchema = z.object({
  v: z.literal(1),
  time: z.string(),
  serviceName: z.string(),
  callerIp: z.string(),
  method: z.string(),
  url: z.string(),
  status: numberLike,
  durationMs: numberLike,
  apiId: optionalText,
  operationId: optionalText,
  backendTimeMs: numberLike.nullish(),
  requestSize: numberLike.nullish(),
  responseSize: numberLike.nullish(),
  requestContentLength: numberLike.nullish(),
  responseContentLength: numberLike.nullish(),
  userAgent: optionalText,
  forwardedFor: optionalText,
  correlationId: optionalText,
});

export type PolicyLogRecord = z.infer<typeof policyLogRecordSchema>;

const ISSUE_CODES: IssueCodes = {
  v: ['unsupported_version', 'unsupported_version'],
  time: ['missing_time', 'bad_time'],
  serviceName: ['missing_field', 'bad_field'],
  callerIp: ['missing_ip', 'bad_ip'],
  method: ['missing_method', 'bad_method'],
  url: ['missing_url', 'bad_url'],
  status: ['missing_status', 'bad_status'],
  durationMs: ['bad_number', 'bad_number'],
  backendTimeMs: ['bad_number', 'bad_number'],
  requestSize: ['bad_number', 'bad_number'],
  responseSize: ['bad_number', 'bad_number'],
  requestContentLength: ['bad_number', 'bad_number'],
  responseContentLength: ['bad_number', 'bad_number'],
};

const NAMES: FieldNames = {
  time: 'time',
  callerIp: 'callerIp',
  method: 'method',
  url: 'url',
  status: 'status',
  durationMs: 'durationMs',
  backendTimeMs: 'backendTimeMs',
  requestSize: 'requestSize',
  responseSize: 'responseSize',
};

/** Whether an object claims to be a policy-log record (it has the version field). */
export function isPolicyLogRecord(record: Record<string, unknown>): boolean {
  return Object.prototype.hasOwnProperty.call(record, POLICY_LOG_VERSION_FIELD);
}

/** Validates and normalizes one policy-log record. */
export function parsePolicyLogRecord(
  record: Record<string, unknown>,
  source: SourcePosition,
  trustedProxies: CidrSet,
): BuildResult {
  const version = record[POLICY_LOG_VERSION_FIELD];
  if (typeof version !== 'number' || !POLICY_LOG_VERSIONS.includes(version)) {
    return {
      ok: false,
      reason: 'unsupported_version',
      detail: `v: expected one of ${POLICY_LOG_VERSIONS.join(', ')}, got ${describeValue(version)}`,
    };
  }
  const parsed = policyLogRecordSchema.safeParse(record);
  if (!parsed.success) return { ok: false, ...issueToRejection(parsed.error, record, ISSUE_CODES) };
  const data = parsed.data;
  return buildEvent(
    {
      time: data.time,
      callerIp: data.callerIp,
      method: data.method,
      url: data.url,
      status: data.status,
      durationMs: data.durationMs,
      backendTimeMs: data.backendTimeMs,
      requestSize: data.requestSize,
      responseSize: data.responseSize,
      requestContentLength: data.requestContentLength,
      responseContentLength: data.responseContentLength,
      userAgent: data.userAgent,
      forwardedFor: data.forwardedFor,
      correlationId: data.correlationId,
      service: data.serviceName.trim().toLowerCase(),
      apiId: data.apiId ?? '',
      operationId: data.operationId ?? '',
    },
    NAMES,
    'policyLog',
    source,
    trustedProxies,
  );
}
