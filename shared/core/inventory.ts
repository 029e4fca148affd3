/**
 * The APIM inventory: the APIs and operations one API Management service publishes, in ARM's
 * contract property names (`name` is the last segment of the resource id), as the sync timer
 * will fetch them and as `api-warden detect --inventory FILE` reads them:
 *
 * ```json
 * { "service": { "resourceId": "/subscriptions/…/providers/Microsoft.ApiManagement/service/contoso",
 *                "gatewayUrl": "https://contoso.azure-api.net" },
 *   "apis": [ { "name": "shop-api", "path": "shop", "subscriptionRequired": true,
 *       "operations": [ { "name": "get-order", "method": "GET", "urlTemplate": "/orders/{orderId}",
 *           "templateParameters": [ { "name": "orderId", "type": "string", "required": true } ],
 *           "request": { "queryParameters": [ { "name": "expand", "type": "string", "required": false } ] } } ] } ] }
 * ```
 *
 * The sync timer (shared/services/syncInventory) stores more of ARM's contract, all optional so
 * that a hand-written file stays valid: display names, API protocols and backend URL, the
 * service's SKU and network settings, products and the APIs in each, a summary of subscriptions,
 * and each scope's policy reduced to {@link PolicyFacts} (never the policy XML).
 *
 * It serves two purposes:
 * - path parameters get their template names: the parser finds path parameters by shape and
 *   names them by position ("{id1}"), since APIM's logs carry the operation but not its URL
 *   template; with the template, "/shop/orders/3f2a…" gives `orderId` (see {@link InventoryIndex.nameTemplateParams});
 * - the parameters an operation declares are known to be legitimate even before traffic used
 *   them (see {@link InventoryIndex.declaredParameters}).
 *
 * Templates follow APIM's URL template syntax: "/orders/{orderId}", parameters inside a segment
 * ("/files/{name}.{ext}"), a trailing wildcard ("/static/{*path}"), and query parameters in the
 * template ("/resource?param1={param1}"). Fixed segments match case-insensitively, as APIM does.
 */
import { z } from 'zod';

import { decodeComponent } from './parse/url';
import { AUTHENTICATION_POLICIES, MARKER_KINDS } from './policy';
import { makeEndpoint, type RequestEvent, type RequestParam } from './requestEvent';

// ---------------------------------------------------------------------------------------------
// Schema

const APIM_SERVICE_ID = /\/providers\/microsoft\.apimanagement\/service\/[^/]+\/?$/i;

/** ARM returns `null` for absent optional properties; both mean "not given". */
const optionalText = z.string().nullish().transform((value) => value ?? undefined);

const parameterSchema = z.object({
  name: z.string().min(1, 'must not be empty'),
  type: optionalText,
  required: z.boolean().nullish().transform((value) => value ?? undefined),
});

const optionalBoolean = z.boolean().nullish().transform((value) => value ?? undefined);

/** A scope's policy reduced to its facts (see shared/core/policy/facts.ts). */
const policyFactsSchema = z.object({
  authentication: z.array(z.enum(AUTHENTICATION_POLICIES)),
  ipFilter: z.boolean(),
  rateLimit: z.boolean(),
  warden: z.array(z.enum(MARKER_KINDS)),
  inheritsInbound: z.boolean(),
  fragments: z.array(z.string()),
  unreadable: z.literal(true).optional(),
});

const operationSchema = z
  .object({
    name: z.string().min(1, 'must not be empty'),
    displayName: optionalText,
    method: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/, 'must be an HTTP method such as GET')
      .transform((method) => method.toUpperCase()),
    urlTemplate: z.string().min(1, 'must not be empty'),
    templateParameters: z.array(parameterSchema).nullish().transform((list) => list ?? []),
    request: z
      .object({ queryParameters: z.array(parameterSchema).nullish().transform((list) => list ?? []) })
      .nullish()
      .transform((request) => request ?? { queryParameters: [] }),
    /** The operation's own policy; absent when it has none (or policies were not read, see the service's `policy`). */
    policy: policyFactsSchema.optional(),
    /** When the sync first found the operation (ISO 8601); absent for those already there at the first sync. */
    firstSyncedAt: optionalText,
  })
  .superRefine((operation, ctx) => {
    const problem = templateProblem(operation.urlTemplate);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['urlTemplate'], message: problem });
  });

