/**
 * APIM policies and API settings through @azure/arm-apimanagement (the ARM control plane):
 * the `PolicyClient` port for one APIM service, and `updatePolicyWithRetry`, the
 * read → edit → conditional write loop response actions use so that concurrent edits of the
 * same policy document are never clobbered.
 *
 * Policies are read with `format=rawxml` (the XML as the user wrote it, not the escaped `xml`
 * form) and written back as rawxml with `If-Match: <etag>`; a 412 becomes a `conflict`.
 * The XML editing itself is the caller's (shared/core/policy), passed in as `edit`.
 */
import { ApiManagementClient, type ApiManagementClientOptionalParams } from '@azure/arm-apimanagement';
import type { TokenCredential } from '@azure/core-auth';
import type { FullOperationResponse } from '@azure/core-client';

import { DomainError, NotFoundError } from '../errors';
import type { PolicyClient, PolicyDocument, PolicyScope } from '../ports';

/** The only policy id APIM has at each scope. */
const POLICY_ID = 'policy';
const RAW_XML = 'rawxml';

export interface ApimServiceRef {
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
}

/** What a caught SDK error tells us: its HTTP status and ARM error code, if any. */
export function restFailure(error: unknown): { status: number | undefined; code: string | undefined } {
  if (typeof error !== 'object' || error === null) return { status: undefined, code: undefined };
  const e = error as { statusCode?: unknown; code?: unknown };
  return {
    status: typeof e.statusCode === 'number' ? e.statusCode : undefined,
    code: typeof e.code === 'string' ? e.code : undefined,
  };
}

export function describeScope(scope: PolicyScope): string {
  switch (scope.kind) {
    case 'global':
      return 'global policy';
    case 'api':
      return `policy of API '${scope.apiId}'`;
    case 'operation':
      return `policy of operation '${scope.operationId}' of API '${scope.apiId}'`;
  }
}

/** The raw XML and ETag of a policy GET response (JSON `{ properties: { format, value } }`). */
function policyFromResponse(response: FullOperationResponse): PolicyDocument | undefined {
  const etag = response.headers.get('etag');
  // bodyAsText is the wire JSON; parsedBody is what the SDK's (possibly lossy) mapper made of it.
  let value: unknown;
  if (response.bodyAsText) {
    try {
      value = (JSON.parse(response.bodyAsText) as { properties?: { value?: unknown } } | null)?.properties?.value;
    } catch {
      value = undefined;
    }
  }
  if (typeof value !== 'string') value = (response.parsedBody as { value?: unknown } | null | undefined)?.value;
  return typeof value === 'string' && etag ? { xml: value, etag } : undefined;
}

/** Maps an SDK failure to a DomainError: 412 → conflict, 404 → not_found, else upstream. */
export function toDomainError(error: unknown, what: string): DomainError {
  if (error instanceof DomainError) return error;
  const { status, code } = restFailure(error);
  if (status === 412) return new DomainError('conflict', `${what}: changed by someone else since it was read (HTTP 412)`);
  if (status === 404) return new NotFoundError(`${what}: not found in API Management (HTTP 404${code ? ` ${code}` : ''})`);
  const detail = status === undefined ? (error instanceof Error ? error.message : String(error)) : `HTTP ${status}${code ? ` ${code}` : ''}`;
  return new DomainError('upstream', `${what}: API Management request failed (${detail})`);
}

/**
 * The raw XML and ETag of the policy at `scope`, or undefined when APIM answers 404 (no policy,
 * or no such API or operation: the caller tells them apart). SDK failures are thrown as they are.
 */
export async function readRawPolicy(client: ApiManagementClient, service: ApimServiceRef, scope: PolicyScope): Promise<PolicyDocument | undefined> {
  const { resourceGroup: rg, serviceName: name } = service;
  // The SDK declares the API and operation policy GETs as XML responses (isXML), so it drops
  // the value of APIM's JSON answer (Azure/azure-sdk-for-js#31566). Read the raw response.
  let raw: FullOperationResponse | undefined;
  const opts = { format: RAW_XML, onResponse: (response: FullOperationResponse) => void (raw = response) } as const;
  try {
    if (scope.kind === 'global') await client.policy.get(rg, name, POLICY_ID, opts);
    else if (scope.kind === 'api') await client.apiPolicy.get(rg, name, scope.apiId, POLICY_ID, opts);
    else await client.apiOperationPolicy.get(rg, name, scope.apiId, scope.operationId, POLICY_ID, opts);
  } catch (error) {
    if (restFailure(error).status === 404) return undefined;
    throw error;
  }
  const doc = raw === undefined ? undefined : policyFromResponse(raw);
  if (doc === undefined) throw new DomainError('upstream', `Reading the ${describeScope(scope)}: API Management returned no policy value or ETag`);
  return doc;
}

/**
 * A PolicyClient for one APIM service. `options` go to ApiManagementClient (tests pass the
 * fake ARM server's `endpoint` and `tlsOptions`).
 */
