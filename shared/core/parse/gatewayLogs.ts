/**
 * APIM's `GatewayLogs` resource log, as a diagnostic setting streams it to Event Hubs: each
 * message body is `{"records":[…]}` and each record looks like
 *
 * ```json
 * {
 *   "DeploymentVersion": "0.45.16599.0", "Level": 4, "isRequestSuccess": true,
 *   "time": "2024-05-13T09:15:26.4496706Z",
 *   "operationName": "Microsoft.ApiManagement/GatewayLogs", "category": "GatewayLogs",
 *   "durationMs": 152, "callerIpAddress": "203.0.113.7",
 *   "correlationId": "3f06647e-1c2b-4b8e-9d1a-530eb9f15261", "location": "West Europe",
 *   "properties": {
 *     "method": "GET", "url": "https://contoso.azure-api.net/echo/resource?param1=sample",
 *     "backendResponseCode": 200, "responseCode": 200, "responseSize": 1025, "cache": "none",
 *     "backendTime": 58, "requestSize": 658, "apiId": "echo-api", "operationId": "retrieve-resource",
 *     "apimSubscriptionId": "master", "clientTime": 3, "clientProtocol": "HTTP/1.1",
 *     "backendProtocol": "HTTP/1.1", "apiRevision": "1", "clientTlsVersion": "1.2",
 *     "backendMethod": "GET", "backendUrl": "https://backend.example.net/api/resource?param1=sample",
 *     "requestHeaders": { "User-Agent": "curl/8.5.0" }
 *   },
 *   "resourceId": "/SUBSCRIPTIONS/…/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/CONTOSO"
 * }
 * ```
 *
 * Field names follow Microsoft's GatewayLogs schema reference and the sample entry in "Monitor
 * published APIs". Unknown fields are ignored; `operationId` (and often `apiId`) is "" or
 * absent when APIM matched no operation. `requestHeaders`/`responseHeaders` appear only for
 * headers the `azuremonitor` diagnostic is told to log. Early versions of the log wrote
 * `properties` as a JSON string; that is accepted too.
 */
import { z } from 'zod';

import type { CidrSet } from '../ip';
import type { SourcePosition } from '../requestEvent';
import { serviceFromResourceId } from './fields';
import { headerValue, readHeaders } from './headers';
import { type IssueCodes, issueToRejection } from './issues';
import { type BuildResult, buildEvent, type FieldNames } from './normalize';

export const GATEWAY_LOGS_CATEGORY = 'GatewayLogs';

const numberLike = z.union([z.number(), z.string()], { error: 'expected a number' });
const optionalText = z.string().nullish();

/** The part of a GatewayLogs record this app reads; everything else is ignored. */
export const gatewayLogRecordSchema = z.object({
  time: z.string(),
  resourceId: optionalText,
  category: optionalText,
  operationName: optionalText,
  durationMs: numberLike,
  callerIpAddress: z.string(),
  correlationId: optionalText,
  properties: z.object({
    method: z.string(),
    url: z.string(),
    responseCode: numberLike,
    responseSize: numberLike.nullish(),
    requestSize: numberLike.nullish(),
    backendTime: numberLike.nullish(),
    apiId: optionalText,
    operationId: optionalText,
    requestHeaders: z.unknown().optional(),
    responseHeaders: z.unknown().optional(),
  }),
});

export type GatewayLogRecord = z.infer<typeof gatewayLogRecordSchema>;

const ISSUE_CODES: IssueCodes = {
  time: ['missing_time', 'bad_time'],
  callerIpAddress: ['missing_ip', 'bad_ip'],
  durationMs: ['bad_number', 'bad_number'],
  properties: ['missing_field', 'bad_field'],
  'properties.method': ['missing_method', 'bad_method'],
  'properties.url': ['missing_url', 'bad_url'],
  'properties.responseCode': ['missing_status', 'bad_status'],
  'properties.responseSize': ['bad_number', 'bad_number'],
  'properties.requestSize': ['bad_number', 'bad_number'],
  'properties.backendTime': ['bad_number', 'bad_number'],
};

const NAMES: FieldNames = {
  time: 'time',
  callerIp: 'callerIpAddress',
  method: 'properties.method',
  url: 'properties.url',
  status: 'properties.responseCode',
  durationMs: 'durationMs',
  backendTimeMs: 'properties.backendTime',
  requestSize: 'properties.requestSize',
  responseSize: 'properties.responseSize',
};

/** Whether an object looks like an Azure resource-log record (of any category). */
export function isDiagnosticRecord(record: Record<string, unknown>): boolean {
  return typeof record['category'] === 'string' || typeof record['operationName'] === 'string';
}

function sameText(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

/**
 * Why a resource-log record is not a GatewayLogs request, or undefined when it is one: the
 * category must be "GatewayLogs" and the operationName, when present, must end in
 * "/GatewayLogs" ("Microsoft.ApiManagement/GatewayLogs"). Compared case-insensitively.
 */
export function notGatewayLogsReason(record: Record<string, unknown>): string | undefined {
  const category = record['category'];
  const operationName = record['operationName'];
  if (typeof category === 'string' && !sameText(category, GATEWAY_LOGS_CATEGORY)) {
    return `category ${JSON.stringify(category.slice(0, 80))} is not ${GATEWAY_LOGS_CATEGORY}`;
  }
  if (typeof operationName === 'string') {
    const slash = operationName.lastIndexOf('/');
    if (!sameText(operationName.slice(slash + 1), GATEWAY_LOGS_CATEGORY)) {
      return `operationName ${JSON.stringify(operationName.slice(0, 80))} is not ${GATEWAY_LOGS_CATEGORY}`;
    }
  }
  return undefined;
}

/** Validates and normalizes one GatewayLogs record (already known to be of that category). */
export function parseGatewayLogRecord(
  record: Record<string, unknown>,
  source: SourcePosition,
  trustedProxies: CidrSet,
): BuildResult {
  let input: unknown = record;
  const properties = record['properties'];
  if (typeof properties === 'string') {
    // Early GatewayLogs wrote properties as a JSON string.
    try {
      input = { ...record, properties: JSON.parse(properties) as unknown };
    } catch {
      return { ok: false, reason: 'bad_field', detail: 'properties: a string that is not JSON' };
    }
  }
  const parsed = gatewayLogRecordSchema.safeParse(input);
  if (!parsed.success) return { ok: false, ...issueToRejection(parsed.error, input, ISSUE_CODES) };
  const data = parsed.data;
  const props = data.properties;
  const requestHeaders = readHeaders(props.requestHeaders);
  const responseHeaders = readHeaders(props.responseHeaders);

  return buildEvent(
    {
      time: data.time,
      callerIp: data.callerIpAddress,
      method: props.method,
      url: props.url,
      status: props.responseCode,
      durationMs: data.durationMs,
      backendTimeMs: props.backendTime,
      requestSize: props.requestSize,
      responseSize: props.responseSize,
      requestContentLength: headerValue(requestHeaders, 'content-length'),
      responseContentLength: headerValue(responseHeaders, 'content-length'),
      userAgent: headerValue(requestHeaders, 'user-agent'),
      forwardedFor: headerValue(requestHeaders, 'x-forwarded-for'),
      correlationId: data.correlationId,
      service: serviceFromResourceId(data.resourceId),
      apiId: props.apiId ?? '',
      operationId: props.operationId ?? '',
    },
    NAMES,
    'gatewayLogs',
    source,
    trustedProxies,
  );
}
