import { randomUUID } from 'node:crypto';

import { updatePolicyWithRetry } from '../azure/apimPolicies';
import {
  blockAddresses,
  disableOperation,
  enableOperation,
  PolicyDocumentError,
  removeRateLimit,
  setRateLimit,
  unblockAddresses,
  type EditResult,
} from '../core/policy';
import { DomainError, ValidationError } from '../errors';
import type { ActionKind, ActionRecord, ActionStore, Clock, PolicyClient, PolicyScope } from '../ports';

/** What a caller asks for; `parameters` depend on the kind (see {@link editFor}). */
export interface PolicyActionRequest {
  kind: ActionKind;
  scope: PolicyScope;
  addresses: string[];
  parameters?: { calls?: number; renewalPeriodSeconds?: number; statusCode?: 403 | 404 | 503; message?: string };
  reason: string;
  requestedBy: string;
  alertId?: string;
  expiresAt?: string;
}

export interface PolicyActionDependencies {
  policies: PolicyClient;
  actions: ActionStore;
  clock: Clock;
  /** Addresses and networks that are never blocked or limited. */
  allowlist: readonly string[];
}

/** Policy errors that are the caller's (bad or allowlisted addresses, bad parameters): a 400 on `field`. */
const CALLER_ERRORS: Record<string, string> = {
  'invalid-address': 'addresses',
  'prefix-too-broad': 'addresses',
  'ipv6-unsupported': 'addresses',
  allowlisted: 'addresses',
  'invalid-argument': 'parameters',
};

/** The policy a scope gets when it had none: every section inherits (global scope has nothing to inherit). */
function emptyPolicy(scope: PolicyScope): string {
  const inherit = scope.kind === 'global' ? '' : '<base />';
  const backend = scope.kind === 'global' ? '<forward-request />' : '<base />';
  return `<policies>\n  <inbound>${inherit}</inbound>\n  <backend>${backend}</backend>\n  <outbound>${inherit}</outbound>\n  <on-error>${inherit}</on-error>\n</policies>`;
}

/** The document edit of each action kind; removals on a scope without a policy change nothing. */
function editFor(request: PolicyActionRequest, allowlist: readonly string[]): (xml: string | undefined) => EditResult {
  const p = request.parameters ?? {};
  const adding = (edit: (xml: string) => EditResult) => (xml: string | undefined) => edit(xml ?? emptyPolicy(request.scope));
  const removing = (edit: (xml: string) => EditResult) => (xml: string | undefined) => (xml === undefined ? { xml: '', changed: false } : edit(xml));
  switch (request.kind) {
    case 'block-ip':
      return adding((xml) => blockAddresses(xml, request.addresses, { allowlist }));
    case 'unblock-ip':
      return removing((xml) => unblockAddresses(xml, request.addresses));
    case 'rate-limit':
      return adding((xml) =>
        setRateLimit(xml, { key: 'ip', calls: p.calls ?? 0, renewalPeriodSeconds: p.renewalPeriodSeconds ?? 0, addresses: request.addresses, allowlist }),
      );
    case 'remove-rate-limit':
      return removing(removeRateLimit);
    case 'disable-endpoint':
      return adding((xml) => disableOperation(xml, { ...(p.statusCode === undefined ? {} : { statusCode: p.statusCode }), ...(p.message === undefined ? {} : { message: p.message }) }));
    case 'enable-endpoint':
      return removing(enableOperation);
    case 'require-subscription':
    case 'allow-anonymous':
    case 'run-playbook':
      throw new Error(`${request.kind} is not a policy edit`);
  }
}

/**
 * Requires (or stops requiring) a subscription key on an API: APIM's own authentication switch,
 * changed through the API's settings with its ETag. Audited like the policy actions; undone by
 * the opposite kind.
 */
export async function setApiAuthentication(request: PolicyActionRequest & { scope: { kind: 'api'; apiId: string } }, deps: PolicyActionDependencies): Promise<ActionRecord> {
  const { changed } = await deps.policies.setSubscriptionRequired(request.scope.apiId, request.kind === 'require-subscription');
  const record: ActionRecord = {
    id: randomUUID(),
    kind: request.kind,
    scope: request.scope,
    addresses: [],
    result: changed ? 'applied' : 'no-change',
    requestedBy: request.requestedBy,
    reason: request.reason,
    at: deps.clock.now().toISOString(),
    ...(request.alertId === undefined ? {} : { alertId: request.alertId }),
    ...(request.expiresAt === undefined ? {} : { expiresAt: request.expiresAt }),
  };
  await deps.actions.add(record);
  return record;
}

/**
 * Applies a response action to an APIM policy: edits the policy document (everything else in it
 * survives), with ETag concurrency and re-read on conflict, writing nothing when the action is
 * already in place. Bad input is refused before any call to APIM; `rate-limit-by-key` is refused
 * on the Consumption tier, which lacks it, with the alternatives. Every outcome is audited.
 */
export async function applyPolicyAction(request: PolicyActionRequest, deps: PolicyActionDependencies): Promise<ActionRecord> {
  const record: ActionRecord = {
    id: randomUUID(),
    kind: request.kind,
    scope: request.scope,
    addresses: request.addresses,
    result: 'applied',
    requestedBy: request.requestedBy,
    reason: request.reason,
    at: deps.clock.now().toISOString(),
    ...(request.parameters === undefined ? {} : { parameters: request.parameters }),
    ...(request.alertId === undefined ? {} : { alertId: request.alertId }),
    ...(request.expiresAt === undefined ? {} : { expiresAt: request.expiresAt }),
  };
  const edit = editFor(request, deps.allowlist);
  try {
    // Checked on an empty document first: a refusal costs no call to APIM.
    if (request.kind === 'block-ip' || request.kind === 'rate-limit' || request.kind === 'disable-endpoint') edit(undefined);
    if (request.kind === 'rate-limit') await refuseOnConsumption(deps.policies);
    const result = await updatePolicyWithRetry(deps.policies, request.scope, edit);
    record.result = result.changed ? 'applied' : 'no-change';
    if (result.before !== undefined) record.policyBefore = result.before;
    if (result.after !== undefined) record.policyAfter = result.after;
    if (result.etagBefore !== undefined) record.etagBefore = result.etagBefore;
    if (result.etag !== undefined) record.etagAfter = result.etag;
  } catch (error) {
    const refusal = refusalOf(error, request.scope);
    if (refusal === undefined) throw error;
    record.result = 'refused';
    record.detail = refusal.message;
    await deps.actions.add(record);
    throw refusal;
  }
  await deps.actions.add(record);
  return record;
}

async function refuseOnConsumption(policies: PolicyClient): Promise<void> {
  const sku = await policies.getServiceSku();
  if (sku.toLowerCase() !== 'consumption') return;
  throw new DomainError(
    'conflict',
    'rate-limit-by-key does not exist on the Consumption tier of API Management. Alternatives: block the client ' +
      '(POST /api/actions/block-ip), use the rate-limit policy per subscription key, or move the service to a classic or v2 tier.',
    'kind',
  );
}

function refusalOf(error: unknown, scope: PolicyScope): DomainError | undefined {
  if (error instanceof DomainError && error.code === 'conflict' && error.field === 'kind') return error;
  if (!(error instanceof PolicyDocumentError)) return undefined;
  const field = CALLER_ERRORS[error.code];
  if (field !== undefined) return new ValidationError(error.message, field);
  return new DomainError('conflict', `The ${scope.kind} policy cannot be edited safely: ${error.message}`);
}
