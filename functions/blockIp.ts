import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { blockRequestSchema, scopeOf } from '../shared/services/actionRequests';
import { changeBlockList } from '../shared/services/blockAddresses';
import { getDependencies } from './deps';
import { callerOf, httpHandler, json, parseBody } from './http';

/** POST /api/actions/block-ip: blocks client IPs/CIDRs with an ip-filter at global, API or operation scope. */
export const blockIp = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => await respond(request, 'block-ip'));

/** Shared by blockIp and unblockIp: validate, act, answer with the audited record (policies left out). */
export async function respond(request: HttpRequest, kind: 'block-ip' | 'unblock-ip'): Promise<HttpResponseInit> {
  const body = await parseBody(request, blockRequestSchema);
  const deps = getDependencies();
  const record = await changeBlockList(
    {
      kind,
      scope: scopeOf(body),
      addresses: body.addresses,
      reason: body.reason,
      requestedBy: callerOf(request, body.requestedBy),
      ...(body.alertId === undefined ? {} : { alertId: body.alertId }),
      ...(body.expiresAt === undefined ? {} : { expiresAt: body.expiresAt }),
    },
    { policies: deps.policies(), actions: deps.actions, clock: deps.clock, allowlist: deps.config.blockAllowlist },
  );
  const { policyBefore: _before, policyAfter: _after, ...summary } = record;
  return json(200, summary);
}
