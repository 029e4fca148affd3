/**
 * A local HTTPS server that speaks enough of Azure Resource Manager's REST protocol for the real
 * @azure/arm-apimanagement and @azure/arm-logic clients to work against it, recording every
 * request it is sent.
 *
 * Why HTTPS: @azure/core-rest-pipeline 1.24's bearerTokenAuthenticationPolicy (which both ARM
 * clients always install) throws for any non-https URL, and `allowInsecureConnection` does not
 * relax it. So the fake listens on 127.0.0.1 with a self-signed test certificate (below; valid
 * 2000–2100 for IP 127.0.0.1 and localhost) and clients trust it through the pipeline's
 * `tlsOptions: { ca }` — the real auth policy still runs and the fake sees the bearer token.
 * Use `fake.clientOptions()` as the SDK client options.
 *
 * Supported (api-version is recorded, not checked; names are case-insensitive like ARM's):
 * - APIM service GET `…/providers/Microsoft.ApiManagement/service/{name}` (sku name/capacity,
 *   gatewayUrl, publicNetworkAccess, virtualNetworkType, apiVersionConstraint).
 * - Listing, in pages of `setPageSize(n)` items linked by `nextLink` (`$skip`, as APIM does):
 *   APIs `…/apis` (`$filter=isCurrent eq true` honoured, other filters refused with 400),
 *   operations `…/apis/{apiId}/operations` (method, urlTemplate, template and query parameters),
 *   products `…/products`, a product's APIs `…/products/{productId}/apis`, subscriptions
 *   `…/subscriptions` (scope, state; never keys).
 * - Policies at global `…/service/{name}/policies/policy`, API `…/apis/{apiId}/policies/policy` and
 *   operation `…/apis/{apiId}/operations/{opId}/policies/policy` scopes: GET (`format` =
 *   rawxml | xml, echoed; the stored text is returned as is), PUT (`{ properties: { value,
 *   format } }`; If-Match optional: absent = upsert, `*` = must exist, else must equal the
 *   current ETag → 412), DELETE (If-Match required, 200, or 204 when absent). Every write gets
 *   a new quoted ETag, returned in the `ETag` header.
 * - Operation GET `…/apis/{apiId}/operations/{opId}` (its details).
 * - API GET and PATCH `…/apis/{apiId}` (`subscriptionRequired`, `displayName`, `path`; PATCH needs
 *   If-Match like DELETE).
 * - Logic Apps `POST …/providers/Microsoft.Logic/workflows/{wf}/triggers/{trigger}/listCallbackUrl`
 *   returning `{ value, method: 'POST', basePath, queries: { api-version, sp, sv, sig } }`, and the
 *   callback endpoint itself (`POST /workflows/{id}/triggers/{trigger}/paths/invoke`), which checks
 *   `sig`, records the body and answers 202 with `x-ms-workflow-run-id`.
 * - Fault injection: the next N policy/API writes fail with 412 or 500 (`failNextWrites`); the
 *   next N requests matching a predicate (any request) fail with 429 or 503 (with a
 *   `Retry-After` when asked) or 500, unapplied (`failRequests`), as ARM throttling and outages do.
 * - 404 with an ARM error body for anything unknown.
 *
 * Not supported: other resources, long-running operations, api revision endpoints (a revision
 * is just an API named `id;rev=N` with `isCurrent: false`), real policy validation or
 * xml↔rawxml conversion, token validation (any bearer token is accepted but its presence is
 * recorded).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import type { AccessToken, TokenCredential } from '@azure/core-auth';

/** Test-only key and self-signed certificate for 127.0.0.1 / localhost. Not a secret. */
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqt19yYAXpwJBSar1
ROAvBI8uuPge0XfPnMqpHHfGmeOhRANCAAQhlLwbUeU14Y0CO3BG30S0oPOJc5WV
friMf38G3L6WjeC58REXlN3bE6koxNAj7z7Oupp0ehNRxcaZIffOlzAd
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBkjCCATegAwIBAgIBATAKBggqhkjOPQQDAjAYMRYwFAYDVQQDDA1mYWtlLWFy
bS50ZXN0MCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAYMRYwFAYD
VQQDDA1mYWtlLWFybS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEIZS8
G1HlNeGNAjtwRt9EtKDziXOVlX64jH9/Bty+lo3gufERF5Td2xOpKMTQI+8+zrqa
dHoTUcXGmSH3zpcwHaNwMG4wGgYDVR0RBBMwEYcEfwAAAYIJbG9jYWxob3N0MAwG
A1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMB
MB0GA1UdDgQWBBQV+ZMSFz9SVCW9PtRlG7yJvJpoSDAKBggqhkjOPQQDAgNJADBG
AiEAmwOk03xtr/6R+FWJpLpc7Ul09JaGz0Tjhe5ZAcEPLBcCIQCzOc87IDVcRSbA
QqSNzHSfbmY4x7Ji6pVRVDGDDFgrdQ==
-----END CERTIFICATE-----
`;

/** The token the fake credential hands out. */
export const FAKE_ARM_TOKEN = 'fake-arm-token';

/** A TokenCredential that returns a static token, for SDK clients pointed at the fake. */
export const fakeArmCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: FAKE_ARM_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

export interface RecordedRequest {
  method: string;
  /** Path without the query, as sent (not lower-cased). */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names; Authorization is left out. */
  headers: Record<string, string>;
  /** Whether an `Authorization: Bearer …` header was present. */
  bearer: boolean;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  body: unknown;
}

export interface ServiceRef {
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
}

export type FakePolicyScope = { kind: 'global' } | { kind: 'api'; apiId: string } | { kind: 'operation'; apiId: string; operationId: string };

export interface WorkflowRef {
  subscriptionId: string;
  resourceGroup: string;
  workflowName: string;
  triggerName: string;
}

export interface CallbackCall {
  workflowName: string;
  triggerName: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface WorkflowBehaviour {
  /** Status the callback answers with (default 202). */
  status?: number;
  /** Run id returned in `x-ms-workflow-run-id` (default: a new one per call; null: none). */
  runId?: string | null;
  /** Delay before answering the callback, in ms (to exercise client timeouts). */
  delayMs?: number;
}

/** An operation as addApi takes it: a name, or its details (defaults: GET `/{name}`). */
export type FakeOperation =
  | string
  | {
      name: string;
      displayName?: string;
      method?: string;
      urlTemplate?: string;
      templateParameters?: Array<{ name: string; type: string; required?: boolean }>;
      queryParameters?: Array<{ name: string; type: string; required?: boolean }>;
    };

export interface FakeApi {
  subscriptionRequired?: boolean;
  operations?: FakeOperation[];
  displayName?: string;
  path?: string;
  /** Default ['https']. */
  protocols?: string[];
  serviceUrl?: string;
  apiVersion?: string;
  /** Default true; a revision that is not current is named `apiId;rev=N`. */
  isCurrent?: boolean;
}

export interface FakeServiceProperties {
  /** Default https://NAME.azure-api.net. */
  gatewayUrl?: string;
  /** Default 'Enabled'. */
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  /** Default 'None'. */
  virtualNetworkType?: 'None' | 'External' | 'Internal';
  /** apiVersionConstraint.minApiVersion; absent by default. */
  minApiVersion?: string;
}

export interface FakeProduct {
  displayName?: string;
  /** Default 'published'. */
  state?: 'published' | 'notPublished';
  /** Default true. */
  subscriptionRequired?: boolean;
  approvalRequired?: boolean;
  apis?: string[];
}

export interface FakeSubscription {
  /** As ARM takes it: '/apis', '/apis/{apiId}' or '/products/{productId}' (returned under the service's id). */
  scope: string;
  /** Default 'active'. */
  state?: 'active' | 'suspended' | 'submitted' | 'rejected' | 'cancelled' | 'expired';
  displayName?: string;
}

/** Injected failures: the next `count` requests `match` accepts (default: all) answer `status`, unapplied. */
export interface RequestFailure {
  count: number;
  status: 429 | 500 | 503;
  /** Sent as the `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  match?: (request: RecordedRequest) => boolean;
}

