import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { defenderAlertSchema, type DefenderAlert } from '../../shared/core/alerts';
import { parseInventory, type Inventory } from '../../shared/core/inventory';
import { APIS, planTraffic } from '../../shared/generator';
import { runDetect } from '../../scripts/detect';

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'warden-detect-inventory-'));
const cli = join(__dirname, '..', '..', 'scripts', 'cli.js');

/** Declared on list-products in the inventory below, but never sent by the generator's baseline. */
const DECLARED_UNUSED = 'currency';

/** The generator's catalog as APIM's inventory of one service, in ARM's contract names. */
function catalogInventory(resourceId: string, gatewayUrl: string): unknown {
  const parameter = (param: { name: string; kind: string }, required: boolean) => ({ name: param.name, type: param.kind === 'integer' ? 'integer' : 'string', required });
  return {
    service: { resourceId, gatewayUrl },
    apis: APIS.map((api) => ({
      name: api.apiId,
      path: api.path,
      subscriptionRequired: true,
      operations: api.operations.map((operation) => ({
        name: operation.operationId,
        method: operation.method,
        urlTemplate: operation.template,
        templateParameters: operation.pathParams.map((param) => parameter(param, true)),
        request: {
          queryParameters: [
            ...operation.queryParams.map((param) => parameter(param, false)),
            ...(operation.operationId === 'list-products' ? [{ name: DECLARED_UNUSED, type: 'string', required: false }] : []),
          ],
        },
      })),
    })),
  };
}

type JsonRecord = Record<string, unknown> & { properties: Record<string, unknown> };

/** A copy of a generated record from another client, at another time, for another URL. */
function variant(template: JsonRecord, time: number, ip: string, url: string, status: number, serial: number): JsonRecord {
  const copy = JSON.parse(JSON.stringify(template)) as JsonRecord;
  copy.time = new Date(time).toISOString();
  copy.callerIpAddress = ip;
  copy.correlationId = `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`;
  copy.properties.url = url;
  copy.properties.responseCode = status;
  copy.properties.backendResponseCode = status;
  delete copy.properties.backendUrl;
  const headers = copy.properties.requestHeaders as Record<string, string> | undefined;
  if (headers !== undefined) delete headers['X-Forwarded-For'];
  return copy;
}

