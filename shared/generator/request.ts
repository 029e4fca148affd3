/**
 * One simulated request (RequestSpec) and its GatewayLogs record, in the shape APIM's
 * diagnostic setting writes to Event Hubs.
 */
import type { ApiSpec, OperationSpec } from './catalog';
import type { Caller, Model, ServiceRuntime } from './model';
import { WeightedTable, type Rng } from './prng';

/** An instant with sub-millisecond precision: epoch ms plus 100-ns ticks (0–9999). */
export interface Instant {
  ms: number;
  ticks: number;
}

export interface LastError {
  elapsed: number;
  source: string;
  scope: string;
  section: string;
  reason: string;
  message: string;
}

export interface RequestSpec {
  at: Instant;
  service: ServiceRuntime;
  apiId: string;
  operationId: string;
  method: string;
  url: string;
  backendUrl?: string;
  caller: Caller;
  /** User-Agent actually sent (usually the caller's). */
  userAgent: string;
  /** Subscription the request was matched to ("" when APIM matched no API/operation). */
  subscriptionId: string;
  status: number;
  /** Status from the backend; absent when APIM answered without a backend response. */
  backendStatus?: number;
  requestSize: number;
  responseSize: number;
  /** Content-Length of the request body, when there is one. */
  contentLength?: number;
  durationMs: number;
  backendTime?: number;
  clientTime: number;
  cache: 'none' | 'hit' | 'miss';
  error?: LastError;
  correlationId: string;
}

/** What an attack may change in a request; everything else follows the operation's profile. */
export interface RequestOverrides {
  status?: number;
  /** Values for path parameters, by name. */
  pathValues?: Readonly<Record<string, string>>;
  /** Values for query parameters, by name (forces them present, in declared order). */
  queryValues?: Readonly<Record<string, string>>;
  /** Leave out optional query parameters that are not in queryValues. */
  onlyGivenQuery?: boolean;
  /** Extra query parameters appended after the declared ones. */
  extraQuery?: ReadonlyArray<readonly [string, string]>;
  requestBodyBytes?: number;
  responseBodyBytes?: number;
  backendTimeMs?: number;
  userAgent?: string;
}

const statusTables = new WeakMap<OperationSpec, WeightedTable<number>>();

function statusTable(op: OperationSpec): WeightedTable<number> {
  let table = statusTables.get(op);
  if (!table) {
    table = new WeightedTable(op.statuses);
    statusTables.set(op, table);
  }
  return table;
}

/** Draws a status code from an operation's status mix. */
export function drawStatus(rng: Rng, op: OperationSpec): number {
  return statusTable(op).pick(rng);
}

function encodeQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  return `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

function fillPath(rng: Rng, op: OperationSpec, at: number, given: Readonly<Record<string, string>> | undefined): string {
  let path = op.template;
  for (const param of op.pathParams) {
    const value = given?.[param.name] ?? param.gen(rng, at);
    path = path.replace(`{${param.name}}`, encodeURIComponent(value));
  }
  return path;
}

function buildQuery(rng: Rng, op: OperationSpec, at: number, ov: RequestOverrides | undefined): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  for (const param of op.queryParams) {
    const forced = ov?.queryValues?.[param.name];
    if (forced !== undefined) {
      pairs.push([param.name, forced]);
    } else if (!ov?.onlyGivenQuery && rng.chance(param.presence)) {
      pairs.push([param.name, param.gen(rng, at)]);
    }
  }
  for (const extra of ov?.extraQuery ?? []) pairs.push(extra);
  return pairs;
}

interface Outcome {
  /** APIM answered itself; the backend was not called. */
  gatewayOnly: boolean;
  backendStatus?: number;
  error?: Omit<LastError, 'elapsed'>;
}

function outcomeOf(rng: Rng, op: OperationSpec, status: number): Outcome {
  if (status === 429) {
    return {
      gatewayOnly: true,
      error: { source: 'rate-limit-by-key', scope: 'product', section: 'inbound', reason: 'RateLimitExceeded', message: `Rate limit is exceeded. Try again in ${rng.int(1, 59)} seconds.` },
    };
  }
  if (status === 401 && op.auth && rng.chance(0.5)) {
    const expired = rng.chance(0.7);
    return {
      gatewayOnly: true,
      error: {
        source: 'validate-jwt',
        scope: 'api',
        section: 'inbound',
        reason: expired ? 'TokenExpired' : 'TokenNotPresent',
        message: expired ? 'IDX10223: Lifetime validation failed. The token is expired.' : 'JWT not present.',
      },
    };
  }
  if (status === 502) {
    return {
      gatewayOnly: false,
      error: { source: 'forward-request', scope: 'api', section: 'backend', reason: 'BackendConnectionFailure', message: 'Error occured while calling backend service.' },
    };
  }
  if (status === 504) {
    return {
      gatewayOnly: false,
      error: { source: 'forward-request', scope: 'api', section: 'backend', reason: 'Timeout', message: 'Request to the backend service timed out.' },
    };
  }
  return { gatewayOnly: false, backendStatus: status };
}

function backendTimeFor(rng: Rng, op: OperationSpec, status: number): number {
  const { median, sigma } = op.latency;
  if (status < 400) return rng.lognormal(median, sigma);
  if (status < 500) return rng.lognormal(median * 0.5, sigma);
  if (status === 502) return rng.lognormal(1_800, 0.6);
  if (status === 504) return rng.lognormal(30_000, 0.03);
  if (status === 503) return rng.lognormal(median * 3 + 100, 0.6);
  return rng.lognormal(median * 4 + 200, 0.7);
}

function responseBodyFor(rng: Rng, op: OperationSpec, method: string, status: number, gatewayOnly: boolean): number {
  if (method === 'HEAD' || status === 204) return 0;
  if (gatewayOnly) return Math.round(rng.lognormal(150, 0.2));
  if (status < 400) return op.response.median > 0 ? Math.round(rng.lognormal(op.response.median, op.response.sigma)) : 0;
  if (status < 500) return Math.round(rng.lognormal(160, 0.3));
  return Math.round(rng.lognormal(180, 0.3));
}

/** Time on the client connection to move `bytes` (a few MB/s, varying per request). */
function transferMs(rng: Rng, bytes: number): number {
  return bytes / rng.lognormal(2_500, 0.5);
}

/** Builds a request to a known operation. Draws status and sizes from the operation's profile unless overridden. */
export function makeRequest(
  model: Model,
  rng: Rng,
  at: Instant,
  caller: Caller,
  op: OperationSpec,
  ov?: RequestOverrides,
): RequestSpec {
  const service = model.serviceOfApi.get(op.apiId) as ServiceRuntime;
  const apiSpec = service.apis.find((a) => a.apiId === op.apiId) as ApiSpec;
  const path = fillPath(rng, op, at.ms, ov?.pathValues);
  const query = encodeQuery(buildQuery(rng, op, at.ms, ov));
  const status = ov?.status ?? drawStatus(rng, op);
  const outcome = outcomeOf(rng, op, status);
  const cache: RequestSpec['cache'] = outcome.gatewayOnly || !op.cached ? 'none' : status === 200 && rng.chance(0.7) ? 'hit' : 'miss';
  const backendCalled = !outcome.gatewayOnly && cache !== 'hit';

  const url = `https://${service.host}/${apiSpec.path}${path}${query}`;
  const bodyBytes = ov?.requestBodyBytes ?? (op.body ? Math.round(rng.lognormal(op.body.median, op.body.sigma)) : 0);
  const requestSize = Math.round(caller.headerBytes * rng.lognormal(1, 0.05)) + url.length + (op.auth ? 1_150 : 0) + bodyBytes;
  const responseBody = ov?.responseBodyBytes ?? responseBodyFor(rng, op, op.method, status, outcome.gatewayOnly);
  const responseSize = Math.round(rng.lognormal(330, 0.08)) + responseBody;

  const backendTime = backendCalled ? Math.max(1, Math.round(ov?.backendTimeMs ?? backendTimeFor(rng, op, status))) : undefined;
  const overhead = rng.lognormal(2.5, 0.5);
  const clientTime = Math.round(transferMs(rng, responseSize) + (bodyBytes > 0 ? transferMs(rng, bodyBytes) : 0));
  const durationMs = Math.max(0, Math.round(overhead + (backendTime ?? 0) + clientTime));

  return {
    at,
    service,
    apiId: op.apiId,
    operationId: op.operationId,
    method: op.method,
    url,
    ...(backendCalled ? { backendUrl: `${apiSpec.backend}${path}${query}` } : {}),
    caller,
    userAgent: ov?.userAgent ?? caller.userAgent,
    subscriptionId: caller.subscriptionId,
    status,
    ...(outcome.backendStatus !== undefined && backendCalled ? { backendStatus: outcome.backendStatus } : {}),
    requestSize,
    responseSize,
    ...(bodyBytes > 0 ? { contentLength: bodyBytes } : {}),
    durationMs,
    ...(backendTime !== undefined ? { backendTime } : {}),
    clientTime,
    cache,
    ...(outcome.error ? { error: { elapsed: Math.round(overhead + (backendTime ?? 0)), ...outcome.error } } : {}),
    correlationId: rng.uuid(),
  };
}

