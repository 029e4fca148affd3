import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';

import type { ActionKind } from '../shared/ports';
import { apiActionSchema, scopeOf } from '../shared/services/actionRequests';
import { applyPolicyAction, setApiAuthentication, type PolicyActionRequest } from '../shared/services/policyActions';
import { getDependencies } from './deps';
import { callerOf, json, parseBody } from './http';

type CommonBody = { reason: string; requestedBy?: string; alertId?: string; expiresAt?: string; apiId?: string; operationId?: string };

/**
 * What every response-action route does: validate the body, apply the action to the configured
 * APIM service, answer with the audited record (the policy documents are left out of the reply).
 */
export async function respondToAction<S extends z.ZodType<CommonBody>>(
  request: HttpRequest,
  kind: ActionKind,
  schema: S,
  details: (body: z.infer<S>) => Pick<PolicyActionRequest, 'addresses' | 'parameters'>,
): Promise<HttpResponseInit> {
  const body = await parseBody(request, schema);
  const deps = getDependencies();
  const record = await applyPolicyAction(
    {
      kind,
      scope: scopeOf(body),
      ...details(body),
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

/** require-subscription / allow-anonymous: the API's own setting rather than a policy. */
export async function apiAuthentication(request: HttpRequest, kind: 'require-subscription' | 'allow-anonymous'): Promise<HttpResponseInit> {
  const body = await parseBody(request, apiActionSchema);
  const deps = getDependencies();
  const record = await setApiAuthentication(
    {
      kind,
      scope: { kind: 'api', apiId: body.apiId },
      addresses: [],
      reason: body.reason,
      requestedBy: callerOf(request, body.requestedBy),
      ...(body.alertId === undefined ? {} : { alertId: body.alertId }),
      ...(body.expiresAt === undefined ? {} : { expiresAt: body.expiresAt }),
    },
    { policies: deps.policies(), actions: deps.actions, clock: deps.clock, allowlist: deps.config.blockAllowlist },
  );
  return json(200, record);
}