export function createApimPolicyClient(
  credential: TokenCredential,
  service: ApimServiceRef,
  options: ApiManagementClientOptionalParams = {},
): PolicyClient {
  const client = new ApiManagementClient(credential, service.subscriptionId, options);
  const { resourceGroup: rg, serviceName: name } = service;

  async function getPolicy(scope: PolicyScope): Promise<PolicyDocument | undefined> {
    const what = `Reading the ${describeScope(scope)}`;
    try {
      const doc = await readRawPolicy(client, service, scope);
      // No policy at the scope is a normal state; a missing service, API or operation is not.
      if (doc === undefined && !(await scopeExists(scope))) throw new NotFoundError(`${what}: not found in API Management (HTTP 404)`);
      return doc;
    } catch (error) {
      throw toDomainError(error, what);
    }
  }

  /** Whether the service / API / operation a scope names exists (a 404 on its policy then means "no policy"). */
  async function scopeExists(scope: PolicyScope): Promise<boolean> {
    try {
      if (scope.kind === 'global') await client.apiManagementService.get(rg, name);
      if (scope.kind === 'api') await client.api.get(rg, name, scope.apiId);
      if (scope.kind === 'operation') await client.apiOperation.get(rg, name, scope.apiId, scope.operationId);
      return true;
    } catch (error) {
      if (restFailure(error).status === 404) return false;
      throw toDomainError(error, `Checking the ${describeScope(scope)}`);
    }
  }

  async function putPolicy(scope: PolicyScope, xml: string, etag: string | undefined): Promise<{ etag: string }> {
    const what = `Writing the ${describeScope(scope)}`;
    const body = { value: xml, format: RAW_XML } as const;
    const opts = etag === undefined ? {} : { ifMatch: etag };
    try {
      const result =
        scope.kind === 'global'
          ? await client.policy.createOrUpdate(rg, name, POLICY_ID, body, opts)
          : scope.kind === 'api'
            ? await client.apiPolicy.createOrUpdate(rg, name, scope.apiId, POLICY_ID, body, opts)
            : await client.apiOperationPolicy.createOrUpdate(rg, name, scope.apiId, scope.operationId, POLICY_ID, body, opts);
      if (result.eTag === undefined) throw new DomainError('upstream', `${what}: API Management returned no ETag`);
      return { etag: result.eTag };
    } catch (error) {
      throw toDomainError(error, what);
    }
  }

  async function deletePolicy(scope: PolicyScope, etag: string): Promise<void> {
    const what = `Deleting the ${describeScope(scope)}`;
    try {
      if (scope.kind === 'global') await client.policy.delete(rg, name, POLICY_ID, etag);
      else if (scope.kind === 'api') await client.apiPolicy.delete(rg, name, scope.apiId, POLICY_ID, etag);
      else await client.apiOperationPolicy.delete(rg, name, scope.apiId, scope.operationId, POLICY_ID, etag);
    } catch (error) {
      throw toDomainError(error, what);
    }
  }

  async function getServiceSku(): Promise<string> {
    try {
      const resource = await client.apiManagementService.get(rg, name);
      return resource.sku.name;
    } catch (error) {
      throw toDomainError(error, `Reading API Management service '${name}'`);
    }
  }

  async function getSubscriptionRequired(apiId: string): Promise<boolean> {
    try {
      const api = await client.api.get(rg, name, apiId);
      // APIM's default when the property is absent is "required".
      return api.subscriptionRequired ?? true;
    } catch (error) {
      throw toDomainError(error, `Reading API '${apiId}'`);
    }
  }

  async function setSubscriptionRequired(apiId: string, value: boolean): Promise<{ changed: boolean }> {
    const what = `Setting subscriptionRequired=${value} on API '${apiId}'`;
    const maxAttempts = 3;
    for (let attempt = 1; ; attempt++) {
      try {
        const api = await client.api.get(rg, name, apiId);
        if ((api.subscriptionRequired ?? true) === value) return { changed: false };
        if (api.eTag === undefined) throw new DomainError('upstream', `${what}: API Management returned no ETag`);
        await client.api.update(rg, name, apiId, api.eTag, { subscriptionRequired: value });
        return { changed: true };
      } catch (error) {
        const domain = toDomainError(error, what);
        if (domain.code !== 'conflict' || attempt >= maxAttempts) throw domain;
      }
    }
  }

  return { getPolicy, putPolicy, deletePolicy, getServiceSku, getSubscriptionRequired, setSubscriptionRequired };
}

/** What `edit` returns: the new document, and whether it differs from the one it was given. */
export interface PolicyEdit {
  xml: string;
  changed: boolean;
}

export interface PolicyUpdateResult {
  /** False when the edit was already in place: nothing was written. */
  changed: boolean;
  /** The document the successful edit was applied to (undefined: there was no policy). */
  before: string | undefined;
  /** Its ETag. */
  etagBefore: string | undefined;
  /** The document now in APIM. */
  after: string | undefined;
  /** ETag of the document now in APIM (undefined only when there is no policy and nothing was written). */
  etag: string | undefined;
  /** Reads (and edits) it took, 1 when nobody wrote concurrently. */
  attempts: number;
}

/**
 * Read → edit → write with If-Match; on a conflict (someone wrote in between) re-read and
 * re-apply the edit to their document, up to `maxAttempts` times, then throw a `conflict`.
 * `edit` gets the current raw XML (undefined when the scope has no policy) and must be pure:
 * it may run once per attempt. No write happens when it reports `changed: false`, so applying
 * the same action twice is harmless.
 *
 * Limitation: when the scope has no policy, APIM offers no create-only condition, so that first
 * write is unconditional; a policy created concurrently in that instant is overwritten.
 */
export async function updatePolicyWithRetry(
  client: PolicyClient,
  scope: PolicyScope,
  edit: (xml: string | undefined) => PolicyEdit,
  maxAttempts = 5,
): Promise<PolicyUpdateResult> {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await client.getPolicy(scope);
    const result = edit(current?.xml);
    if (!result.changed) {
      return { changed: false, before: current?.xml, etagBefore: current?.etag, after: current?.xml, etag: current?.etag, attempts: attempt };
    }
    try {
      const written = await client.putPolicy(scope, result.xml, current?.etag);
      return { changed: true, before: current?.xml, etagBefore: current?.etag, after: result.xml, etag: written.etag, attempts: attempt };
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'conflict')) throw error;
    }
  }
  throw new DomainError(
    'conflict',
    `The ${describeScope(scope)} kept changing while it was being edited; gave up after ${maxAttempts} attempts`,
  );
}
