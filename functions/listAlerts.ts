import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { alertQuerySchema } from '../shared/core/alerts';
import { listAlerts as list } from '../shared/services/alerts';
import { exposureByEndpoint } from '../shared/services/posture';
import { getDependencies } from './deps';
import { httpHandler, json, parseQuery } from './http';

/**
 * GET /api/alerts?severity=High,Medium&status=Active&…: a page of alerts, most urgent first
 * (severity, then how exposed the endpoint is, then score and recency), with a continuation
 * token when more follow.
 */
export const listAlerts = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const query = parseQuery(request, alertQuerySchema);
  const deps = getDependencies();
  const exposureOf = await exposureByEndpoint(deps.inventory);
  const exposure = (alert: { keyEntities: { endpoint?: { key: string } } }) => {
    const endpoint = alert.keyEntities.endpoint;
    return endpoint === undefined ? 0 : exposureOf(endpoint.key);
  };
  return json(200, await list(query, { alerts: deps.alerts, exposure }));
});
