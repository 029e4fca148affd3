import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';

import { createSuppressionRule } from '../../functions/createSuppressionRule';
import { deleteSuppressionRule } from '../../functions/deleteSuppressionRule';
import { createDependencies, setDependencies, type AppDependencies } from '../../functions/deps';
import { getSuppressionRule } from '../../functions/getSuppressionRule';
import { listSuppressionRules } from '../../functions/listSuppressionRules';
import { parseConfig } from '../../shared/config';
import type { Finding } from '../../shared/core/detectors/finding';
import { makeEndpoint } from '../../shared/core/requestEvent';
import { raiseAlerts } from '../../shared/services/raiseAlerts';
import { startAzurite, type RunningAzurite } from '../support/azurite';

let azurite: RunningAzurite;
let deps: AppDependencies;
before(async () => {
  azurite = await startAzurite();
  deps = createDependencies(parseConfig({ WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString, WARDEN_TABLE_PREFIX: azurite.uniquePrefix() }));
  setDependencies(deps);
});
after(async () => {
  setDependencies(undefined);
  await azurite.stop();
});

function request(method: string, body?: unknown, params: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({
    method,
    url: 'http://localhost/api/suppression-rules',
    params,
    headers: { 'x-ms-client-principal-name': 'analyst@contoso.com' },
    ...(body === undefined ? {} : { body: { string: JSON.stringify(body) } }),
  });
}

async function run(handler: (r: HttpRequest, c: InvocationContext) => Promise<HttpResponseInit>, req: HttpRequest) {
  return await handler(req, new InvocationContext({ invocationId: 'inv' }));
}

function torFinding(clientIp: string): Finding {
  const time = Date.parse('2026-06-01T10:00:00Z');
  const endpoint = makeEndpoint({ service: 'contoso', apiId: 'shop', operationId: 'get-order', pathTemplate: '' });
  return { alertType: 'API_AccessFromTorExitNode', time, endTime: time, entities: { clientIp, endpoint }, observed: clientIp, score: 1, evidence: {} };
}

test('a rule is created with its id, author and time; with dismissMatching the open alerts it matches are dismissed and record it', async () => {
  await raiseAlerts([torFinding('203.0.113.9'), torFinding('198.51.100.4')], { alerts: deps.alerts, rules: [] }, { detectedAt: new Date(), now: new Date() });
  const response = await run(
    createSuppressionRule,
    request('POST', { alertType: 'API_AccessFromTorExitNode', entities: { clientIp: '203.0.113.0/24' }, reason: 'red team exercise', dismissMatching: true }),
  );
  assert.equal(response.status, 201, JSON.stringify(response.jsonBody));
  const created = response.jsonBody as { rule: { id: string; createdBy: string }; dismissed: string[] };
  assert.equal(created.rule.createdBy, 'analyst@contoso.com');
  assert.equal(created.dismissed.length, 1);
  const alerts = await deps.alerts.list();
  const dismissed = alerts.find((a) => a.keyEntities.clientIp === '203.0.113.9');
  assert.equal(dismissed?.status, 'Dismissed');
  assert.equal(dismissed?.suppression?.ruleId, created.rule.id);
  assert.equal(alerts.find((a) => a.keyEntities.clientIp === '198.51.100.4')?.status, 'Active');

  const listed = await run(listSuppressionRules, request('GET'));
  assert.deepEqual((listed.jsonBody as { rules: Array<{ id: string }> }).rules.map((r) => r.id), [created.rule.id]);
  const got = await run(getSuppressionRule, request('GET', undefined, { id: created.rule.id }));
  assert.equal((got.jsonBody as { reason: string }).reason, 'red team exercise');

  assert.equal((await run(deleteSuppressionRule, request('DELETE', undefined, { id: created.rule.id }))).status, 204);
  assert.equal((await run(getSuppressionRule, request('GET', undefined, { id: created.rule.id }))).status, 404);
  assert.equal((await run(deleteSuppressionRule, request('DELETE', undefined, { id: created.rule.id }))).status, 404);
});

test('a bad rule is refused with a 400 naming the field, and nothing is stored', async () => {
  const before = (await deps.suppressionRules.list()).length;
  const badIp = await run(createSuppressionRule, request('POST', { alertType: 'API_AccessFromTorExitNode', entities: { clientIp: '10.0.0.0/33' }, reason: 'x' }));
  assert.equal(badIp.status, 400);
  assert.equal((badIp.jsonBody as { error: { field: string } }).error.field, 'entities.clientIp');
  const everything = await run(createSuppressionRule, request('POST', { alertType: '*', reason: 'silence all' }));
  assert.equal((everything.jsonBody as { error: { field: string } }).error.field, 'entities');
  const badType = await run(createSuppressionRule, request('POST', { alertType: 'API_Nope', reason: 'x', entities: { apiId: 'shop' } }));
  assert.equal((badType.jsonBody as { error: { field: string } }).error.field, 'alertType');
  assert.equal((await deps.suppressionRules.list()).length, before);
});