export interface FakeArm {
  /** https://127.0.0.1:PORT */
  url: string;
  /** PEM of the certificate the server presents; trust it with `tlsOptions: { ca }`. */
  caCert: string;
  /** Options for ApiManagementClient / LogicManagementClient: endpoint + tlsOptions, retries off. */
  clientOptions(): { endpoint: string; tlsOptions: { ca: string }; retryOptions: { maxRetries: number } };
  /**
   * The same with the SDK's retry policy as production has it (default retry count; Retry-After
   * honoured), only the exponential backoff's delays shortened so tests stay fast.
   */
  retryingClientOptions(): { endpoint: string; tlsOptions: { ca: string }; retryOptions: { retryDelayInMs: number; maxRetryDelayInMs: number } };
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Forgets the recorded requests and callback calls. */
  clearRequests(): void;
  addService(ref: ServiceRef, sku: { name: string; capacity?: number }, properties?: FakeServiceProperties): void;
  addApi(ref: ServiceRef, apiId: string, api?: FakeApi): void;
  addProduct(ref: ServiceRef, productId: string, product?: FakeProduct): void;
  addSubscription(ref: ServiceRef, subscriptionId: string, subscription: FakeSubscription): void;
  /** Items per page of every list (default 100). */
  setPageSize(size: number): void;
  /** The API as stored (undefined if unknown). */
  api(ref: ServiceRef, apiId: string): { subscriptionRequired: boolean; etag: string } | undefined;
  /** Writes a policy directly, as another writer would; returns the new ETag. */
  setPolicy(ref: ServiceRef, scope: FakePolicyScope, xml: string): string;
  policy(ref: ServiceRef, scope: FakePolicyScope): { xml: string; etag: string } | undefined;
  /** Makes the next `count` PUT/PATCH/DELETE requests on policies or APIs fail with `status`, unapplied. */
  failNextWrites(count: number, status: 412 | 500): void;
  /** Queues injected failures; each request takes the first queued rule that matches it and has failures left. */
  failRequests(failure: RequestFailure): void;
  /** Drops every injected failure not yet taken. */
  clearFailures(): void;
  /** Registers a workflow trigger; returns its callback `sig` (the secret part of the URL). */
  addWorkflow(ref: WorkflowRef, behaviour?: WorkflowBehaviour): string;
  /** Bodies POSTed to callback URLs, oldest first. */
  readonly callbacks: CallbackCall[];
  stop(): Promise<void>;
}

