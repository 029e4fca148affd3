import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { playbookRefSchema } from '../shared/core/alerts';
import { runRecommendationPlaybook as run } from '../shared/services/posture';
import { getDependencies } from './deps';
import { httpHandler, json, parseBody } from './http';

/** POST /api/recommendations/{id}/run-playbook: POSTs an open recommendation and its affected resources to a Logic App workflow trigger. */
export const runRecommendationPlaybook = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const target = await parseBody(request, playbookRefSchema);
  const deps = getDependencies();
  return json(200, await run(request.params.id ?? '', target, { ...deps, playbooks: deps.playbooks(), inactiveDays: deps.config.inactiveDays }));
});
