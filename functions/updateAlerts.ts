import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { bulkTriageSchema, triageAlerts } from '../shared/services/alerts';
import { getDependencies } from './deps';
import { callerOf, httpHandler, json, parseBody } from './http';

/** POST /api/alerts/bulk-update: one change to many alerts, by `ids` or by `filter`. */
export const updateAlerts = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const { change, ...selection } = await parseBody(request, bulkTriageSchema);
  return json(200, await triageAlerts(selection, change, callerOf(request), getDependencies()));
});
