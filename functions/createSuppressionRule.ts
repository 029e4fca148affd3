import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { createSuppressionRule as create, newRuleSchema } from '../shared/services/suppressionRules';
import { getDependencies } from './deps';
import { callerOf, httpHandler, json, parseBody } from './http';

/** POST /api/suppression-rules: creates a rule (alertType, entities, expiresAt, reason); `dismissMatching` also dismisses open alerts it matches. */
export const createSuppressionRule = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const body = await parseBody(request, newRuleSchema);
  const deps = getDependencies();
  const created = await create(body, callerOf(request), { rules: deps.suppressionRules, alerts: deps.alerts, clock: deps.clock });
  return json(201, created);
});
