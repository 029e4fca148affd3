/**
 * The description of the HTTP API, generated from the same zod schemas the routes validate with,
 * so it cannot drift from what they accept: OpenAPI 3.0 for API tools, and the same in OpenAPI
 * 2.0 (Swagger), the only version Logic Apps and Power Platform custom connectors import. Every
 * operation has an operationId and a summary, which custom connectors use to name their actions.
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

const DOCUMENT_INFO = {
  title: 'API Warden',
  version: '1.0',
  description: 'Runtime threat detection and response for APIs behind Azure API Management: alerts, suppression rules, endpoints, recommendations and response actions.',
};

const FUNCTION_KEY = { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'A function key (or the host key) of the Function App.' };

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

/** A route parameter with its optional constraint: "{id}", "{id:int?}", "{*path}". */
const ROUTE_PARAMETER = /\{\*?([^}:?*]+)[^}]*\}/g;

function pathParameters(route: string): JsonObject[] {
  return [...route.matchAll(ROUTE_PARAMETER)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
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

/** The Paths Object: route templates as OpenAPI paths ("{id:int?}" → "{id}"), each with its methods' operations. */
function pathsOf(operations: readonly ApiOperationDoc[], describe: (doc: ApiOperationDoc) => JsonObject): Record<string, JsonObject> {
  const paths: Record<string, JsonObject> = {};
  for (const doc of operations) {
    const path = `/${doc.route.replace(ROUTE_PARAMETER, '{$1}')}`;
    paths[path] = { ...paths[path], [doc.method.toLowerCase()]: describe(doc) };
  }
  return paths;
}

/** The OpenAPI document for these operations, served from `serverUrl` (e.g. https://app.azurewebsites.net/api). */
export function openApiDocument(operations: readonly ApiOperationDoc[], serverUrl: string): JsonObject {
  const paths = pathsOf(operations, operationObject);
  return {
    openapi: '3.0.3',
    info: DOCUMENT_INFO,
    servers: [{ url: serverUrl }],
    tags: [...new Set(operations.map((doc) => doc.tag))].map((name) => ({ name })),
    security: [{ functionKey: [] }],
    components: {
      securitySchemes: { functionKey: FUNCTION_KEY },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 2.0 (Swagger), for custom connectors

/**
 * A Schema Object made fit for Swagger 2.0, which has no anyOf/oneOf, nullable or const: a union
 * of enumerations becomes one enumeration, a union with null its other member, any other union
 * an unconstrained schema that says so.
 */
function swaggerSchema(schema: JsonObject): JsonObject {
  const { anyOf, oneOf, nullable: _nullable, const: constant, properties, items, additionalProperties, ...rest } = schema;
  const union = (anyOf ?? oneOf) as JsonObject[] | undefined;
  if (union !== undefined) return { ...rest, ...mergeUnion(union.map(swaggerSchema)) };
  const result: JsonObject = { ...rest };
  if (constant !== undefined) result.enum = [constant];
  if (properties !== undefined) {
    result.properties = Object.fromEntries(Object.entries(properties as Record<string, JsonObject>).map(([name, value]) => [name, swaggerSchema(value)]));
  }
  if (items !== undefined) result.items = swaggerSchema(items as JsonObject);
  if (typeof additionalProperties === 'object' && additionalProperties !== null) result.additionalProperties = swaggerSchema(additionalProperties as JsonObject);
  else if (additionalProperties !== undefined) result.additionalProperties = additionalProperties;
  return result;
}

function mergeUnion(members: JsonObject[]): JsonObject {
  const real = members.filter((member) => member.type !== 'null');
  if (real.length === 1) return real[0] as JsonObject;
  const types = new Set(real.map((member) => member.type));
  if (types.size === 1 && real.every((member) => Array.isArray(member.enum))) {
    return { type: real[0]?.type, enum: real.flatMap((member) => member.enum as unknown[]) };
  }
  return { description: 'One of several shapes; see the OpenAPI 3.0 document.' };
}

function swaggerOperation(doc: ApiOperationDoc): JsonObject {
  const { operationId, summary, tags, parameters, responses, description, security } = operationObject(doc) as Record<string, unknown>;
  const swaggerParameters = (parameters as JsonObject[]).map(({ schema, ...parameter }) => ({ ...parameter, ...swaggerSchema(schema as JsonObject) }));
  if (doc.body !== undefined) swaggerParameters.push({ name: 'body', in: 'body', required: true, schema: swaggerSchema(schemaOf(doc.body)) });
  const swaggerResponses = Object.fromEntries(
    Object.entries(responses as Record<string, JsonObject>).map(([status, response]) => {
      const schema = (response.content as { 'application/json': { schema: JsonObject } })['application/json'].schema;
      const ref = typeof schema.$ref === 'string' ? { $ref: schema.$ref.replace('#/components/schemas/', '#/definitions/') } : schema;
      return [status, { description: response.description, schema: ref }];
    }),
  );
  return {
    operationId,
    summary,
    tags,
    parameters: swaggerParameters,
    responses: swaggerResponses,
    ...(description === undefined ? {} : { description }),
    ...(security === undefined ? {} : { security }),
  };
}

/** The same API as {@link openApiDocument}, in OpenAPI 2.0, for Logic Apps custom connectors. */
export function swaggerDocument(operations: readonly ApiOperationDoc[], serverUrl: string): JsonObject {
  const url = new URL(serverUrl);
  const paths = pathsOf(operations, swaggerOperation);
  return {
    swagger: '2.0',
    info: DOCUMENT_INFO,
    host: url.host,
    basePath: url.pathname,
    schemes: [url.protocol.replace(':', '')],
    consumes: ['application/json'],
    produces: ['application/json'],
    tags: [...new Set(operations.map((doc) => doc.tag))].map((name) => ({ name })),
    securityDefinitions: { functionKey: FUNCTION_KEY },
    security: [{ functionKey: [] }],
    definitions: { Error: errorSchema },
    paths,
  };
}
