import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { ContentBaselines, ParamBaseline } from '../../shared/core/baselines/contentBaseline';
import { UnseenParamDetector } from '../../shared/core/detectors/contentDetectors';
import { DEFAULT_DETECTION_SETTINGS } from '../../shared/core/detectors/settings';
import {
  declaredParameters,
  InventoryIndex,
  inventoryServiceName,
  nameTemplateParams,
  parseInventory,
  resourceIds,
  stampNewOperations,
  type Inventory,
} from '../../shared/core/inventory';
import type { ParamType } from '../../shared/core/paramTypes';
import { makeEndpoint, type RequestEvent } from '../../shared/core/requestEvent';
import { CountHistogram } from '../../shared/core/sketch/countHistogram';
import { envelope, gatewayLogsRecord } from '../fixtures/records';
import { parseOneEvent } from './parse/helpers';

const RESOURCE_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-apis/providers/Microsoft.ApiManagement/service/Contoso-APIM';
const ORDER_ID = '3f2a9c1e-7b4d-4e8f-a1b2-c3d4e5f60718';

/** The example of the brief, in ARM's contract names, with a few more operations. */
function inventoryJson(): Record<string, unknown> {
  return {
    service: { resourceId: RESOURCE_ID, gatewayUrl: 'https://contoso-apim.azure-api.net' },
    apis: [
      {
        name: 'shop-api',
        path: 'shop',
        subscriptionRequired: true,
        operations: [
          {
            name: 'get-order',
            method: 'GET',
            urlTemplate: '/orders/{orderId}',
            templateParameters: [{ name: 'orderId', type: 'string', required: true }],
            request: { queryParameters: [{ name: 'expand', type: 'string', required: false }] },
          },
          {
            name: 'get-order-line',
            method: 'get',
            urlTemplate: '/orders/{orderId}/lines/{lineNo}',
            templateParameters: [
              { name: 'orderId', type: 'string', required: true },
              { name: 'lineNo', type: 'integer', required: true },
            ],
            request: null,
          },
          {
            name: 'get-report',
            method: 'GET',
            urlTemplate: '/reports/2024/{region}',
            templateParameters: [{ name: 'region', type: 'string', required: true }],
          },
          { name: 'download', method: 'GET', urlTemplate: '/files/{name}.{ext}', templateParameters: null },
          { name: 'static', method: 'GET', urlTemplate: '/static/{*path}' },
        ],
      },
      {
        name: 'echo-api',
        path: 'echo',
        operations: [{ name: 'retrieve-resource', method: 'GET', urlTemplate: '/resource?param1={param1}', request: { queryParameters: [{ name: 'param2' }] } }],
      },
      {
        name: 'root-api',
        path: '',
        operations: [{ name: 'get-user', method: 'GET', urlTemplate: '/users/{userId}' }],
      },
      {
        name: 'pay-api-v2',
        path: 'payments',
        apiVersion: 'v2',
        operations: [{ name: 'get-payment', method: 'GET', urlTemplate: '/payments/{paymentId}' }],
      },
    ],
  };
}

function inventory(json: Record<string, unknown> = inventoryJson()): Inventory {
  const parsed = parseInventory(json);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
  return parsed.inventory;
}

/** A request as the parser makes it from a GatewayLogs record (so path params are "{id1}", …). */
function event(apiId: string, operationId: string, pathAndQuery: string): RequestEvent {
  return parseOneEvent(
    envelope(gatewayLogsRecord({ properties: { apiId, operationId, url: `https://contoso-apim.azure-api.net${pathAndQuery}` } })),
  );
}

function pathParams(e: RequestEvent): Array<[string, string]> {
  return e.params.filter((p) => p.location === 'path').map((p) => [p.name, p.value]);
}