interface StoredPolicy {
  xml: string;
  etag: string;
}

interface StoredOperation {
  name: string;
  displayName: string;
  method: string;
  urlTemplate: string;
  templateParameters: Array<{ name: string; type: string; required?: boolean }>;
  queryParameters: Array<{ name: string; type: string; required?: boolean }>;
}

interface StoredApi {
  id: string;
  subscriptionRequired: boolean;
  displayName: string;
  path: string;
  protocols: string[];
  serviceUrl: string | undefined;
  apiVersion: string | undefined;
  isCurrent: boolean;
  operations: Map<string, StoredOperation>;
  etag: string;
}

interface StoredService {
  name: string;
  sku: { name: string; capacity: number };
  properties: FakeServiceProperties;
  apis: Map<string, StoredApi>;
  products: Map<string, StoredProduct>;
  subscriptions: Map<string, { id: string } & FakeSubscription>;
}

interface StoredProduct {
  id: string;
  displayName: string;
  state: 'published' | 'notPublished';
  subscriptionRequired: boolean;
  approvalRequired: boolean | undefined;
  apis: string[];
}

interface StoredWorkflow {
  id: string;
  ref: WorkflowRef;
  sig: string;
  behaviour: WorkflowBehaviour;
}

const APIM_PATH =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.apimanagement\/service\/([^/]+)(\/.*)?$/i;
const LOGIC_PATH =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.logic\/workflows\/([^/]+)\/triggers\/([^/]+)\/listcallbackurl$/i;
const CALLBACK_PATH = /^\/workflows\/([^/]+)\/triggers\/([^/]+)\/paths\/invoke$/i;

