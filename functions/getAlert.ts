import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { getAlertDetails } from '../shared/services/alerts';
import { getDependencies } from './deps';
import { httpHandler, json } from './http';

/** GET /api/alerts/{id}: the alert with its mitigation, recommendations, recent traffic and actions taken. */
export const getAlert = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const deps = getDependencies();
  const details = await getAlertDetails(request.params.id ?? '', {
    alerts: deps.alerts,
    actions: deps.actions,
    windows: deps.windows,
    partitions: deps.partitions,
  });
  return json(200, details);
});