describe('inventory schema', () => {
  test('accepts ARM contract names, normalizes nulls and methods, and names the service after the resource id', () => {
    const parsed = inventory();
    assert.equal(inventoryServiceName(parsed), 'contoso-apim');
    const line = parsed.apis[0]?.operations[1];
    assert.equal(line?.method, 'GET');
    assert.deepEqual(line?.request, { queryParameters: [] });
    assert.deepEqual(parsed.apis[0]?.operations[3]?.templateParameters, []);
  });

  test('errors name the field that is wrong', () => {
    /** The errors of the example with the value at `path` replaced (or removed, for undefined). */
    const errors = (path: ReadonlyArray<string | number>, value: unknown): string => {
      const json: unknown = inventoryJson();
      let parent = json as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
      const last = path[path.length - 1] as string | number;
      if (value === undefined) delete parent[last];
      else parent[last] = value;
      const parsed = parseInventory(json);
      assert.equal(parsed.ok, false);
      return parsed.ok ? '' : parsed.errors.join('\n');
    };
    const op = (api: number, operation: number, ...rest: Array<string | number>) => ['apis', api, 'operations', operation, ...rest];
    assert.match(errors(op(0, 0, 'urlTemplate'), undefined), /^apis\.0\.operations\.0\.urlTemplate: Invalid input: expected string, received undefined$/m);
    assert.match(errors(op(1, 0, 'method'), 'GET /x'), /^apis\.1\.operations\.0\.method: must be an HTTP method/m);
    assert.match(errors(['service', 'resourceId'], '/subscriptions/x/resourceGroups/y'), /^service\.resourceId: must be an API Management service resource id/m);
    assert.match(errors(['service', 'gatewayUrl'], 'contoso'), /^service\.gatewayUrl: must be an http\(s\) URL/m);
    assert.match(errors(op(0, 2, 'urlTemplate'), '/reports/{region'), /^apis\.0\.operations\.2\.urlTemplate: "\{region": unbalanced braces/m);
    assert.match(errors(op(0, 2, 'urlTemplate'), '/reports/{}'), /^apis\.0\.operations\.2\.urlTemplate: "\{\}": a parameter needs a name/m);
    assert.match(errors(op(0, 4, 'urlTemplate'), '/static/{*path}/x'), /^apis\.0\.operations\.4\.urlTemplate: .*wildcard/m);
    assert.match(errors(op(0, 0, 'templateParameters', 0, 'name'), ''), /^apis\.0\.operations\.0\.templateParameters\.0\.name: must not be empty/m);
    assert.match(errors(op(0, 0, 'request', 'queryParameters'), 'expand'), /^apis\.0\.operations\.0\.request\.queryParameters: /m);
    assert.match(errors(['apis', 2, 'name'], 'shop-api'), /^apis\.2\.name: duplicate API name "shop-api"/m);
    assert.match(errors(op(0, 1, 'name'), 'get-order'), /^apis\.0\.operations\.1\.name: duplicate operation name "get-order"/m);
    assert.match(errors(['apis'], undefined), /^apis: /m);
    assert.match(errors(['apis', 0, 'path'], 7), /^apis\.0\.path: /m);
    assert.deepEqual(parseInventory('nope'), { ok: false, errors: ['inventory: Invalid input: expected object, received string'] });
  });
});