/** Builds a request APIM could not match to an operation (404, operationId ""; apiId "" when no API matched either). */
export function makeUnmatchedRequest(
  rng: Rng,
  at: Instant,
  caller: Caller,
  service: ServiceRuntime,
  method: string,
  pathAndQuery: string,
  userAgent?: string,
): RequestSpec {
  const pathOnly = pathAndQuery.split('?')[0] as string;
  const apiSpec = service.apis.find((a) => pathOnly === `/${a.path}` || pathOnly.startsWith(`/${a.path}/`));
  const url = `https://${service.host}${pathAndQuery}`;
  const overhead = rng.lognormal(1.5, 0.5);
  const responseSize = Math.round(rng.lognormal(330, 0.08)) + Math.round(rng.lognormal(120, 0.1));
  const clientTime = Math.round(transferMs(rng, responseSize));
  return {
    at,
    service,
    apiId: apiSpec?.apiId ?? '',
    operationId: '',
    method,
    url,
    caller,
    userAgent: userAgent ?? caller.userAgent,
    subscriptionId: '',
    status: 404,
    requestSize: Math.round(caller.headerBytes * rng.lognormal(1, 0.05)) + url.length,
    responseSize,
    durationMs: Math.max(0, Math.round(overhead + clientTime)),
    clientTime,
    cache: 'none',
    error: apiSpec
      ? { elapsed: Math.round(overhead), source: 'configuration', scope: 'api', section: 'inbound', reason: 'OperationNotFound', message: 'Unable to match incoming request to an operation.' }
      : { elapsed: Math.round(overhead), source: 'configuration', scope: 'global', section: 'inbound', reason: 'ApiNotFound', message: 'Unable to match incoming request to an API.' },
    correlationId: rng.uuid(),
  };
}

/** ISO time with 7 fractional digits, as APIM writes it: "2026-11-01T10:00:00.1234567Z". */
export function formatTime(at: Instant): string {
  const iso = new Date(at.ms).toISOString();
  return `${iso.slice(0, 23)}${String(at.ticks).padStart(4, '0')}Z`;
}

/** Orders instants (and requests) by time. */
export function compareInstants(a: Instant, b: Instant): number {
  return a.ms - b.ms || a.ticks - b.ticks;
}

/** The GatewayLogs record for a request. Key order follows what APIM writes. */
export function toRecord(spec: RequestSpec, logHeaders: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    method: spec.method,
    url: spec.url,
  };
  if (spec.backendStatus !== undefined) properties['backendResponseCode'] = spec.backendStatus;
  properties['responseCode'] = spec.status;
  properties['responseSize'] = spec.responseSize;
  properties['cache'] = spec.cache;
  if (spec.backendTime !== undefined) properties['backendTime'] = spec.backendTime;
  properties['requestSize'] = spec.requestSize;
  properties['apiId'] = spec.apiId;
  properties['operationId'] = spec.operationId;
  properties['apimSubscriptionId'] = spec.subscriptionId;
  properties['clientTime'] = spec.clientTime;
  properties['clientProtocol'] = spec.caller.protocol;
  if (spec.backendUrl !== undefined) properties['backendProtocol'] = 'HTTP/1.1';
  properties['apiRevision'] = spec.apiId === '' ? '' : '1';
  properties['clientTlsVersion'] = spec.caller.tlsVersion;
  if (spec.backendUrl !== undefined) {
    properties['backendMethod'] = spec.method;
    properties['backendUrl'] = spec.backendUrl;
  }
  if (spec.error) properties['lastError'] = spec.error;
  if (logHeaders) {
    const headers: Record<string, string> = { 'User-Agent': spec.userAgent };
    if (spec.contentLength !== undefined) headers['Content-Length'] = String(spec.contentLength);
    if (spec.caller.forwardedFor !== undefined) headers['X-Forwarded-For'] = spec.caller.forwardedFor;
    properties['requestHeaders'] = headers;
  }
  return {
    DeploymentVersion: spec.service.deploymentVersion,
    Level: 4,
    isRequestSuccess: spec.status >= 200 && spec.status < 400,
    time: formatTime(spec.at),
    operationName: 'Microsoft.ApiManagement/GatewayLogs',
    category: 'GatewayLogs',
    durationMs: spec.durationMs,
    callerIpAddress: spec.caller.callerIp,
    correlationId: spec.correlationId,
    location: spec.service.location,
    properties,
    resourceId: spec.service.resourceId,
  };
}
