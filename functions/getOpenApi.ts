import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { openApiDocument, swaggerDocument } from '../shared/http/openApiDocument';
import { httpHandler, json, parseQuery } from './http';
import { apiOperations } from './registry';

/** `format=swagger2`: OpenAPI 2.0, the version Logic Apps custom connectors import. */
export const openApiQuerySchema = z.strictObject({ format: z.enum(['openapi3', 'swagger2']).default('openapi3') });

/** GET /api/openapi.json: the API's description, OpenAPI 3.0 (default) or 2.0, for custom connectors and API tools. */
export const getOpenApi = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const { format } = parseQuery(request, openApiQuerySchema);
  const server = `${new URL(request.url).origin}/api`;
  return json(200, format === 'swagger2' ? swaggerDocument(apiOperations(), server) : openApiDocument(apiOperations(), server));
});