describe('inventory schema: what the sync adds', () => {
  const facts = { authentication: ['validate-jwt'], ipFilter: false, rateLimit: true, warden: ['block'], inheritsInbound: true, fragments: [] };
  const synced = (): Record<string, unknown> => {
    const json = inventoryJson();
    Object.assign(json.service as Record<string, unknown>, {
      sku: { name: 'Developer', capacity: 1 },
      publicNetworkAccess: 'Enabled',
      virtualNetworkType: 'None',
      minApiVersion: null,
      policy: { ...facts, authentication: [] },
    });
    const shop = (json.apis as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    Object.assign(shop, { displayName: 'Shop', protocols: ['https', 'http'], serviceUrl: 'https://backend.example.com', policy: facts });
    Object.assign((shop.operations as Array<Record<string, unknown>>)[0] as Record<string, unknown>, { displayName: 'Get order', policy: facts });
    json.products = [{ name: 'starter', displayName: 'Starter', state: 'published', subscriptionRequired: true, approvalRequired: false, apis: ['shop-api'] }];
    json.subscriptions = { total: 3, byState: { active: 2, suspended: 1 }, allApis: [{ name: 'ops', state: 'active', scope: `${RESOURCE_ID}/apis` }] };
    return json;
  };

  test('keeps display names, protocols, network settings, products, subscriptions and policy facts; nulls mean absent', () => {
    const parsed = inventory(synced());
    assert.equal(parsed.service.sku?.name, 'Developer');
    assert.equal(parsed.service.minApiVersion, undefined);
    assert.deepEqual(parsed.apis[0]?.protocols, ['https', 'http']);
    assert.deepEqual(parsed.apis[0]?.policy?.authentication, ['validate-jwt']);
    assert.equal(parsed.apis[0]?.operations[0]?.displayName, 'Get order');
    assert.equal(parsed.apis[1]?.protocols, undefined, 'unknown protocols stay unknown');
    assert.deepEqual(parsed.products?.[0]?.apis, ['shop-api']);
    assert.equal(parsed.subscriptions?.allApis.length, 1);
  });

  test('bad facts are named by field', () => {
    const json = synced();
    ((json.apis as Array<Record<string, unknown>>)[0]?.policy as Record<string, unknown>).authentication = ['basic'];
    const parsed = parseInventory(json);
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.errors.join('\n'), /^apis\.0\.policy\.authentication\.0: /m);
  });

  test('stampNewOperations: nothing on the first sync, then new operations get the time and others keep theirs', () => {
    const first = inventory();
    assert.equal(stampNewOperations(first, undefined, '2026-05-01T00:00:00.000Z'), first);
    const json = inventoryJson();
    ((json.apis as Array<Record<string, unknown>>)[1]?.operations as unknown[]).push({ name: 'Added-Op', method: 'GET', urlTemplate: '/added' });
    const second = stampNewOperations(inventory(json), first, '2026-05-02T00:00:00.000Z');
    assert.equal(second.apis[1]?.operations[1]?.firstSyncedAt, '2026-05-02T00:00:00.000Z');
    assert.equal(second.apis[0]?.operations[0]?.firstSyncedAt, undefined);
    const third = stampNewOperations(inventory(json), second, '2026-05-03T00:00:00.000Z');
    assert.equal(third.apis[1]?.operations[1]?.firstSyncedAt, '2026-05-02T00:00:00.000Z', 'kept, not restamped');
  });

  test('resource ids of the service\'s children', () => {
    const parsed = inventory();
    assert.equal(resourceIds.operation(parsed, 'shop-api', 'get-order'), `${RESOURCE_ID}/apis/shop-api/operations/get-order`);
    assert.equal(resourceIds.api(parsed, 'shop-api'), `${RESOURCE_ID}/apis/shop-api`);
    assert.equal(resourceIds.product({ service: { resourceId: `${RESOURCE_ID}/` } }, 'starter'), `${RESOURCE_ID}/products/starter`);
    assert.equal(resourceIds.subscription(parsed, 'ops'), `${RESOURCE_ID}/subscriptions/ops`);
  });
});

