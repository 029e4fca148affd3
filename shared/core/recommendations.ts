/**
 * Posture recommendations in the spirit of Microsoft Defender for Cloud's API and API
 * Management recommendations: each has a stable id, a display name, a severity, a description,
 * remediation steps and the resources it affects (ARM ids, with the apiId/operationId of APIs
 * and operations). Pure: judged from the inventory snapshot and the endpoints view.
 *
 * A recommendation is open while it affects at least one resource; only open ones are listed.
 */
import { internetExposure, openProducts, type EndpointRow } from './endpoints';
import { resourceIds, type Inventory } from './inventory';

export type RecommendationSeverity = 'High' | 'Medium' | 'Low';

export interface AffectedResource {
  resourceId: string;
  resourceType: 'service' | 'api' | 'operation' | 'product' | 'subscription';
  displayName: string;
  apiId?: string;
  operationId?: string;
  /** Why this resource is affected. */
  detail: string;
}

export interface Recommendation {
  /** Stable: the same finding keeps its id from one run to the next (and across releases). */
  id: string;
  displayName: string;
  severity: RecommendationSeverity;
  description: string;
  remediationSteps: string[];
  /** Defender for Cloud's recommendation this one follows, when there is one. */
  defenderCounterpart?: string;
  affectedResources: AffectedResource[];
}

