import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { getSuppressionRule as get } from '../shared/services/suppressionRules';
import { getDependencies } from './deps';
import { httpHandler, json } from './http';

/** GET /api/suppression-rules/{id}. */
export const getSuppressionRule = httpHandler(
  async (request: HttpRequest): Promise<HttpResponseInit> => json(200, await get(request.params.id ?? '', getDependencies().suppressionRules)),
);
