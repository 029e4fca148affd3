/**
 * The endpoints view: every operation of the APIM inventory (traffic or not) and every endpoint
 * seen in traffic but not in the inventory, each with its security posture (authentication,
 * internet exposure, protocols), its traffic (30-day total, first and last seen, inactive mark)
 * and its open alerts. Pure: the service hands in what the stores hold.
 *
 * Traffic is joined to the inventory by endpoint key, apiId and operationId compared
 * case-insensitively (ARM names are); unmatched requests keep their own "METHOD /path" identity.
 */
import { z } from 'zod';

import type { Alert } from './alerts';
import type { EndpointTraffic } from './baselines/endpointTraffic';
import { inventoryServiceName, resourceIds, type Inventory, type InventoryApi, type InventoryOperation } from './inventory';
import { NO_POLICY, type AuthenticationPolicy, type PolicyFacts } from './policy';
import { makeEndpoint, type Endpoint } from './requestEvent';

/** How a call is authenticated: APIM's subscription key, or an inbound authentication policy. */
export type AuthenticationMethod = 'subscription-key' | AuthenticationPolicy;

export interface EndpointAuthentication {
  /** `unknown` when the inventory cannot tell (see `unknownBecause`). */
  status: 'authenticated' | 'unauthenticated' | 'unknown';
  methods: AuthenticationMethod[];
  unknownBecause?: 'not-in-inventory' | 'policies-not-read' | 'unreadable-policy' | 'policy-fragments';
  /** Policy fragments the effective inbound policy includes (not read). */
  fragments?: string[];
}

export interface EndpointRow {
  /** The endpoint key (requestEvent's `endpointKey`). */
  key: string;
  service: string;
  apiId: string;
  apiDisplayName: string | null;
  operationId: string;
  operationDisplayName: string | null;
  method: string | null;
  urlTemplate: string | null;
  /** ARM id of the operation; null when it is not in the inventory. */
  resourceId: string | null;
  inInventory: boolean;
  authentication: EndpointAuthentication;
  /** Whether the gateway is reachable from the internet (public network access on, no internal VNet); null when unknown. */
  internetExposed: boolean | null;
  /** Protocols the API is served over; null when unknown. */
  protocols: string[] | null;
  /** The API accepts HTTP or WS (unencrypted); null when unknown. */
  unencrypted: boolean | null;
  /** Requests over the 30-day span totalled by the last daily baseline run; null before the first run. */
  traffic: { requests: number; from: string; to: string } | null;
  /** Event time of the first and last request seen. */
  firstSeen: string | null;
  lastSeen: string | null;
  /** In the inventory, but no request was ever seen. */
  neverSeen: boolean;
  /** When the inventory sync first found the operation; null when it was there at the first sync (or is not in the inventory). */
  firstSyncedAt: string | null;
  /** Marked inactive by markInactiveEndpoints (no traffic for WARDEN_INACTIVE_DAYS). */
  inactive: boolean;
  inactiveSince: string | null;
  /** Alerts Active or InProgress on this endpoint. */
  openAlerts: number;
}

/** What the stores hold, for {@link buildEndpointRows}. */
export interface EndpointSources {
  /** The current inventory snapshot; undefined before the first sync. */
  inventory?: Inventory;
  /** First and last seen per endpoint, merged over partitions. */
  activity: ReadonlyArray<{ endpoint: Endpoint; firstSeen: number; lastSeen: number }>;
  statuses: ReadonlyArray<{ endpoint: Endpoint; inactive: boolean; inactiveSince?: number }>;
  traffic?: EndpointTraffic;
  alerts: readonly Alert[];
}

const OPEN_ALERT_STATUSES = new Set(['Active', 'InProgress']);
const UNENCRYPTED_PROTOCOLS = new Set(['http', 'ws']);

/**
 * The key endpoints are joined on: case-insensitive for operations (ARM names), exact for
 * unmatched paths, whose key's operation part starts with "~" (see requestEvent's endpointKey).
 */