const apiSchema = z
  .object({
    name: z.string().min(1, 'must not be empty'),
    displayName: optionalText,
    /** The API URL suffix ("shop/v1"); "" for an API at the gateway's root. */
    path: z.string(),
    /** Absent means APIM's default: required. */
    subscriptionRequired: optionalBoolean,
    /** The version of an API in a version set; with the Segment scheme it follows the path ("/shop/v2/…"). */
    apiVersion: optionalText,
    /** Protocols the gateway serves the API over ("https", "http", "wss", "ws"); absent when unknown. */
    protocols: z.array(z.string().min(1)).nullish().transform((value) => value ?? undefined),
    /** The backend URL. */
    serviceUrl: optionalText,
    /** The API's own policy; absent when it has none (or policies were not read). */
    policy: policyFactsSchema.optional(),
    operations: z.array(operationSchema),
  })
  .superRefine((api, ctx) => {
    duplicates(api.operations.map((operation) => operation.name)).forEach((index) =>
      ctx.addIssue({ code: 'custom', path: ['operations', index, 'name'], message: `duplicate operation name "${api.operations[index]?.name ?? ''}"` }),
    );
  });

export const inventorySchema = z
  .object({
    service: z.object({
      resourceId: z
        .string()
        .regex(APIM_SERVICE_ID, 'must be an API Management service resource id (/subscriptions/…/providers/Microsoft.ApiManagement/service/NAME)'),
      gatewayUrl: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://contoso.azure-api.net' })
        .nullish()
        .transform((value) => value ?? undefined),
      sku: z
        .object({ name: z.string().min(1), capacity: z.number().nullish().transform((value) => value ?? undefined) })
        .nullish()
        .transform((value) => value ?? undefined),
      /** "Enabled" or "Disabled" (then the gateway is reachable through private endpoints only). */
      publicNetworkAccess: optionalText,
      /** "None", "External" or "Internal" (then the gateway is reachable from the virtual network only). */
      virtualNetworkType: optionalText,
      /** The control-plane minimum API version constraint (`apiVersionConstraint.minApiVersion`), if any. */
      minApiVersion: optionalText,
      /**
       * The global policy's facts. Present whenever policies were read (no global policy: no
       * facts of its own); APIs' and operations' `policy` absent then means they have none.
       * Absent: policies were not read, authentication by policy is unknown.
       */
      policy: policyFactsSchema.optional(),
    }),
    apis: z.array(apiSchema),
    products: z
      .array(
        z.object({
          name: z.string().min(1, 'must not be empty'),
          displayName: optionalText,
          /** "published" or "notPublished". */
          state: optionalText,
          subscriptionRequired: optionalBoolean,
          approvalRequired: optionalBoolean,
          /** Names of the APIs in the product. */
          apis: z.array(z.string()),
        }),
      )
      .nullish()
      .transform((value) => value ?? undefined),
    subscriptions: z
      .object({
        total: z.number().int().nonnegative(),
        /** Subscriptions per state ("active", "suspended", …). */
        byState: z.record(z.string(), z.number().int().nonnegative()),
        /** Every subscription scoped to all APIs (scope ending in "/apis"), listed. */
        allApis: z.array(z.object({ name: z.string().min(1), displayName: optionalText, state: z.string(), scope: z.string() })),
      })
      .nullish()
      .transform((value) => value ?? undefined),
  })
  .superRefine((inventory, ctx) => {
    duplicates(inventory.apis.map((api) => api.name)).forEach((index) =>
      ctx.addIssue({ code: 'custom', path: ['apis', index, 'name'], message: `duplicate API name "${inventory.apis[index]?.name ?? ''}"` }),
    );
  });

/** A validated inventory (optional ARM properties normalized: absent lists are empty). */
export type Inventory = z.infer<typeof inventorySchema>;
export type InventoryApi = Inventory['apis'][number];
export type InventoryOperation = InventoryApi['operations'][number];
export type InventoryProduct = NonNullable<Inventory['products']>[number];
export type InventorySubscriptions = NonNullable<Inventory['subscriptions']>;

export type InventoryResult = { ok: true; inventory: Inventory } | { ok: false; errors: string[] };

