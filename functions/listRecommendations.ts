import type { HttpResponseInit } from '@azure/functions';

import { listRecommendations as list } from '../shared/services/posture';
import { getDependencies } from './deps';
import { httpHandler, json } from './http';

/** GET /api/recommendations: the open posture recommendations, with the resources each affects. */
export const listRecommendations = httpHandler(async (): Promise<HttpResponseInit> => {
  const deps = getDependencies();
  return json(200, await list(deps, deps.config.inactiveDays));
});