test('detect --inventory names path parameters after the URL templates and never reports a declared parameter as unseen', async () => {
  const start = Date.parse('2026-09-07T00:00:00Z');
  const plan = planTraffic({ seed: 33, start: new Date(start), days: 4, requestsPerDay: 3000, services: 1, attacks: ['API_UnseenParam'] });
  const messages = [...plan.messages()];
  const records = messages.flatMap((message) => (JSON.parse(message.body) as { records: JsonRecord[] }).records);
  const sample = (operationId: string) => {
    const found = records.find((record) => record.properties.operationId === operationId && record.properties.responseCode === 200);
    assert.ok(found, `no generated ${operationId} request`);
    return found;
  };
  const getOrder = sample('get-order');
  const getProduct = sample('get-product');
  const listProducts = sample('list-products');
  const resourceId = String(getOrder.resourceId);
  const gateway = `https://${new URL(String(getOrder.properties.url)).host}`;

  const parsed = parseInventory(catalogInventory(resourceId, gateway));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
  const inventory: Inventory = parsed.inventory;

  // Injected on the scored day, each inside one 20-minute window.
  const scoreStart = start + 3 * DAY;
  const injected: Array<{ time: number; body: string }> = [];
  const inject = (record: JsonRecord) => injected.push({ time: Date.parse(String(record.time)), body: JSON.stringify({ records: [record] }) });
  const enumerator = '203.0.113.250';
  const enumerationAt = scoreStart + 10 * 60 * MINUTE; // 10:00–10:20
  for (let i = 0; i < 60; i += 1) {
    const orderId = `${(0x3f2a0000 + i * 7919).toString(16)}-1c2b-4b8e-9d1a-${(0x530eb9f15261 + i).toString(16)}`;
    inject(variant(getOrder, enumerationAt + i * 10_000, enumerator, `${gateway}/shop/v1/orders/${orderId}`, 404, i));
  }
  const injector = '203.0.113.251';
  const injectionAt = scoreStart + 11 * 60 * MINUTE;
  for (let i = 0; i < 3; i += 1) {
    inject(variant(getProduct, injectionAt + i * 20_000, injector, `${gateway}/shop/v1/products/1'%20OR%20'1'='1`, 200, 100 + i));
  }
  const shopper = '203.0.113.252';
  const declaredAt = scoreStart + 12 * 60 * MINUTE;
  for (let i = 0; i < 3; i += 1) {
    inject(variant(listProducts, declaredAt + i * 20_000, shopper, `${gateway}/shop/v1/products?page=2&${DECLARED_UNUSED}=EUR`, 200, 200 + i));
  }

  const train = messages.filter((message) => message.time < scoreStart).map((message) => message.body);
  const score = [...messages.filter((message) => message.time >= scoreStart), ...injected]
    .sort((a, b) => a.time - b.time)
    .map((message) => message.body);
  writeFileSync(join(dir, 'train.jsonl'), `${train.join('\n')}\n`);
  writeFileSync(join(dir, 'score.jsonl'), `${score.join('\n')}\n`);

  const result = await runDetect({
    train: join(dir, 'train.jsonl'),
    score: join(dir, 'score.jsonl'),
    out: join(dir, 'alerts.jsonl'),
    detectors: [],
    inventory,
  });
  const alerts = readFileSync(join(dir, 'alerts.jsonl'), 'utf8').trim().split('\n').map((line) => defenderAlertSchema.parse(JSON.parse(line)));
  assert.equal(alerts.length, result.alerts);
  const describe = (list: readonly DefenderAlert[]) =>
    list.map((a) => `${a.AlertType} ${String(a.ExtendedProperties.clientIp)} ${String(a.ExtendedProperties.operationId)} ${String(a.ExtendedProperties.parameterName)}`).join('; ');
  const from = (ip: string, type: string) => alerts.filter((alert) => alert.AlertType === type && alert.ExtendedProperties.clientIp === ip);

  // The enumerated path parameter is named after the template, not "{id1}".
  const enumeration = from(enumerator, 'API_ParameterEnumeration');
  assert.equal(enumeration.length, 1, describe(alerts));
  assert.equal(enumeration[0]?.ExtendedProperties.parameterName, 'orderId');
  assert.equal(enumeration[0]?.ExtendedProperties.operationId, 'get-order');
  assert.equal(enumeration[0]?.ExtendedProperties.observed, '60');

  // A template parameter is one whatever its value looks like: text where integers were learned.
  const typed = from(injector, 'API_UnseenParamType');
  assert.deepEqual(typed.map((a) => a.ExtendedProperties.parameterName), ['productId'], describe(alerts));

  // A declared but never used parameter is not unseen; the generator's undeclared one still is.
  assert.deepEqual(from(shopper, 'API_UnseenParam'), [], describe(alerts));
  const label = plan.labels.find((l) => l.alertType === 'API_UnseenParam');
  assert.ok(label);
  const unseen = alerts.filter((a) => a.AlertType === 'API_UnseenParam' && label.clientIps.includes(String(a.ExtendedProperties.clientIp)));
  assert.deepEqual(unseen.map((a) => a.ExtendedProperties.parameterName), [label.parameterName], describe(alerts));
  assert.ok(!alerts.some((a) => String(a.ExtendedProperties.parameterName).startsWith('{id')), describe(alerts));
});

test('detect --inventory rejects an unusable inventory with exit code 2, naming the field', () => {
  const run = (inventoryFile: string) =>
    spawnSync(process.execPath, [cli, 'detect', '--train', cli, '--score', cli, '--out', join(dir, 'never.jsonl'), '--inventory', inventoryFile], { encoding: 'utf8' });
  const resourceId = '/subscriptions/0/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso';
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ service: { resourceId }, apis: [{ name: 'shop-api', path: 'shop', operations: [{ name: 'get-order', method: 'GET' }] }] }));
  const invalid = run(bad);
  assert.equal(invalid.status, 2, invalid.stderr);
  assert.match(invalid.stderr, /bad\.json: not a valid inventory:\n {2}apis\.0\.operations\.0\.urlTemplate: Invalid input: expected string, received undefined/);

  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '{"service": ');
  const broken = run(notJson);
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /not\.json: not JSON: /);

  const missing = run(join(dir, 'missing.json'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read .*missing\.json: ENOENT/);
});
