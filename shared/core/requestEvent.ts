/**
 * The one normalized shape every input format becomes: one API request as APIM saw it.
 * Times are epoch milliseconds of event time (the record's own `time`), never wall-clock.
 */

/** Where a record came from, so that every write it causes has a deterministic key. */
export interface SourcePosition {
  /** Event Hub partition id ("0", "1", …), or a pseudo partition such as "replay" for files. */
  partitionId: string;
  /** Event Hub sequence number of the message; strictly increasing within a partition. */
  sequenceNumber: number;
  /** Event Hub offset of the message, kept as the service reports it. */
  offset: string;
  /** Zero-based position of the record inside the message (a message can carry many records). */
  recordIndex: number;
}

/** The message-level part of a source position, as the trigger metadata gives it. */
export type MessagePosition = Omit<SourcePosition, 'recordIndex'>;

/** Which input format produced an event. */
export type InputFormat = 'gatewayLogs' | 'policyLog';

/**
 * Which figure a size came from: the logged `Content-Length` header (the body) or APIM's total
 * bytes (`requestSize`/`responseSize`, headers included).
 */
export type SizeSource = 'contentLength' | 'totalBytes';

/**
 * An API endpoint's identity. Several APIM services can feed one deployment, so the service is
 * part of it. For requests APIM matched to no operation, `operationId` is empty and
 * `pathTemplate` holds "METHOD /path/{id}" with ids folded, which then identifies the endpoint.
 */
export interface Endpoint {
  /** APIM service name, lower case ("contoso-apim"); "" when the record does not say. */
  service: string;
  /** APIM API id ("echo-api"); "" when no API matched. */
  apiId: string;
  /** APIM operation id ("retrieve-resource"); "" when no operation matched. */
  operationId: string;
  /** For unmatched requests: method + folded path template; "" for matched ones. */
  pathTemplate: string;
  /** Stable identity string, unique across services: see {@link endpointKey}. */
  key: string;
}

/** A query or path parameter. Names are case-sensitive, as APIM passes them on. */
export interface RequestParam {
  name: string;
  /** Percent-decoded value; raw text is kept where decoding fails. */
  value: string;
  location: 'query' | 'path';
}

export interface RequestEvent {
  /** Event time, epoch ms. */
  time: number;
  /** The client: X-Forwarded-For's client when the immediate caller is a trusted proxy, else the caller. Canonical text form. */
  clientIp: string;
  /** The immediate caller as APIM logged it (`callerIpAddress`), canonical text form. */
  callerIp: string;
  /** Upper-case HTTP method. */
  method: string;
  endpoint: Endpoint;
  /** The URL path as requested (no query), percent-encoding kept. */
  path: string;
  /** HTTP status returned to the client; 0 when the connection ended before a response. */
  status: number;
  /** Request size in bytes, see `requestSizeSource`. */
  requestSize: number;
  requestSizeSource: SizeSource;
  /** Response size in bytes, see `responseSizeSource`. */
  responseSize: number;
  responseSizeSource: SizeSource;
  /** Total time APIM spent on the request, ms. */
  latencyMs: number;
  /** Time spent waiting for the backend, ms, when logged. */
  backendLatencyMs?: number;
  params: RequestParam[];
  /** User-Agent, when the input carries it. */
  userAgent?: string;
  /** APIM correlation id, when logged. */
  correlationId?: string;
  format: InputFormat;
  source: SourcePosition;
}

/** Characters Table Storage forbids in keys, plus the key separator itself. */
const KEY_UNSAFE = /[\\/#?|%\u0000-\u001f\u007f-\u009f]/g;

/** Percent-escapes the characters a Table key or our key separator cannot hold. */
export function escapeKeyPart(part: string): string {
  return part.replace(KEY_UNSAFE, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

/**
 * Builds the endpoint key: `service|apiId|operationId` for matched requests and
 * `service|apiId|~METHOD /template` for unmatched ones. Every part is escaped so the key is safe
 * as a Table Storage PartitionKey or RowKey.
 * @example endpointKey({ service: 'contoso', apiId: 'echo-api', operationId: 'get', pathTemplate: '' }) // 'contoso|echo-api|get'
 */
export function endpointKey(endpoint: Omit<Endpoint, 'key'>): string {
  const operation = endpoint.operationId !== '' ? endpoint.operationId : `~${endpoint.pathTemplate}`;
  return [endpoint.service, endpoint.apiId, operation].map(escapeKeyPart).join('|');
}

/** Builds a complete Endpoint with its key. */
export function makeEndpoint(parts: Omit<Endpoint, 'key'>): Endpoint {
  return { ...parts, key: endpointKey(parts) };
}