/** Validates an inventory; on failure every problem is listed as "<field path>: <message>" (e.g. "apis.0.operations.1.urlTemplate: …"). */
export function parseInventory(input: unknown): InventoryResult {
  const parsed = inventorySchema.safeParse(input);
  if (parsed.success) return { ok: true, inventory: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${path === '' ? 'inventory' : path}: ${issue.message}`;
    }),
  };
}

/** Indexes (after the first) of names that occur earlier in the list. */
function duplicates(names: readonly string[]): number[] {
  const seen = new Set<string>();
  const repeated: number[] = [];
  names.forEach((name, index) => {
    if (seen.has(name)) repeated.push(index);
    seen.add(name);
  });
  return repeated;
}

/**
 * The service name as RequestEvent's `endpoint.service` holds it: the resource id's last
 * segment, lower case ("…/service/Contoso-APIM" → "contoso-apim").
 */
export function inventoryServiceName(inventory: Pick<Inventory, 'service'>): string {
  const segments = inventory.service.resourceId.split('/').filter((segment) => segment !== '');
  return (segments[segments.length - 1] ?? '').toLowerCase();
}

/**
 * The inventory with `firstSyncedAt` set on operations the previous snapshot lacked (to `at`)
 * and carried over for the others. Without a previous snapshot nothing is stamped: those
 * operations were there before API Warden looked.
 */
export function stampNewOperations(next: Inventory, previous: Inventory | undefined, at: string): Inventory {
  if (previous === undefined) return next;
  const known = new Map<string, string | undefined>();
  for (const api of previous.apis) {
    for (const operation of api.operations) known.set(`${api.name}/${operation.name}`.toLowerCase(), operation.firstSyncedAt);
  }
  return {
    ...next,
    apis: next.apis.map((api) => ({
      ...api,
      operations: api.operations.map((operation) => {
        const key = `${api.name}/${operation.name}`.toLowerCase();
        return { ...operation, firstSyncedAt: known.has(key) ? known.get(key) : at };
      }),
    })),
  };
}

/** ARM resource ids under the service: an API, an operation, a product, a subscription. */
type WithServiceId = { service: { resourceId: string } };

export const resourceIds = {
  api: (inventory: WithServiceId, apiId: string) => `${serviceId(inventory)}/apis/${apiId}`,
  operation: (inventory: WithServiceId, apiId: string, operationId: string) =>
    `${serviceId(inventory)}/apis/${apiId}/operations/${operationId}`,
  product: (inventory: WithServiceId, productId: string) => `${serviceId(inventory)}/products/${productId}`,
  subscription: (inventory: WithServiceId, name: string) => `${serviceId(inventory)}/subscriptions/${name}`,
};

function serviceId(inventory: WithServiceId): string {
  return inventory.service.resourceId.replace(/\/+$/, '');
}

// ---------------------------------------------------------------------------------------------
// Templates

/** One compiled path segment of a URL template. */
type SegmentMatcher =
  /** A fixed segment, decoded and lower-cased. */
  | { kind: 'fixed'; text: string }
  /** A whole segment that is one parameter: "{orderId}". */
  | { kind: 'param'; name: string }
  /** Fixed text and parameters within one segment: "{name}.{ext}". */
  | { kind: 'mixed'; pattern: RegExp; names: string[] }
  /** "{*rest}" as the last segment: the rest of the path, possibly empty. */
  | { kind: 'wildcard'; name: string };

interface CompiledTemplate {
  segments: SegmentMatcher[];
  /** Names of the template's path parameters, in order. */
  pathNames: string[];
  /** Query parameter names the template itself carries ("/resource?param1={param1}" → param1). */
  queryNames: string[];
}

const PARAMETER = /\{([^{}]*)\}/g;

/** Why a URL template cannot be compiled, or undefined when it can. */
function templateProblem(template: string): string | undefined {
  const [pathPart] = splitTemplate(template);
  if (/\s/.test(template)) return 'must not contain whitespace';
  const segments = pathSegments(pathPart);
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] as string;
    const stripped = segment.replace(PARAMETER, (_, name: string) => (name === '' || name === '*' ? '\u0000' : ''));
    if (stripped.includes('\u0000')) return `"${segment}": a parameter needs a name`;
    if (stripped.includes('{') || stripped.includes('}')) return `"${segment}": unbalanced braces`;
    const wildcards = [...segment.matchAll(PARAMETER)].filter((match) => (match[1] ?? '').startsWith('*'));
    if (wildcards.length > 0 && (segment !== wildcards[0]?.[0] || i !== segments.length - 1)) {
      return `"${segment}": a wildcard parameter must be the whole last segment`;
    }
  }
  return undefined;
}

/** Path and query parts of a URL template. */
function splitTemplate(template: string): [string, string] {
  const mark = template.indexOf('?');
  return mark < 0 ? [template, ''] : [template.slice(0, mark), template.slice(mark + 1)];
}

/**
 * The segments of a path, without the leading "/" and without a trailing empty segment
 * ("/orders/" and "/orders" are one path; "/" has none).
 */
function pathSegments(path: string): string[] {
  const segments = path.split('/');
  if (segments[0] === '') segments.shift();
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  return segments;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileTemplate(template: string): CompiledTemplate {
  const [pathPart, queryPart] = splitTemplate(template);
  const pathNames: string[] = [];
  const segments = pathSegments(pathPart).map((segment): SegmentMatcher => {
    const matches = [...segment.matchAll(PARAMETER)];
    if (matches.length === 0) return { kind: 'fixed', text: decodeComponent(segment, false).toLowerCase() };
    const first = matches[0] as RegExpMatchArray;
    const firstName = first[1] as string;
    if (matches.length === 1 && first[0] === segment) {
      if (firstName.startsWith('*')) {
        pathNames.push(firstName.slice(1));
        return { kind: 'wildcard', name: firstName.slice(1) };
      }
      pathNames.push(firstName);
      return { kind: 'param', name: firstName };
    }
    const names: string[] = [];
    let source = '';
    let last = 0;
    for (const match of matches) {
      const index = match.index ?? 0;
      source += `${escapeRegExp(segment.slice(last, index))}(.+?)`;
      names.push(match[1] as string);
      last = index + match[0].length;
    }
    source += escapeRegExp(segment.slice(last));
    pathNames.push(...names);
    return { kind: 'mixed', pattern: new RegExp(`^${source}$`, 'is'), names };
  });
  const queryNames = queryPart
    .split('&')
    .map((pair) => decodeComponent(pair.split('=')[0] ?? '', true))
    .filter((name) => name !== '');
  return { segments, pathNames, queryNames };
}

/**
 * Matches raw (percent-encoded) path segments against a template; returns the path parameters
 * with decoded values in template order, or undefined when the path does not fit.
 */
function matchTemplate(template: CompiledTemplate, segments: readonly string[], from: number): RequestParam[] | undefined {
  const params: RequestParam[] = [];
  let i = from;
  for (const matcher of template.segments) {
    if (matcher.kind === 'wildcard') {
      params.push({ name: matcher.name, value: decodeComponent(segments.slice(i).join('/'), false), location: 'path' });
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    i += 1;
    if (matcher.kind === 'fixed') {
      if (decodeComponent(segment, false).toLowerCase() !== matcher.text) return undefined;
    } else if (matcher.kind === 'param') {
      if (segment === '') return undefined;
      params.push({ name: matcher.name, value: decodeComponent(segment, false), location: 'path' });
    } else {
      const found = matcher.pattern.exec(segment);
      if (found === null) return undefined;
      matcher.names.forEach((name, k) => params.push({ name, value: decodeComponent(found[k + 1] ?? '', false), location: 'path' }));
    }
  }
  return i === segments.length ? params : undefined;
}

/** Whether `segments` from position `from` start with `prefix` (decoded, case-insensitive); returns the position after it. */
function skipPrefix(segments: readonly string[], from: number, prefix: readonly string[]): number | undefined {
  for (let k = 0; k < prefix.length; k += 1) {
    const segment = segments[from + k];
    if (segment === undefined || decodeComponent(segment, false).toLowerCase() !== prefix[k]) return undefined;
  }
  return from + prefix.length;
}

function lowerSegments(path: string): string[] {
  return pathSegments(path).map((segment) => decodeComponent(segment, false).toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Index

interface IndexedOperation {
  template: CompiledTemplate;
  declared: Set<string>;
  endpointKey: string;
}

interface IndexedApi {
  /** Path prefixes a request of this API can start with, most specific first. */
  prefixes: string[][];
  operations: Map<string, IndexedOperation>;
}

/**
 * An inventory with every URL template compiled once, for per-event lookups: build it when the
 * inventory is loaded and keep it as long as the inventory holds.
 */
export class InventoryIndex {
  /** The service's name, as `endpoint.service` holds it. */
  readonly service: string;
  private readonly apis = new Map<string, IndexedApi>();
  private declared: Map<string, Set<string>> | undefined;

  constructor(readonly inventory: Inventory) {
    this.service = inventoryServiceName(inventory);
    const gatewayUrl = inventory.service.gatewayUrl;
    const basePath = gatewayUrl === undefined ? [] : lowerSegments(new URL(gatewayUrl).pathname);
    for (const api of inventory.apis) {
      const apiPath = lowerSegments(api.path);
      const version = api.apiVersion === undefined || api.apiVersion === '' ? [] : [api.apiVersion.toLowerCase()];
      const bases = basePath.length > 0 ? [basePath, []] : [[]];
      const prefixes = bases.flatMap((base) => (version.length > 0 ? [[...base, ...apiPath, ...version], [...base, ...apiPath]] : [[...base, ...apiPath]]));
      const operations = new Map<string, IndexedOperation>();
      for (const operation of api.operations) {
        const template = compileTemplate(operation.urlTemplate);
        const declared = new Set<string>([
          ...template.pathNames,
          ...operation.templateParameters.map((param) => param.name),
          ...template.queryNames,
          ...operation.request.queryParameters.map((param) => param.name),
        ]);
        const endpointKey = makeEndpoint({ service: this.service, apiId: api.name, operationId: operation.name, pathTemplate: '' }).key;
        operations.set(operation.name, { template, declared, endpointKey });
      }
      this.apis.set(api.name, { prefixes, operations });
    }
  }

  /**
   * The event with its path parameters named by the operation's URL template ("{id1}" →
   * "orderId"), values kept; query parameters are left as they are. The template decides what
   * is a path parameter: a template parameter is one whatever its value looks like, and an
   * id-like fixed segment is not. Unchanged when the event's operation is not in the
   * inventory, its service is another one, or its path does not fit the template (a version or
   * revision segment the inventory does not know, for example).
   */
  nameTemplateParams(event: RequestEvent): RequestEvent {
    const { endpoint } = event;
    if (endpoint.operationId === '' || (endpoint.service !== this.service && endpoint.service !== '')) return event;
    const api = this.apis.get(endpoint.apiId);
    const operation = api?.operations.get(endpoint.operationId);
    if (api === undefined || operation === undefined) return event;
    const segments = pathSegments(event.path);
    for (const prefix of api.prefixes) {
      const from = skipPrefix(segments, 0, prefix);
      if (from === undefined) continue;
      const named = matchTemplate(operation.template, segments, from);
      if (named === undefined) continue;
      const others = event.params.filter((param) => param.location !== 'path');
      if (named.length === 0 && others.length === event.params.length) return event;
      return { ...event, params: [...named, ...others] };
    }
    return event;
  }

  /**
   * The parameters each operation declares (template and query parameters), by endpoint key.
   * Built once; treat the result as read-only.
   */
  declaredParameters(): Map<string, Set<string>> {
    if (this.declared === undefined) {
      this.declared = new Map();
      for (const api of this.apis.values()) {
        for (const operation of api.operations.values()) this.declared.set(operation.endpointKey, operation.declared);
      }
    }
    return this.declared;
  }
}

const indexes = new WeakMap<Inventory, InventoryIndex>();

function indexOf(inventory: Inventory | InventoryIndex): InventoryIndex {
  if (inventory instanceof InventoryIndex) return inventory;
  let index = indexes.get(inventory);
  if (index === undefined) {
    index = new InventoryIndex(inventory);
    indexes.set(inventory, index);
  }
  return index;
}

/** {@link InventoryIndex.nameTemplateParams} for an inventory (its index is built once and remembered). */
export function nameTemplateParams(event: RequestEvent, inventory: Inventory | InventoryIndex): RequestEvent {
  return indexOf(inventory).nameTemplateParams(event);
}

/** {@link InventoryIndex.declaredParameters} for an inventory: declared parameter names per endpoint key. */
export function declaredParameters(inventory: Inventory | InventoryIndex): Map<string, Set<string>> {
  return indexOf(inventory).declaredParameters();
}