function joinKey(endpointKey: string): string {
  return endpointKey.split('|')[2]?.startsWith('~') === true ? endpointKey : endpointKey.toLowerCase();
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * One row per endpoint: the inventory's operations first (in inventory order), then endpoints
 * seen only in traffic (by key).
 */
export function buildEndpointRows(sources: EndpointSources): EndpointRow[] {
  const inventoried = sources.inventory === undefined ? [] : inventoryRows(sources.inventory);
  const rows = new Map(inventoried.map((row) => [joinKey(row.key), row]));
  const trafficOnly: EndpointRow[] = [];
  const rowOf = (endpoint: Endpoint): EndpointRow => {
    const key = joinKey(endpoint.key);
    let row = rows.get(key);
    if (row === undefined) {
      row = trafficRow(endpoint);
      rows.set(key, row);
      trafficOnly.push(row);
    }
    return row;
  };
  for (const { endpoint, firstSeen, lastSeen } of sources.activity) {
    const row = rowOf(endpoint);
    row.firstSeen = iso(Math.min(firstSeen, row.firstSeen === null ? Infinity : Date.parse(row.firstSeen)));
    row.lastSeen = iso(Math.max(lastSeen, row.lastSeen === null ? -Infinity : Date.parse(row.lastSeen)));
    row.neverSeen = false;
  }
  for (const { endpoint, inactive, inactiveSince } of sources.statuses) {
    const row = rows.get(joinKey(endpoint.key));
    if (row === undefined) continue;
    row.inactive = inactive;
    row.inactiveSince = inactive ? iso(inactiveSince) : null;
  }
  if (sources.traffic !== undefined) {
    const span = { from: new Date(sources.traffic.from).toISOString(), to: new Date(sources.traffic.to).toISOString() };
    const requests = new Map<string, number>();
    for (const [key, count] of sources.traffic.requests) requests.set(joinKey(key), (requests.get(joinKey(key)) ?? 0) + count);
    for (const [join, row] of rows) row.traffic = { requests: requests.get(join) ?? 0, ...span };
  }
  for (const alert of sources.alerts) {
    const endpoint = alert.keyEntities.endpoint;
    if (endpoint === undefined || !OPEN_ALERT_STATUSES.has(alert.status)) continue;
    const row = rows.get(joinKey(endpoint.key));
    if (row !== undefined) row.openAlerts += 1;
  }
  return [...inventoried, ...trafficOnly.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))];
}

function blankRow(endpoint: Endpoint): EndpointRow {
  return {
    key: endpoint.key,
    service: endpoint.service,
    apiId: endpoint.apiId,
    apiDisplayName: null,
    operationId: endpoint.operationId,
    operationDisplayName: null,
    method: null,
    urlTemplate: null,
    resourceId: null,
    inInventory: false,
    authentication: { status: 'unknown', methods: [], unknownBecause: 'not-in-inventory' },
    internetExposed: null,
    protocols: null,
    unencrypted: null,
    traffic: null,
    firstSeen: null,
    lastSeen: null,
    neverSeen: false,
    firstSyncedAt: null,
    inactive: false,
    inactiveSince: null,
    openAlerts: 0,
  };
}

/** An endpoint seen in traffic only: an unmatched path ("METHOD /path"), or an operation the inventory does not (or no longer) hold. */
function trafficRow(endpoint: Endpoint): EndpointRow {
  const row = blankRow(endpoint);
  if (endpoint.operationId === '') {
    const space = endpoint.pathTemplate.indexOf(' ');
    row.method = space < 0 ? null : endpoint.pathTemplate.slice(0, space);
    row.urlTemplate = space < 0 ? endpoint.pathTemplate : endpoint.pathTemplate.slice(space + 1);
  }
  return row;
}

function inventoryRows(inventory: Inventory): EndpointRow[] {
  const service = inventoryServiceName(inventory);
  const openProductApis = openProductApiNames(inventory);
  const internetExposed = internetExposure(inventory);
  return inventory.apis.flatMap((api) =>
    api.operations.map((operation): EndpointRow => {
      const row = blankRow(makeEndpoint({ service, apiId: api.name, operationId: operation.name, pathTemplate: '' }));
      return {
        ...row,
        apiDisplayName: api.displayName ?? null,
        operationDisplayName: operation.displayName ?? null,
        method: operation.method,
        urlTemplate: operation.urlTemplate,
        resourceId: resourceIds.operation(inventory, api.name, operation.name),
        inInventory: true,
        authentication: authenticationOf(inventory, api, operation, openProductApis),
        internetExposed,
        protocols: api.protocols ?? null,
        unencrypted: api.protocols === undefined ? null : api.protocols.some((protocol) => UNENCRYPTED_PROTOCOLS.has(protocol.toLowerCase())),
        neverSeen: true,
        firstSyncedAt: operation.firstSyncedAt ?? null,
      };
    }),
  );
}

/**
 * Published products that require no subscription ("open" products): every API in one can be
 * called without a key, even an API that requires one. A product without a state is taken as
 * published (the cautious reading).
 */
export function openProducts(inventory: Inventory): NonNullable<Inventory['products']> {
  return (inventory.products ?? []).filter((product) => product.subscriptionRequired === false && (product.state ?? 'published') === 'published');
}

function openProductApiNames(inventory: Inventory): Set<string> {
  return new Set(openProducts(inventory).flatMap((product) => product.apis.map((api) => api.toLowerCase())));
}