function serviceKey(subscriptionId: string, resourceGroup: string, serviceName: string): string {
  return `${subscriptionId}/${resourceGroup}/${serviceName}`.toLowerCase();
}

function scopeKey(service: string, scope: FakePolicyScope): string {
  switch (scope.kind) {
    case 'global':
      return `${service}|global`;
    case 'api':
      return `${service}|api|${scope.apiId.toLowerCase()}`;
    case 'operation':
      return `${service}|op|${scope.apiId.toLowerCase()}|${scope.operationId.toLowerCase()}`;
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Starts the fake on a random port of 127.0.0.1; stop() when done. */
export async function startFakeArm(): Promise<FakeArm> {
  const requests: RecordedRequest[] = [];
  const callbacks: CallbackCall[] = [];
  const services = new Map<string, StoredService>();
  const policies = new Map<string, StoredPolicy>();
  const workflows = new Map<string, StoredWorkflow>();
  const sockets = new Set<Socket>();
  let etagCounter = 0;
  let failures: { count: number; status: 412 | 500 } = { count: 0, status: 412 };
  const requestFailures: RequestFailure[] = [];
  let pageSize = 100;
  let url = '';

  const newEtag = (): string => `"${(++etagCounter).toString(16).padStart(8, '0')}"`;

  function getService(key: string): StoredService {
    const service = services.get(key);
    if (service === undefined) throw new HttpError(404, 'ResourceNotFound', 'The API Management service was not found.');
    return service;
  }

  function getApi(service: StoredService, apiId: string): StoredApi {
    const api = service.apis.get(apiId.toLowerCase());
    if (api === undefined) throw new HttpError(404, 'ResourceNotFound', 'Api not found.');
    return api;
  }

  function takeInjectedFailure(): void {
    if (failures.count <= 0) return;
    failures = { count: failures.count - 1, status: failures.status };
    if (failures.status === 412) throw new HttpError(412, 'PreconditionFailed', 'The entity has been modified (injected).');
    throw new HttpError(500, 'InternalServerError', 'Injected server error.');
  }

  function checkIfMatch(ifMatch: string | undefined, current: string | undefined, required: boolean): void {
    if (ifMatch === undefined) {
      if (required) throw new HttpError(400, 'InvalidRequest', 'If-Match header is required.');
      return;
    }
    if (ifMatch === '*') {
      if (current === undefined) throw new HttpError(412, 'PreconditionFailed', 'The entity does not exist.');
      return;
    }
    if (ifMatch !== current) throw new HttpError(412, 'PreconditionFailed', "The entity's ETag does not match If-Match.");
  }

  function apiBody(serviceId: string, api: StoredApi): unknown {
    return {
      id: `${serviceId}/apis/${api.id}`,
      type: 'Microsoft.ApiManagement/service/apis',
      name: api.id,
      properties: {
        displayName: api.displayName,
        path: api.path,
        protocols: api.protocols,
        serviceUrl: api.serviceUrl ?? null,
        apiVersion: api.apiVersion ?? null,
        apiRevision: /;rev=(\d+)$/.exec(api.id)?.[1] ?? '1',
        isCurrent: api.isCurrent,
        subscriptionRequired: api.subscriptionRequired,
      },
    };
  }

  function operationBody(serviceId: string, api: StoredApi, operation: StoredOperation): unknown {
    return {
      id: `${serviceId}/apis/${api.id}/operations/${operation.name}`,
      type: 'Microsoft.ApiManagement/service/apis/operations',
      name: operation.name,
      properties: {
        displayName: operation.displayName,
        method: operation.method,
        urlTemplate: operation.urlTemplate,
        templateParameters: operation.templateParameters,
        request: { queryParameters: operation.queryParameters, headers: [], representations: [] },
        responses: [],
      },
    };
  }

  /** One page of a list, linked to the next by `nextLink` with `$skip` (as APIM pages). */
  function page(items: unknown[], req: RecordedRequest): Reply {
    const skip = Number(req.query.$skip ?? '0');
    const value = items.slice(skip, skip + pageSize);
    const body: { value: unknown[]; count: number; nextLink?: string } = { value, count: items.length };
    if (skip + pageSize < items.length) {
      const next = new URLSearchParams({ ...req.query, $skip: String(skip + pageSize) });
      body.nextLink = `${url}${req.path}?${next.toString()}`;
    }
    return { status: 200, body };
  }

  function listApis(serviceId: string, service: StoredService, req: RecordedRequest): Reply {
    const filter = req.query.$filter;
    if (filter !== undefined && !/^isCurrent eq true$/i.test(filter.trim())) throw new HttpError(400, 'InvalidFilter', `Unsupported filter ${filter}`);
    const apis = [...service.apis.values()].filter((api) => filter === undefined || api.isCurrent);
    return page(apis.map((api) => apiBody(serviceId, api)), req);
  }

  function handleList(service: StoredService, serviceId: string, lower: string[], segments: string[], req: RecordedRequest): Reply | undefined {
    if (lower.length === 1 && lower[0] === 'apis') return listApis(serviceId, service, req);
    if (lower.length === 3 && lower[0] === 'apis' && lower[2] === 'operations') {
      const api = getApi(service, segments[1] ?? '');
      return page([...api.operations.values()].map((operation) => operationBody(serviceId, api, operation)), req);
    }
    if (lower.length === 1 && lower[0] === 'products') {
      return page(
        [...service.products.values()].map((p) => ({
          id: `${serviceId}/products/${p.id}`,
          type: 'Microsoft.ApiManagement/service/products',
          name: p.id,
          properties: { displayName: p.displayName, state: p.state, subscriptionRequired: p.subscriptionRequired, approvalRequired: p.approvalRequired ?? null },
        })),
        req,
      );
    }
    if (lower.length === 3 && lower[0] === 'products' && lower[2] === 'apis') {
      const product = service.products.get((segments[1] ?? '').toLowerCase());
      if (product === undefined) throw new HttpError(404, 'ResourceNotFound', 'Product not found.');
      return page(product.apis.map((apiId) => apiBody(serviceId, getApi(service, apiId))), req);
    }
    if (lower.length === 1 && lower[0] === 'subscriptions') {
      return page(
        [...service.subscriptions.values()].map((sub) => ({
          id: `${serviceId}/subscriptions/${sub.id}`,
          type: 'Microsoft.ApiManagement/service/subscriptions',
          name: sub.id,
          properties: { scope: `${serviceId}${sub.scope}`, state: sub.state ?? 'active', displayName: sub.displayName ?? sub.id, primaryKey: null, secondaryKey: null },
        })),
        req,
      );
    }
    return undefined;
  }

  function takeRequestFailure(req: RecordedRequest): Reply | undefined {
    const rule = requestFailures.find((candidate) => candidate.count > 0 && (candidate.match?.(req) ?? true));
    if (rule === undefined) return undefined;
    rule.count -= 1;
    const code = { 429: 'TooManyRequests', 500: 'InternalServerError', 503: 'ServiceUnavailable' }[rule.status];
    return {
      status: rule.status,
      body: { error: { code, message: `Injected ${rule.status}.` } },
      headers: rule.retryAfterSeconds === undefined ? {} : { 'retry-after': String(rule.retryAfterSeconds) },
    };
  }

  type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

  function handleApim(method: string, fullPath: string, m: RegExpMatchArray, req: RecordedRequest): Reply {
    const [, sub = '', rg = '', name = '', rest = ''] = m;
    const key = serviceKey(sub, rg, name);
    const service = getService(key);
    const serviceId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/${service.name}`;
    if (rest === '' || rest === '/') {
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'Only GET is supported on the service.');
      const { gatewayUrl, publicNetworkAccess, virtualNetworkType, minApiVersion } = service.properties;
      return {
        status: 200,
        body: {
          id: serviceId,
          name: service.name,
          type: 'Microsoft.ApiManagement/service',
          location: 'West Europe',
          sku: service.sku,
          properties: {
            publisherEmail: 'ops@example.com',
            publisherName: 'Example',
            provisioningState: 'Succeeded',
            gatewayUrl: gatewayUrl ?? `https://${service.name}.azure-api.net`,
            publicNetworkAccess: publicNetworkAccess ?? 'Enabled',
            virtualNetworkType: virtualNetworkType ?? 'None',
            apiVersionConstraint: minApiVersion === undefined ? {} : { minApiVersion },
          },
        },
      };
    }
    const segments = rest.split('/').slice(1).map((s) => decodeURIComponent(s));
    const lower = segments.map((s) => s.toLowerCase());
    if (method === 'GET') {
      const listed = handleList(service, serviceId, lower, segments, req);
      if (listed !== undefined) return listed;
    }
    let scope: FakePolicyScope | undefined;
    if (lower.length === 2 && lower[0] === 'policies' && lower[1] === 'policy') scope = { kind: 'global' };
    else if (lower.length === 4 && lower[0] === 'apis' && lower[2] === 'policies' && lower[3] === 'policy') {
      scope = { kind: 'api', apiId: segments[1] ?? '' };
    } else if (lower.length === 6 && lower[0] === 'apis' && lower[2] === 'operations' && lower[4] === 'policies' && lower[5] === 'policy') {
      scope = { kind: 'operation', apiId: segments[1] ?? '', operationId: segments[3] ?? '' };
    } else if (lower.length === 2 && lower[0] === 'apis') {
      return handleApi(method, service, serviceId, segments[1] ?? '', req);
    } else if (lower.length === 4 && lower[0] === 'apis' && lower[2] === 'operations') {
      const api = getApi(service, segments[1] ?? '');
      const operation = api.operations.get((segments[3] ?? '').toLowerCase());
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on operations.`);
      if (operation === undefined) throw new HttpError(404, 'ResourceNotFound', 'Operation not found.');
      return { status: 200, body: operationBody(serviceId, api, operation), headers: { etag: api.etag } };
    }
    if (scope === undefined) throw new HttpError(404, 'ResourceNotFound', `Unknown resource ${fullPath}`);
    if (scope.kind !== 'global') {
      const api = getApi(service, scope.apiId);
      if (scope.kind === 'operation' && !api.operations.has(scope.operationId.toLowerCase())) {
        throw new HttpError(404, 'ResourceNotFound', 'Operation not found.');
      }
    }
    return handlePolicy(method, key, scope, `${serviceId}${rest}`, req);
  }

  function handleApi(method: string, service: StoredService, serviceId: string, apiId: string, req: RecordedRequest): Reply {
    const api = getApi(service, apiId);
    if (method === 'GET') return { status: 200, body: apiBody(serviceId, api), headers: { etag: api.etag } };
    if (method !== 'PATCH') throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on APIs.`);
    checkIfMatch(req.headers['if-match'], api.etag, true);
    takeInjectedFailure();
    const props = (req.body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    if (typeof props.subscriptionRequired === 'boolean') api.subscriptionRequired = props.subscriptionRequired;
    if (typeof props.displayName === 'string') api.displayName = props.displayName;
    if (typeof props.path === 'string') api.path = props.path;
    api.etag = newEtag();
    return { status: 200, body: apiBody(serviceId, api), headers: { etag: api.etag } };
  }

  function handlePolicy(method: string, service: string, scope: FakePolicyScope, id: string, req: RecordedRequest): Reply {
    const key = scopeKey(service, scope);
    const current = policies.get(key);
    const contract = (p: StoredPolicy, format: string): unknown => ({
      id,
      type: 'Microsoft.ApiManagement/service/policies',
      name: 'policy',
      properties: { format, value: p.xml },
    });
    switch (method) {
      case 'GET': {
        if (current === undefined) throw new HttpError(404, 'ResourceNotFound', 'Policy not found.');
        return { status: 200, body: contract(current, req.query.format ?? 'xml'), headers: { etag: current.etag } };
      }
      case 'PUT': {
        checkIfMatch(req.headers['if-match'], current?.etag, false);
        takeInjectedFailure();
        const props = (req.body as { properties?: { value?: unknown; format?: unknown } } | undefined)?.properties;
        if (typeof props?.value !== 'string') throw new HttpError(400, 'ValidationError', 'properties.value is required.');
        const stored = { xml: props.value, etag: newEtag() };
        policies.set(key, stored);
        const format = typeof props.format === 'string' ? props.format : 'xml';
        return { status: current === undefined ? 201 : 200, body: contract(stored, format), headers: { etag: stored.etag } };
      }
      case 'DELETE': {
        if (current === undefined) return { status: 204 };
        checkIfMatch(req.headers['if-match'], current.etag, true);
        takeInjectedFailure();
        policies.delete(key);
        return { status: 200 };
      }
      default:
        throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on policies.`);
    }
  }

  function handleListCallbackUrl(method: string, m: RegExpMatchArray): Reply {
    if (method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', 'listCallbackUrl is POST.');
    const [, sub = '', rg = '', wf = '', trigger = ''] = m;
    const workflow = workflows.get(`${sub}/${rg}/${wf}/${trigger}`.toLowerCase());
    if (workflow === undefined) throw new HttpError(404, 'WorkflowTriggerNotFound', 'The workflow trigger was not found.');
    const basePath = `${url}/workflows/${workflow.id}/triggers/${encodeURIComponent(workflow.ref.triggerName)}/paths/invoke`;
    const queries = {
      'api-version': '2016-10-01',
      sp: `/triggers/${workflow.ref.triggerName}/run`,
      sv: '1.0',
      sig: workflow.sig,
    };
    return { status: 200, body: { value: `${basePath}?${new URLSearchParams(queries).toString()}`, method: 'POST', basePath, queries } };
  }

  async function handleCallback(method: string, m: RegExpMatchArray, req: RecordedRequest): Promise<Reply> {
    const [, id = '', trigger = ''] = m;
    const workflow = [...workflows.values()].find((w) => w.id === id && w.ref.triggerName.toLowerCase() === trigger.toLowerCase());
    if (method !== 'POST' || workflow === undefined) throw new HttpError(404, 'WorkflowNotFound', 'Not found.');
    if (req.query.sig !== workflow.sig) throw new HttpError(401, 'DirectApiAuthorizationRequired', 'Invalid signature.');
    callbacks.push({ workflowName: workflow.ref.workflowName, triggerName: workflow.ref.triggerName, headers: req.headers, body: req.body });
    if (workflow.behaviour.delayMs) await new Promise((r) => setTimeout(r, workflow.behaviour.delayMs));
    const runId = workflow.behaviour.runId === undefined ? `0858${randomBytes(8).toString('hex').toUpperCase()}` : workflow.behaviour.runId;
    return { status: workflow.behaviour.status ?? 202, headers: runId === null ? {} : { 'x-ms-workflow-run-id': runId } };
  }

  async function route(req: RecordedRequest): Promise<Reply> {
    let m = CALLBACK_PATH.exec(req.path);
    if (m) return handleCallback(req.method, m, req);
    if (!req.bearer) throw new HttpError(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing.');
    m = LOGIC_PATH.exec(req.path);
    if (m) return handleListCallbackUrl(req.method, m);
    m = APIM_PATH.exec(req.path);
    if (m) return handleApim(req.method, req.path, m, req);
    throw new HttpError(404, 'ResourceNotFound', `Unknown resource ${req.path}`);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const parsed = new URL(request.url ?? '/', 'https://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (name === 'authorization' || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams.entries()),
      headers,
      bearer: /^Bearer \S+/.test(request.headers.authorization ?? ''),
      body,
    };
    requests.push(recorded);
    let reply: Reply;
    try {
      reply = takeRequestFailure(recorded) ?? (await route(recorded));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      reply = { status: error.status, body: { error: { code: error.code, message: error.message } } };
    }
    const out = reply.body === undefined ? '' : JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      ...(out === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'content-length': Buffer.byteLength(out).toString(),
      'x-ms-request-id': randomBytes(8).toString('hex'),
      ...reply.headers,
    });
    response.end(out);
  }

  const server: Server = createServer({ key: TEST_KEY, cert: TEST_CERT }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;

  const refKey = (ref: ServiceRef): string => serviceKey(ref.subscriptionId, ref.resourceGroup, ref.serviceName);
  const storedService = (ref: ServiceRef, caller: string): StoredService => {
    const service = services.get(refKey(ref));
    if (service === undefined) throw new Error(`${caller}: no service ${ref.serviceName}`);
    return service;
  };

  return {
    url,
    caCert: TEST_CERT,
    clientOptions: () => ({ endpoint: url, tlsOptions: { ca: TEST_CERT }, retryOptions: { maxRetries: 0 } }),
    retryingClientOptions: () => ({ endpoint: url, tlsOptions: { ca: TEST_CERT }, retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 } }),
    requests,
    clearRequests() {
      requests.length = 0;
      callbacks.length = 0;
    },
    addService(ref, sku, properties = {}) {
      services.set(refKey(ref), {
        name: ref.serviceName,
        sku: { name: sku.name, capacity: sku.capacity ?? (sku.name === 'Consumption' ? 0 : 1) },
        properties,
        apis: new Map(),
        products: new Map(),
        subscriptions: new Map(),
      });
    },
    addApi(ref, apiId, api = {}) {
      const service = storedService(ref, 'addApi');
      const operations = (api.operations ?? []).map((o): StoredOperation => {
        const details = typeof o === 'string' ? { name: o } : o;
        return {
          name: details.name,
          displayName: details.displayName ?? details.name,
          method: details.method ?? 'GET',
          urlTemplate: details.urlTemplate ?? `/${details.name}`,
          templateParameters: details.templateParameters ?? [],
          queryParameters: details.queryParameters ?? [],
        };
      });
      service.apis.set(apiId.toLowerCase(), {
        id: apiId,
        subscriptionRequired: api.subscriptionRequired ?? true,
        displayName: api.displayName ?? apiId,
        path: api.path ?? apiId,
        protocols: api.protocols ?? ['https'],
        serviceUrl: api.serviceUrl,
        apiVersion: api.apiVersion,
        isCurrent: api.isCurrent ?? true,
        operations: new Map(operations.map((operation) => [operation.name.toLowerCase(), operation])),
        etag: newEtag(),
      });
    },
    addProduct(ref, productId, product = {}) {
      storedService(ref, 'addProduct').products.set(productId.toLowerCase(), {
        id: productId,
        displayName: product.displayName ?? productId,
        state: product.state ?? 'published',
        subscriptionRequired: product.subscriptionRequired ?? true,
        approvalRequired: product.approvalRequired,
        apis: product.apis ?? [],
      });
    },
    addSubscription(ref, subscriptionId, subscription) {
      storedService(ref, 'addSubscription').subscriptions.set(subscriptionId.toLowerCase(), { id: subscriptionId, ...subscription });
    },
    setPageSize(size) {
      pageSize = size;
    },
    api(ref, apiId) {
      const api = services.get(refKey(ref))?.apis.get(apiId.toLowerCase());
      return api === undefined ? undefined : { subscriptionRequired: api.subscriptionRequired, etag: api.etag };
    },
    setPolicy(ref, scope, xml) {
      const stored = { xml, etag: newEtag() };
      policies.set(scopeKey(refKey(ref), scope), stored);
      return stored.etag;
    },
    policy(ref, scope) {
      const stored = policies.get(scopeKey(refKey(ref), scope));
      return stored === undefined ? undefined : { ...stored };
    },
    failNextWrites(count, status) {
      failures = { count, status };
    },
    failRequests(failure) {
      requestFailures.push({ ...failure });
    },
    clearFailures() {
      requestFailures.length = 0;
      failures = { count: 0, status: 412 };
    },
    addWorkflow(ref, behaviour = {}) {
      const sig = randomBytes(24).toString('base64url');
      const id = randomBytes(8).toString('hex');
      workflows.set(`${ref.subscriptionId}/${ref.resourceGroup}/${ref.workflowName}/${ref.triggerName}`.toLowerCase(), { id, ref, sig, behaviour });
      return sig;
    },
    callbacks,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}
