/**
 * The APIM inventory of one service through @azure/arm-apimanagement: the service, its current
 * API revisions and their operations, products and their APIs, a summary of subscriptions, and
 * every global, API and operation policy reduced to its facts (the XML is never kept).
 *
 * Listing follows ARM's `nextLink` paging (the SDK's page iterators). Requests go through the
 * SDK's default retry policy, which production leaves on: 429 and 503 wait for `Retry-After`,
 * other 5xx and network errors back off exponentially (3 retries); when a request still fails
 * the read throws an `upstream` DomainError naming what was being read and the HTTP status.
 *
 * Calls per read: 1 (service) + 1 (global policy) + pages of APIs + per API (pages of
 * operations + its policy + one policy per operation) + pages of products + per product (pages
 * of its APIs) + pages of subscriptions. Policies and products' APIs are read a few at a time.
 */
import { ApiManagementClient, type ApiManagementClientOptionalParams, type ApiContract, type OperationContract } from '@azure/arm-apimanagement';
import type { TokenCredential } from '@azure/core-auth';

import { parseInventory, type Inventory } from '../core/inventory';
import { NO_POLICY, policyFacts, type PolicyFacts } from '../core/policy';
import { DomainError } from '../errors';
import type { InventoryReader, PolicyScope } from '../ports';
import { describeScope, readRawPolicy, toDomainError, type ApimServiceRef } from './apimPolicies';

/** Reads in flight at once (policies, products' APIs): quick syncs without bursting into ARM's throttling. */
const READS_IN_FLIGHT = 4;

/** Subscriptions whose scope is every API of the service end in "/apis" (ARM's form of the scope "/apis"). */
const ALL_APIS_SCOPE = /\/apis\/?$/i;

/**
 * An InventoryReader for one APIM service. `options` go to ApiManagementClient: production
 * passes none (the SDK's defaults, retries included); tests pass the fake ARM server's
 * endpoint and TLS options.
 */
export function createApimInventoryReader(
  credential: TokenCredential,
  service: ApimServiceRef,
  options: ApiManagementClientOptionalParams = {},
): InventoryReader {
  const client = new ApiManagementClient(credential, service.subscriptionId, options);
  const { resourceGroup: rg, serviceName: name } = service;

  /** Runs an ARM call, naming what it read when it fails. */
  async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toDomainError(error, what);
    }
  }

  async function facts(scope: PolicyScope): Promise<PolicyFacts | undefined> {
    const doc = await step(`Reading the ${describeScope(scope)}`, () => readRawPolicy(client, service, scope));
    return doc === undefined ? undefined : policyFacts(doc.xml);
  }

  async function readApi(api: ApiContract): Promise<Record<string, unknown>> {
    const apiId = api.name ?? '';
    const operations = await step(`Listing the operations of API '${apiId}'`, () => collect(client.apiOperation.listByApi(rg, name, apiId)));
    const policies = await inBatches(operations, READS_IN_FLIGHT, (operation) => facts({ kind: 'operation', apiId, operationId: operation.name ?? '' }));
    return {
      name: apiId,
      displayName: api.displayName,
      path: api.path ?? '',
      subscriptionRequired: api.subscriptionRequired,
      apiVersion: api.apiVersion,
      protocols: api.protocols,
      serviceUrl: api.serviceUrl,
      policy: await facts({ kind: 'api', apiId }),
      operations: operations.map((operation, i) => operationOf(operation, policies[i])),
    };
  }

  async function readProducts(): Promise<Array<Record<string, unknown>>> {
    const products = await step('Listing the products', () => collect(client.product.listByService(rg, name)));
    return await inBatches(products, READS_IN_FLIGHT, async (product) => {
      const productId = product.name ?? '';
      const apis = await step(`Listing the APIs of product '${productId}'`, () => collect(client.productApi.listByProduct(rg, name, productId)));
      return {
        name: productId,
        displayName: product.displayName,
        state: product.state,
        subscriptionRequired: product.subscriptionRequired,
        approvalRequired: product.approvalRequired,
        apis: apis.map((api) => api.name ?? ''),
      };
    });
  }

  async function readSubscriptions(): Promise<Inventory['subscriptions']> {
    const subscriptions = await step('Listing the subscriptions', () => collect(client.subscription.list(rg, name)));
    const byState: Record<string, number> = {};
    for (const subscription of subscriptions) {
      const state = subscription.state ?? 'unknown';
      byState[state] = (byState[state] ?? 0) + 1;
    }
    return {
      total: subscriptions.length,
      byState,
      allApis: subscriptions
        .filter((subscription) => ALL_APIS_SCOPE.test(subscription.scope ?? ''))
        .map((subscription) => ({ name: subscription.name ?? '', displayName: subscription.displayName, state: subscription.state ?? 'unknown', scope: subscription.scope ?? '' })),
    };
  }

  async function read(): Promise<Inventory> {
    const resource = await step(`Reading API Management service '${name}'`, () => client.apiManagementService.get(rg, name));
    // Only current revisions: other revisions are not what callers reach without ";rev=".
    const listed = await step('Listing the APIs', () => collect(client.api.listByService(rg, name, { filter: 'isCurrent eq true' })));
    const current = listed.filter((api) => api.isCurrent !== false && !(api.name ?? '').includes(';rev='));
    const apis = await inBatches(current, 1, readApi);
    const parsed = parseInventory({
      service: {
        resourceId: resource.id,
        gatewayUrl: resource.gatewayUrl,
        sku: { name: resource.sku.name, capacity: resource.sku.capacity },
        publicNetworkAccess: resource.publicNetworkAccess,
        virtualNetworkType: resource.virtualNetworkType,
        minApiVersion: resource.apiVersionConstraint?.minApiVersion,
        policy: (await facts({ kind: 'global' })) ?? NO_POLICY,
      },
      apis,
      products: await readProducts(),
      subscriptions: await readSubscriptions(),
    });
    if (!parsed.ok) {
      const shown = parsed.errors.slice(0, 5).join('; ');
      throw new DomainError('upstream', `API Management service '${name}' returned an inventory API Warden cannot use: ${shown}${parsed.errors.length > 5 ? '; …' : ''}`);
    }
    return parsed.inventory;
  }

  return { read };
}

function operationOf(operation: OperationContract, policy: PolicyFacts | undefined): Record<string, unknown> {
  return {
    name: operation.name ?? '',
    displayName: operation.displayName,
    method: operation.method ?? '',
    urlTemplate: operation.urlTemplate ?? '',
    templateParameters: (operation.templateParameters ?? []).map(({ name, type, required }) => ({ name, type, required })),
    request: { queryParameters: (operation.request?.queryParameters ?? []).map(({ name, type, required }) => ({ name, type, required })) },
    policy,
  };
}

/** Every item of a paged SDK listing (the iterator follows nextLink). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Maps items `size` at a time, keeping their order. */
async function inBatches<T, R>(items: readonly T[], size: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(map))));
  return out;
}
