import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { newAutomationRuleSchema } from '../shared/core/alerts';
import { createAutomationRule as create } from '../shared/services/automationRules';
import { getDependencies } from './deps';
import { callerOf, httpHandler, json, parseBody } from './http';

/** POST /api/automation-rules: which new alerts (types, severities, endpoint, samples) run which Logic App playbook. */
export const createAutomationRule = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const body = await parseBody(request, newAutomationRuleSchema);
  const deps = getDependencies();
  return json(201, await create(body, callerOf(request, body.createdBy), { rules: deps.automationRules, clock: deps.clock }));
});
