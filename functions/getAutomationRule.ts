import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { getAutomationRule as get } from '../shared/services/automationRules';
import { getDependencies } from './deps';
import { httpHandler, json } from './http';

/** GET /api/automation-rules/{id}. */
export const getAutomationRule = httpHandler(
  async (request: HttpRequest): Promise<HttpResponseInit> => json(200, await get(request.params.id ?? '', getDependencies().automationRules)),
);