describe('nameTemplateParams', () => {
  const index = new InventoryIndex(inventory());

  test('names a UUID path segment after the template, keeping its value and the query parameters', () => {
    const before = event('shop-api', 'get-order', `/shop/orders/${ORDER_ID}?expand=lines`);
    assert.deepEqual(pathParams(before), [['{id1}', ORDER_ID]]);
    const after = index.nameTemplateParams(before);
    assert.deepEqual(after.params, [
      { name: 'orderId', value: ORDER_ID, location: 'path' },
      { name: 'expand', value: 'lines', location: 'query' },
    ]);
    assert.deepEqual(before.params[0], { name: '{id1}', value: ORDER_ID, location: 'path' }, 'the input event is not changed');
    assert.equal(after.endpoint, before.endpoint);
    assert.equal(after.path, before.path);
  });

  test('names several parameters, in template order, and decodes their values', () => {
    const after = index.nameTemplateParams(event('shop-api', 'get-order-line', `/shop/Orders/${ORDER_ID}/lines/12`));
    assert.deepEqual(pathParams(after), [['orderId', ORDER_ID], ['lineNo', '12']]);
    const encoded = index.nameTemplateParams(event('shop-api', 'get-order', '/shop/orders/A%2FB%20C'));
    assert.deepEqual(pathParams(encoded), [['orderId', 'A/B C']]);
  });

  test('the template decides what is a path parameter: a value of any shape is one, an id-like fixed segment is not', () => {
    const before = event('shop-api', 'get-report', '/shop/reports/2024/emea');
    assert.deepEqual(pathParams(before), [['{id1}', '2024']]);
    assert.deepEqual(pathParams(index.nameTemplateParams(before)), [['region', 'emea']]);
    const injection = index.nameTemplateParams(event('shop-api', 'get-order', "/shop/orders/1'%20OR%20'1'='1"));
    assert.deepEqual(pathParams(injection), [['orderId', "1' OR '1'='1"]]);
  });

  test('parameters inside a segment, trailing wildcards and templates with a query part', () => {
    assert.deepEqual(pathParams(index.nameTemplateParams(event('shop-api', 'download', '/shop/files/report.final.pdf'))), [['name', 'report'], ['ext', 'final.pdf']]);
    assert.deepEqual(pathParams(index.nameTemplateParams(event('shop-api', 'static', '/shop/static/css/site.css'))), [['path', 'css/site.css']]);
    const echo = index.nameTemplateParams(event('echo-api', 'retrieve-resource', '/echo/resource?param1=sample'));
    assert.deepEqual(echo.params, [{ name: 'param1', value: 'sample', location: 'query' }]);
  });

  test('API path prefixes: the gateway root, a version segment, and a gateway base path', () => {
    assert.deepEqual(pathParams(index.nameTemplateParams(event('root-api', 'get-user', '/users/42'))), [['userId', '42']]);
    const versioned = index.nameTemplateParams(event('pay-api-v2', 'get-payment', `/payments/v2/payments/${ORDER_ID}`));
    assert.deepEqual(pathParams(versioned), [['paymentId', ORDER_ID]]);

    const json = inventoryJson();
    (json.service as Record<string, unknown>).gatewayUrl = 'https://gw.contoso.com/apim/';
    const based = new InventoryIndex(inventory(json));
    assert.deepEqual(pathParams(based.nameTemplateParams(event('shop-api', 'get-order', `/apim/shop/orders/${ORDER_ID}`))), [['orderId', ORDER_ID]]);
    assert.deepEqual(pathParams(based.nameTemplateParams(event('shop-api', 'get-order', `/shop/orders/${ORDER_ID}`))), [['orderId', ORDER_ID]]);
  });

  test('leaves the event alone when the path does not fit the template or the operation is not in the inventory', () => {
    const cases = [
      event('shop-api', 'get-order', `/shop/v2/orders/${ORDER_ID}`), // a version segment the inventory does not know
      event('shop-api', 'get-order', `/shop/orders/${ORDER_ID}/extra`),
      event('shop-api', 'get-order', `/other/orders/${ORDER_ID}`),
      event('shop-api', 'get-order-line', `/shop/orders/${ORDER_ID}/items/3`),
      event('shop-api', 'unknown-operation', `/shop/orders/${ORDER_ID}`),
      event('unknown-api', 'get-order', `/shop/orders/${ORDER_ID}`),
      event('shop-api', '', `/shop/orders/${ORDER_ID}`),
    ];
    for (const before of cases) assert.equal(index.nameTemplateParams(before), before, before.path);
    const otherService = { ...event('shop-api', 'get-order', `/shop/orders/${ORDER_ID}`) };
    otherService.endpoint = makeEndpoint({ ...otherService.endpoint, service: 'other-apim' });
    assert.equal(index.nameTemplateParams(otherService), otherService);
  });

  test('the function form builds the index once per inventory', () => {
    const parsed = inventory();
    const e = event('shop-api', 'get-order', `/shop/orders/${ORDER_ID}`);
    assert.deepEqual(pathParams(nameTemplateParams(e, parsed)), [['orderId', ORDER_ID]]);
    assert.equal(declaredParameters(parsed), declaredParameters(parsed));
  });
});

