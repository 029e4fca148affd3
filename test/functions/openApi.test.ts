import assert from 'node:assert/strict';
import { test } from 'node:test';

import SwaggerParser from '@apidevtools/swagger-parser';
import { HttpRequest, InvocationContext } from '@azure/functions';

import { getOpenApi } from '../../functions/getOpenApi';
import { functionDefinitions } from '../../functions/registry';

type Operation = {
  operationId: string;
  parameters: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
  requestBody?: { content: { 'application/json': { schema: { properties: Record<string, Record<string, unknown>>; required?: string[] } } } };
  security?: unknown[];
};
type Document = { openapi: string; servers: Array<{ url: string }>; paths: Record<string, Record<string, Operation>> };

async function fetchDocument(format?: string): Promise<Document> {
  const query = format === undefined ? '' : `?format=${format}`;
  const request = new HttpRequest({ method: 'GET', url: `https://warden.example.net/api/openapi.json${query}` });
  const response = await getOpenApi(request, new InvocationContext({ invocationId: 'inv' }));
  assert.equal(response.status, 200);
  return response.jsonBody as Document;
}

function operation(document: Document, path: string, method: string): Operation {
  const found = document.paths[path]?.[method];
  assert.ok(found, `${method.toUpperCase()} ${path} is described`);
  return found;
}

test('the document is valid OpenAPI 3.0 and describes every HTTP function, served from the app', async () => {
  const document = await fetchDocument();
  await SwaggerParser.validate(structuredClone(document) as never);
  assert.equal(document.openapi, '3.0.3');
  assert.deepEqual(document.servers, [{ url: 'https://warden.example.net/api' }]);
  const described = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
  const http = functionDefinitions.filter((definition) => definition.trigger === 'http').map((definition) => definition.name);
  assert.deepEqual(described.sort(), http.sort());
});

test('bodies and query parameters come from the schemas the routes validate with', async () => {
  const document = await fetchDocument();
  const block = operation(document, '/actions/block-ip', 'post').requestBody?.content['application/json'].schema;
  assert.deepEqual(block?.required?.sort(), ['addresses', 'reason']);
  assert.equal(block?.properties.addresses?.type, 'array');
  const list = operation(document, '/alerts', 'get');
  const severity = list.parameters.find((parameter) => parameter.name === 'severity');
  assert.deepEqual({ in: severity?.in, required: severity?.required, type: severity?.schema.type }, { in: 'query', required: false, type: 'string' });
  assert.ok(list.parameters.some((parameter) => parameter.name === 'continuationToken'));
  const triage = operation(document, '/alerts/{id}', 'patch');
  assert.deepEqual(triage.parameters.map((parameter) => [parameter.name, parameter.in, parameter.required]), [['id', 'path', true]]);
  assert.deepEqual(triage.requestBody?.content['application/json'].schema.properties.status?.enum, ['Active', 'InProgress', 'Dismissed', 'Resolved']);
});

test('every route asks for the function key except health', async () => {
  const document = await fetchDocument();
  assert.deepEqual(operation(document, '/health', 'get').security, []);
  assert.equal(operation(document, '/alerts', 'get').security, undefined, 'inherits the document-wide function key');
});

test('format=swagger2 gives the same operations in valid OpenAPI 2.0, as Logic Apps custom connectors import', async () => {
  const document = (await fetchDocument('swagger2')) as unknown as {
    swagger: string;
    host: string;
    basePath: string;
    paths: Record<string, Record<string, { operationId: string; parameters: Array<Record<string, unknown>> }>>;
  };
  await SwaggerParser.validate(structuredClone(document) as never);
  assert.equal(document.swagger, '2.0');
  assert.deepEqual([document.host, document.basePath], ['warden.example.net', '/api']);
  const openApi = await fetchDocument();
  const ids = (paths: Record<string, Record<string, { operationId: string }>>) =>
    Object.values(paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId)).sort();
  assert.deepEqual(ids(document.paths), ids(openApi.paths));
  const block = document.paths['/actions/block-ip']?.post?.parameters.find((parameter) => parameter.in === 'body');
  assert.deepEqual((block?.schema as { required: string[] }).required.sort(), ['addresses', 'reason']);
  const status = document.paths['/actions/disable-endpoint']?.post?.parameters.find((parameter) => parameter.in === 'body');
  assert.deepEqual((status?.schema as { properties: { statusCode: { enum: number[] } } }).properties.statusCode.enum, [403, 404, 503], 'a union of literals is one enum');
  const bad = await getOpenApi(new HttpRequest({ method: 'GET', url: 'https://warden.example.net/api/openapi.json?format=yaml' }), new InvocationContext({ invocationId: 'inv' }));
  assert.equal(bad.status, 400);
});
