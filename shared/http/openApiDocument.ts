/**
 * The OpenAPI 3.0 description of the HTTP API, generated from the same zod schemas the routes
 * validate with, so it cannot drift from what they accept. OpenAPI 3.0 (not 3.1) because Logic
 * Apps custom connectors and most API tools import it; every operation has an operationId and a
 * summary, which custom connectors need to name their actions.
 */
import { z } from 'zod';

export interface ApiOperationDoc {
  operationId: string;
  method: string;
  /** Functions route template, without the /api prefix ("alerts/{id}"). */
  route: string;
  authLevel: 'anonymous' | 'function' | 'admin';
  summary: string;
  description?: string;
  /** Groups operations (Alerts, Response actions, …). */
  tag: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status of a success (default 200). */
  successStatus?: number;
}

type JsonObject = Record<string, unknown>;

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid input; `error.field` names the field or parameter.',
  '401': 'Missing or wrong function key.',
  '404': 'No such resource.',
  '409': 'Changed by someone else meanwhile, or not possible in the current state.',
  '502': 'An Azure service API Warden called failed.',
  '503': 'Not configured for this (e.g. no APIM service set), or a dependency is unavailable.',
};

const errorSchema: JsonObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
    },
  },
};

/** The zod schema as an OpenAPI 3.0 Schema Object, as a caller writes it (input side of transforms and defaults). */
function schemaOf(schema: z.ZodType): JsonObject {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as JsonObject;
  const { $schema: _dialect, ...rest } = json;
  return rest;
}

function queryParameters(query: z.ZodType): JsonObject[] {
  const json = schemaOf(query);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties as Record<string, JsonObject> | undefined) ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: 'query', required: required.has(name), schema: rest, ...(description === undefined ? {} : { description }) };
  });
}

function pathParameters(route: string): JsonObject[] {
  return [...route.matchAll(/\{([^}:?*]+)[^}]*\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
}

function operationObject(doc: ApiOperationDoc): JsonObject {
  const responses: JsonObject = {
    [String(doc.successStatus ?? 200)]: { description: 'Success', content: { 'application/json': { schema: { type: 'object' } } } },
  };
  const possible = doc.body !== undefined || doc.query !== undefined ? ['400'] : [];
  if (doc.authLevel !== 'anonymous') possible.push('401');
  if (doc.route.includes('{')) possible.push('404');
  if (doc.method !== 'GET') possible.push('409', '502', '503');
  for (const status of possible) responses[status] = { description: ERROR_STATUSES[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const operation: JsonObject = {
    operationId: doc.operationId,
    summary: doc.summary,
    tags: [doc.tag],
    parameters: [...pathParameters(doc.route), ...(doc.query === undefined ? [] : queryParameters(doc.query))],
    responses,
  };
  if (doc.description !== undefined) operation.description = doc.description;
  if (doc.body !== undefined) operation.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(doc.body) } } };
  if (doc.authLevel === 'anonymous') operation.security = [];
  return operation;
}

/** The OpenAPI document for these operations, served from `serverUrl` (e.g. https://app.azurewebsites.net/api). */
export function openApiDocument(operations: readonly ApiOperationDoc[], serverUrl: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const doc of operations) {
    const path = `/${doc.route.replace(/\{([^}:?*]+)[^}]*\}/g, '{$1}')}`;
    paths[path] = { ...paths[path], [doc.method.toLowerCase()]: operationObject(doc) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'API Warden',
      version: '1.0',
      description: 'Runtime threat detection and response for APIs behind Azure API Management: alerts, suppression rules, endpoints, recommendations and response actions.',
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(operations.map((doc) => doc.tag))].map((name) => ({ name })),
    security: [{ functionKey: [] }],
    components: {
      securitySchemes: { functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'A function key (or the host key) of the Function App.' } },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
