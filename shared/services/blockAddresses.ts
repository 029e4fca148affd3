import { randomUUID } from 'node:crypto';

import { blockAddresses as addToPolicy, PolicyDocumentError, unblockAddresses as removeFromPolicy } from '../core/policy';
import { DomainError, ValidationError } from '../errors';
import type { ActionRecord, ActionStore, Clock, PolicyClient, PolicyScope } from '../ports';
import { updatePolicyWithRetry } from '../azure/apimPolicies';

export interface BlockRequest {
  kind: 'block-ip' | 'unblock-ip';
  scope: PolicyScope;
  addresses: string[];
  reason: string;
  requestedBy: string;
  alertId?: string;
  expiresAt?: string;
}

export interface BlockDependencies {
  policies: PolicyClient;
  actions: ActionStore;
  clock: Clock;
  /** Addresses and networks that are never blocked. */
  allowlist: readonly string[];
}

const ADDRESS_ERRORS = new Set<string>(['invalid-address', 'prefix-too-broad', 'ipv6-unsupported', 'allowlisted', 'invalid-argument']);

/** The policy a scope gets when it had none: every section inherits (global scope has nothing to inherit). */
function emptyPolicy(scope: PolicyScope): string {
  const inherit = scope.kind === 'global' ? '' : '<base />';
  const backend = scope.kind === 'global' ? '<forward-request />' : '<base />';
  return `<policies>\n  <inbound>${inherit}</inbound>\n  <backend>${backend}</backend>\n  <outbound>${inherit}</outbound>\n  <on-error>${inherit}</on-error>\n</policies>`;
}

/**
 * Blocks or unblocks client IPs and CIDRs with API Warden's `ip-filter` at a policy scope,
 * editing the policy document so everything else in it survives, with ETag concurrency. Bad or
 * allowlisted addresses are refused before any call to APIM (and the refusal is audited);
 * blocking a blocked address writes nothing. Every outcome is recorded in the action audit.
 */
export async function changeBlockList(request: BlockRequest, deps: BlockDependencies): Promise<ActionRecord> {
  const record: ActionRecord = {
    id: randomUUID(),
    kind: request.kind,
    scope: request.scope,
    addresses: request.addresses,
    result: 'applied',
    requestedBy: request.requestedBy,
    reason: request.reason,
    at: deps.clock.now().toISOString(),
    ...(request.alertId === undefined ? {} : { alertId: request.alertId }),
    ...(request.expiresAt === undefined ? {} : { expiresAt: request.expiresAt }),
  };
  const edit = (xml: string | undefined) =>
    request.kind === 'block-ip'
      ? addToPolicy(xml ?? emptyPolicy(request.scope), request.addresses, { allowlist: deps.allowlist })
      : xml === undefined
        ? { xml: '', changed: false }
        : removeFromPolicy(xml, request.addresses);
  try {
    // Validate against an empty document first: a refusal then costs no call to APIM.
    edit(emptyPolicy(request.scope));
    const result = await updatePolicyWithRetry(deps.policies, request.scope, edit);
    record.result = result.changed ? 'applied' : 'no-change';
    if (result.before !== undefined) record.policyBefore = result.before;
    if (result.after !== undefined) record.policyAfter = result.after;
    if (result.etagBefore !== undefined) record.etagBefore = result.etagBefore;
    if (result.etag !== undefined) record.etagAfter = result.etag;
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error;
    record.result = 'refused';
    record.detail = error.message;
    await deps.actions.add(record);
    // Bad or allowlisted addresses are the caller's; a policy API Warden cannot edit safely is a conflict.
    if (ADDRESS_ERRORS.has(error.code)) throw new ValidationError(error.message, 'addresses');
    throw new DomainError('conflict', `The ${request.scope.kind} policy cannot be edited safely: ${error.message}`);
  }
  await deps.actions.add(record);
  return record;
}
