import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { alertQuerySchema } from '../shared/core/alerts';
import { listAlerts as list } from '../shared/services/alerts';
import { getDependencies } from './deps';
import { httpHandler, json, parseQuery } from './http';

/** GET /api/alerts?severity=High,Medium&status=Active&…: a page of alerts, most urgent first, with a continuation token when more follow. */
export const listAlerts = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const query = parseQuery(request, alertQuerySchema);
  return json(200, await list(query, { alerts: getDependencies().alerts }));
});