describe('declaredParameters', () => {
  test('template and query parameters per endpoint key', () => {
    const declared = declaredParameters(inventory());
    const key = (apiId: string, operationId: string) => makeEndpoint({ service: 'contoso-apim', apiId, operationId, pathTemplate: '' }).key;
    assert.deepEqual([...(declared.get(key('shop-api', 'get-order')) ?? [])], ['orderId', 'expand']);
    assert.deepEqual([...(declared.get(key('shop-api', 'get-order-line')) ?? [])], ['orderId', 'lineNo']);
    assert.deepEqual([...(declared.get(key('shop-api', 'download')) ?? [])], ['name', 'ext']);
    assert.deepEqual([...(declared.get(key('echo-api', 'retrieve-resource')) ?? [])], ['param1', 'param2']);
    assert.equal(declared.size, 8);
  });
});

describe('UnseenParamDetector with declared parameters', () => {
  const parsed = inventory();
  const listKey = makeEndpoint({ service: 'contoso-apim', apiId: 'shop-api', operationId: 'get-order', pathTemplate: '' }).key;
  const learned = (requests: number, types: Partial<Record<ParamType, number>>): ParamBaseline => ({
    requests,
    types,
    chars: 0xffffffff,
    valuesPerWindow: CountHistogram.create(),
    clientValuesPerWindow: CountHistogram.create(),
  });
  const baselines = (endpointRequests: number, params: Array<[string, ParamBaseline]>): ContentBaselines => ({
    from: 0,
    to: 1,
    sizes: new Map(),
    clientSizes: new Map(),
    params: new Map(params.map(([name, baseline]) => [`${listKey}\t${name}`, baseline])),
    endpointRequests: new Map([[listKey, endpointRequests]]),
  });
  const request = (query: string) => nameTemplateParams(event('shop-api', 'get-order', `/shop/orders/${ORDER_ID}?${query}`), parsed);
  const alerts = (detector: UnseenParamDetector, query: string) =>
    detector.detect(request(query)).map((finding) => `${finding.alertType} ${finding.entities.parameterName ?? ''}`);

  test('a declared query parameter is never unseen; an undeclared one still alerts', () => {
    const content = baselines(1000, [['orderId', learned(1000, { uuid: 1000 })]]);
    const withInventory = new UnseenParamDetector(content, DEFAULT_DETECTION_SETTINGS, declaredParameters(parsed));
    assert.deepEqual(alerts(withInventory, 'expand=lines&debug=true'), ['API_UnseenParam debug']);
    const without = new UnseenParamDetector(content, DEFAULT_DETECTION_SETTINGS);
    assert.deepEqual(alerts(without, 'expand=lines&debug=true'), ['API_UnseenParam expand', 'API_UnseenParam debug']);
    const finding = withInventory.detect(request('debug=1'))[0];
    assert.equal(finding?.baseline?.declaredParameters, 2);
  });

  test('a declared parameter\'s value types are still judged once learned', () => {
    const content = baselines(1000, [['orderId', learned(1000, { uuid: 1000 })], ['expand', learned(500, { text: 500 })]]);
    const detector = new UnseenParamDetector(content, DEFAULT_DETECTION_SETTINGS, declaredParameters(parsed));
    assert.deepEqual(alerts(detector, 'expand=lines'), []);
    const typed = detector.detect(nameTemplateParams(event('shop-api', 'get-order', "/shop/orders/1'%20OR%20'1'='1"), parsed));
    assert.deepEqual(typed.map((f) => [f.alertType, f.entities.parameterName]), [['API_UnseenParamType', 'orderId']]);
  });

  test('an endpoint without enough history stays silent, declared or not', () => {
    const detector = new UnseenParamDetector(baselines(10, []), DEFAULT_DETECTION_SETTINGS, declaredParameters(parsed));
    assert.deepEqual(alerts(detector, 'expand=lines&debug=true'), []);
  });
});