/** What the recommendations are judged from. */
export interface PostureInput {
  inventory: Inventory;
  endpoints: readonly EndpointRow[];
  /** Event-time span of the traffic API Warden has ingested (epoch ms); undefined before any. */
  observed?: { from: number; to: number };
  /** WARDEN_INACTIVE_DAYS: days without traffic after which an endpoint is unused. */
  inactiveDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** APIM's control-plane API versions from this one on never return secrets to read-only callers. */
const SAFE_MIN_API_VERSION = '2019-12-01';
/** Classic tiers that can be injected into a virtual network. */
const VNET_CAPABLE_SKUS = new Set(['developer', 'premium']);

type Definition = Omit<Recommendation, 'affectedResources'> & { affected(input: PostureInput): AffectedResource[] };

// In severity order, High first.

function operationResource(row: EndpointRow, detail: string): AffectedResource {
  return {
    resourceId: row.resourceId ?? '',
    resourceType: 'operation',
    displayName: `${row.apiDisplayName ?? row.apiId} / ${row.operationDisplayName ?? row.operationId} (${row.method ?? ''} ${row.urlTemplate ?? ''})`,
    apiId: row.apiId,
    operationId: row.operationId,
    detail,
  };
}

function serviceResource(inventory: Inventory, detail: string): AffectedResource {
  const name = inventory.service.resourceId.replace(/\/+$/, '').split('/').pop() ?? '';
  return { resourceId: inventory.service.resourceId, resourceType: 'service', displayName: name, detail };
}

const unauthenticated = (row: EndpointRow) => row.inInventory && row.authentication.status === 'unauthenticated';
const AUTH_DETAIL = 'no subscription key is required and no inbound validate-jwt, validate-azure-ad-token, validate-client-certificate or Authorization check-header policy runs';

const AUTHENTICATION_STEPS = [
  'Require a subscription key on the API (API settings → Subscription required), and make sure it is not in a product that requires no subscription.',
  'Or validate a token or certificate in the inbound policy: validate-jwt or validate-azure-ad-token for OAuth 2.0 / Microsoft Entra ID, validate-client-certificate for mTLS; keep <base /> in the operation and API policies so global checks run.',
  'As an immediate measure, POST /api/actions/require-subscription with the apiId (reversible with allow-anonymous; it does not help while the API is in a product that requires no subscription).',
];

const DEFINITIONS: readonly Definition[] = [
  {
    id: 'unauthenticated-exposed-endpoints',
    displayName: 'API endpoints exposed to the internet should be authenticated',
    severity: 'High',
    description:
      'These operations are reachable from the internet and nothing authenticates their callers: an attacker can call them anonymously and exploit flaws in the backend. Authentication is assessed as Defender for APIs does: a subscription key where the API requires one (and no open product contains it), or an inbound policy validating a JWT, a Microsoft Entra token or a client certificate (or checking the Authorization header).',
    remediationSteps: AUTHENTICATION_STEPS,
    defenderCounterpart: 'API endpoints in Azure API Management should be authenticated',
    affected: ({ endpoints }) => endpoints.filter((row) => unauthenticated(row) && row.internetExposed === true).map((row) => operationResource(row, AUTH_DETAIL)),
  },
  {
    id: 'unencrypted-protocols',
    displayName: 'API Management APIs should use only encrypted protocols',
    severity: 'High',
    description: 'These APIs accept HTTP or WS: requests, keys and tokens travel in clear text and can be read or changed in transit.',
    remediationSteps: ['In the API settings, select HTTPS (and WSS for WebSocket APIs) only.', 'Tell clients still using http:// to switch before removing it.'],
    defenderCounterpart: 'API Management APIs should use only encrypted protocols',
    affected: ({ inventory }) =>
      inventory.apis
        .filter((api) => (api.protocols ?? []).some((protocol) => ['http', 'ws'].includes(protocol.toLowerCase())))
        .map((api) => ({
          resourceId: resourceIds.api(inventory, api.name),
          resourceType: 'api',
          displayName: api.displayName ?? api.name,
          apiId: api.name,
          detail: `protocols: ${(api.protocols ?? []).join(', ')}`,
        })),
  },
  {
    id: 'unauthenticated-internal-endpoints',
    displayName: 'API endpoints should be authenticated, even inside a private network',
    severity: 'Medium',
    description:
      'These operations are reachable only from a virtual network or private endpoints, but nothing authenticates their callers: anything that gets into the network can call them.',
    remediationSteps: AUTHENTICATION_STEPS,
    defenderCounterpart: 'API endpoints in Azure API Management should be authenticated',
    affected: ({ endpoints }) => endpoints.filter((row) => unauthenticated(row) && row.internetExposed === false).map((row) => operationResource(row, AUTH_DETAIL)),
  },
  {
    id: 'subscriptions-scoped-to-all-apis',
    displayName: 'API Management subscriptions should not be scoped to all APIs',
    severity: 'Medium',
    description: 'A key of these active subscriptions opens every API of the service, now and future ones, which can expose far more data than its holder needs.',
    remediationSteps: [
      'Create subscriptions scoped to a product or a single API for each consumer, and move consumers to them.',
      'Then suspend or delete the all-APIs subscription.',
    ],
    defenderCounterpart: 'API Management subscriptions should not be scoped to all APIs',
    affected: ({ inventory }) =>
      (inventory.subscriptions?.allApis ?? [])
        .filter((subscription) => subscription.state.toLowerCase() === 'active')
        .map((subscription) => ({
          resourceId: resourceIds.subscription(inventory, subscription.name),
          resourceType: 'subscription',
          displayName: subscription.displayName ?? subscription.name,
          detail: `scope ${subscription.scope}`,
        })),
  },
  {
    id: 'open-products',
    displayName: 'API Management products should require a subscription',
    severity: 'Medium',
    description: 'These published products require no subscription: every API in them can be called without a key, even an API that requires one.',
    remediationSteps: [
      'In the product settings, check "Requires subscription" (and "Requires approval" where consumers must be vetted).',
      'Or protect the product\'s APIs with validate-jwt or validate-azure-ad-token.',
    ],
    affected: ({ inventory }) =>
      openProducts(inventory).map((product) => ({
        resourceId: resourceIds.product(inventory, product.name),
        resourceType: 'product',
        displayName: product.displayName ?? product.name,
        detail: product.apis.length === 0 ? 'no APIs yet' : `APIs callable without a key: ${product.apis.join(', ')}`,
      })),
  },
  {
    id: 'minimum-api-version',
    displayName: `API Management minimum API version should be set to ${SAFE_MIN_API_VERSION} or higher`,
    severity: 'Medium',
    description: `Control-plane API versions before ${SAFE_MIN_API_VERSION} return secrets (subscription keys, named values) to callers with read-only access. Setting a minimum API version makes the service refuse them.`,
    remediationSteps: [`Set the service's apiVersionConstraint.minApiVersion to ${SAFE_MIN_API_VERSION} or later (portal: Management API → minimum API version; or Bicep/ARM).`, 'Update tooling that still uses older API versions.'],
    defenderCounterpart: `API Management minimum API version should be set to ${SAFE_MIN_API_VERSION} or higher`,
    affected: ({ inventory }) => {
      const minimum = inventory.service.minApiVersion;
      // Without a SKU the inventory was not read from ARM (a hand-written file): the constraint is unknown.
      // API versions are dates (YYYY-MM-DD[-preview]), so they compare as text.
      if (inventory.service.sku === undefined || (minimum !== undefined && minimum >= SAFE_MIN_API_VERSION)) return [];
      return [serviceResource(inventory, minimum === undefined ? 'no minimum API version is set' : `minimum API version ${minimum}`)];
    },
  },
  {
    id: 'unused-endpoints',
    displayName: 'API endpoints that are unused should be disabled and removed from the API Management service',
    severity: 'Low',
    description:
      'These operations received no traffic for the inactivity period (WARDEN_INACTIVE_DAYS, 30 days by default), or none at all since API Warden has been watching for that long. Unused endpoints are often forgotten ones that no longer get security fixes, and are an attack surface nobody watches.',
    remediationSteps: [
      'Check with the API owner that the operation is no longer needed.',
      'Disable it at once with POST /api/actions/disable-endpoint (apiId, operationId; reversible), then remove it from the API.',
    ],
    defenderCounterpart: 'API endpoints that are unused should be disabled and removed from the Azure API Management service',
    affected: ({ endpoints, observed, inactiveDays }) =>
      endpoints.flatMap((row) => {
        if (!row.inInventory) return [];
        if (row.inactive) return [operationResource(row, `no traffic since ${row.lastSeen ?? 'unknown'}`)];
        if (!row.neverSeen || observed === undefined) return [];
        // Judge only what was watched for the whole period: since traffic was first ingested, or since the operation appeared.
        const watchedFrom = Math.max(observed.from, row.firstSyncedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(row.firstSyncedAt));
        const days = Math.floor((observed.to - watchedFrom) / DAY_MS);
        return days >= inactiveDays ? [operationResource(row, `no traffic in ${days} days of observed traffic`)] : [];
      }),
  },
  {
    id: 'no-virtual-network',
    displayName: 'API Management services should use a virtual network',
    severity: 'Low',
    description: 'The gateway, developer portal and management endpoints of this service are reachable from the whole internet. A virtual network (or disabled public access with private endpoints) limits who can reach them.',
    remediationSteps: [
      'Deploy the service into a virtual network (External mode behind a WAF, or Internal mode with Application Gateway in front).',
      'Or disable public network access and reach the service through private endpoints.',
    ],
    affected: ({ inventory }) => {
      const sku = inventory.service.sku?.name.toLowerCase() ?? '';
      const vnet = inventory.service.virtualNetworkType?.toLowerCase() ?? 'none';
      if (!VNET_CAPABLE_SKUS.has(sku) || vnet !== 'none' || internetExposure(inventory) !== true) return [];
      return [serviceResource(inventory, `virtual network type ${inventory.service.virtualNetworkType ?? 'None'}, public network access ${inventory.service.publicNetworkAccess ?? 'Enabled'}`)];
    },
  },
];

/** Every recommendation's id, open or not. */
export const RECOMMENDATION_IDS: readonly string[] = DEFINITIONS.map((definition) => definition.id);

/** The open recommendations: those affecting at least one resource, High first, then Medium, then Low (a fixed order within each). */
export function recommendations(input: PostureInput): Recommendation[] {
  return DEFINITIONS.flatMap(({ affected, ...recommendation }) => {
    const affectedResources = affected(input);
    return affectedResources.length === 0 ? [] : [{ ...recommendation, affectedResources }];
  });
}

/**
 * The open recommendations that affect one endpoint, for the alert details: those naming the
 * operation itself or its whole API (service-wide ones are left out), each with only the
 * affected resources that concern the endpoint.
 */
export function recommendationsForEndpoint(open: readonly Recommendation[], endpoint: { apiId: string; operationId: string }): Recommendation[] {
  const apiId = endpoint.apiId.toLowerCase();
  const operationId = endpoint.operationId.toLowerCase();
  return open.flatMap((recommendation) => {
    const affectedResources = recommendation.affectedResources.filter(
      (resource) =>
        resource.apiId?.toLowerCase() === apiId && (resource.operationId === undefined || resource.operationId.toLowerCase() === operationId),
    );
    return affectedResources.length === 0 ? [] : [{ ...recommendation, affectedResources }];
  });
}
