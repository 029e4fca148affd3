import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { endpointFiltersSchema } from '../shared/core/endpoints';
import { listEndpoints as list } from '../shared/services/posture';
import { getDependencies } from './deps';
import { httpHandler, json, parseQuery } from './http';

/** GET /api/endpoints?apiId=&authenticated=&exposed=&unencrypted=&inactive=&neverSeen=&hasOpenAlerts=&inInventory=&q=: inventory and traffic endpoints with their posture. */
export const listEndpoints = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const filters = parseQuery(request, endpointFiltersSchema);
  return json(200, await list(filters, getDependencies()));
});
