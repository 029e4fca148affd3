import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { openApiDocument } from '../shared/http/openApiDocument';
import { httpHandler, json } from './http';
import { apiOperations } from './registry';

/** GET /api/openapi.json: the OpenAPI 3.0 document of the HTTP API, for Logic Apps custom connectors and API tools. */
export const getOpenApi = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const url = new URL(request.url);
  return json(200, openApiDocument(apiOperations(), `${url.origin}/api`));
});