/** Whether the service's gateway is reachable from the internet: not when public access is off or it sits in an internal VNet; null when neither is known. */
export function internetExposure(inventory: Pick<Inventory, 'service'>): boolean | null {
  const { publicNetworkAccess, virtualNetworkType } = inventory.service;
  if (publicNetworkAccess === undefined && virtualNetworkType === undefined) return null;
  return publicNetworkAccess?.toLowerCase() !== 'disabled' && virtualNetworkType?.toLowerCase() !== 'internal';
}

/**
 * How calls to an operation are authenticated, as Defender assesses it: a subscription key
 * where the API requires one (unless the API is in an open product), or an inbound
 * validate-jwt, validate-azure-ad-token, validate-client-certificate or Authorization
 * check-header policy that runs for the operation (its own, then the API's and the global
 * one as long as each scope includes `<base />`).
 */
function authenticationOf(inventory: Inventory, api: InventoryApi, operation: InventoryOperation, openProductApis: Set<string>): EndpointAuthentication {
  const methods = new Set<AuthenticationMethod>();
  if ((api.subscriptionRequired ?? true) && !openProductApis.has(api.name.toLowerCase())) methods.add('subscription-key');
  const chain: PolicyFacts[] = [];
  const policiesRead = inventory.service.policy !== undefined;
  if (policiesRead) {
    for (const facts of [operation.policy ?? NO_POLICY, api.policy ?? NO_POLICY, inventory.service.policy ?? NO_POLICY]) {
      chain.push(facts);
      if (!facts.inheritsInbound) break;
    }
  }
  for (const facts of chain) facts.authentication.forEach((method) => methods.add(method));
  const fragments = [...new Set(chain.flatMap((facts) => facts.fragments))];
  const result: EndpointAuthentication = { status: methods.size > 0 ? 'authenticated' : 'unauthenticated', methods: [...methods] };
  if (fragments.length > 0) result.fragments = fragments;
  if (methods.size > 0) return result;
  // Nothing authenticates the call as far as the inventory shows; say so only when it shows everything.
  const unknownBecause = !policiesRead
    ? 'policies-not-read'
    : chain.some((facts) => facts.unreadable === true)
      ? 'unreadable-policy'
      : fragments.length > 0
        ? 'policy-fragments'
        : undefined;
  return unknownBecause === undefined ? result : { ...result, status: 'unknown', unknownBecause };
}

// ---------------------------------------------------------------------------------------------
// Filters

const booleanParam = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((value) => value === 'true');

/** Query parameters of GET /api/endpoints; every filter is optional and they combine (AND). */
export const endpointFiltersSchema = z.strictObject({
  apiId: z.string().trim().min(1).max(256).optional(),
  /** true: authenticated; false: unauthenticated (endpoints whose status is unknown match neither). */
  authenticated: booleanParam.optional(),
  /** true: reachable from the internet; false: not (unknown matches neither). */
  exposed: booleanParam.optional(),
  /** true: the API accepts HTTP or WS; false: HTTPS/WSS only (unknown matches neither). */
  unencrypted: booleanParam.optional(),
  inactive: booleanParam.optional(),
  neverSeen: booleanParam.optional(),
  hasOpenAlerts: booleanParam.optional(),
  inInventory: booleanParam.optional(),
  /** Case-insensitive text in the ids, display names, method and URL template. */
  q: z.string().trim().min(1).max(200).optional(),
});

export type EndpointFilters = z.infer<typeof endpointFiltersSchema>;

/** The rows every given filter accepts, in their order. */
export function filterEndpoints(rows: readonly EndpointRow[], filters: EndpointFilters): EndpointRow[] {
  const text = filters.q?.toLowerCase();
  const is = (expected: boolean | undefined, actual: boolean | null) => expected === undefined || actual === expected;
  return rows.filter(
    (row) =>
      (filters.apiId === undefined || row.apiId.toLowerCase() === filters.apiId.toLowerCase()) &&
      (filters.authenticated === undefined || row.authentication.status === (filters.authenticated ? 'authenticated' : 'unauthenticated')) &&
      is(filters.exposed, row.internetExposed) &&
      is(filters.unencrypted, row.unencrypted) &&
      is(filters.inactive, row.inactive) &&
      is(filters.neverSeen, row.neverSeen) &&
      is(filters.hasOpenAlerts, row.openAlerts > 0) &&
      is(filters.inInventory, row.inInventory) &&
      (text === undefined ||
        [row.key, row.apiId, row.apiDisplayName, row.operationId, row.operationDisplayName, `${row.method ?? ''} ${row.urlTemplate ?? ''}`].some((field) =>
          (field ?? '').toLowerCase().includes(text),
        )),
  );
}
