import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { getAlertDetails } from '../shared/services/alerts';
import { recommendationsOnEndpoint } from '../shared/services/posture';
import { getDependencies } from './deps';
import { httpHandler, json } from './http';

/** GET /api/alerts/{id}: the alert with its mitigation, recommendations, recent traffic and actions taken. */
export const getAlert = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const deps = getDependencies();
  const details = await getAlertDetails(request.params.id ?? '', {
    ...deps,
    recommendationsFor: async (alert) => {
      const endpoint = alert.keyEntities.endpoint;
      return endpoint === undefined ? [] : await recommendationsOnEndpoint(endpoint, deps, deps.config.inactiveDays);
    },
  });
  return json(200, details);
});
