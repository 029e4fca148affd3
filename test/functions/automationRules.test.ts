import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';

import { createAutomationRule } from '../../functions/createAutomationRule';
import { deleteAutomationRule } from '../../functions/deleteAutomationRule';
import { createDependencies, setDependencies, type AppDependencies } from '../../functions/deps';
import { getAutomationRule } from '../../functions/getAutomationRule';
import { listAutomationRules } from '../../functions/listAutomationRules';
import { parseConfig } from '../../shared/config';
import { startAzurite, type RunningAzurite } from '../support/azurite';

const NOW = new Date('2026-06-02T09:30:00.000Z');
const playbook = { subscriptionId: '00000000-0000-4000-8000-0000000000cc', resourceGroup: 'rg-soc', workflowName: 'notify-soc' };

let azurite: RunningAzurite;
let deps: AppDependencies;
before(async () => {
  azurite = await startAzurite();
  deps = createDependencies(parseConfig({ WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString, WARDEN_TABLE_PREFIX: azurite.uniquePrefix() }), {
    clock: { now: () => NOW },
  });
  setDependencies(deps);
});
after(async () => {
  setDependencies(undefined);
  await azurite.stop();
});

function request(method: string, body?: unknown, options: { params?: Record<string, string>; principal?: string; raw?: string } = {}): HttpRequest {
  const text = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  return new HttpRequest({
    method,
    url: 'http://localhost/api/automation-rules',
    params: options.params ?? {},
    headers: options.principal === undefined ? {} : { 'x-ms-client-principal-name': options.principal },
    ...(text === undefined ? {} : { body: { string: text } }),
  });
}

async function run(handler: (r: HttpRequest, c: InvocationContext) => Promise<HttpResponseInit>, req: HttpRequest) {
  return await handler(req, new InvocationContext({ invocationId: 'inv' }));
}

const fieldOf = (response: HttpResponseInit) => (response.jsonBody as { error: { field: string } }).error.field;

test('a rule is created with its id, author and time, listed, read and deleted; an unknown id is a 404', async () => {
  const body = {
    name: 'Block Tor on the shop',
    alertTypes: ['API_AccessFromTorExitNode'],
    severities: ['Medium', 'High'],
    endpoint: { apiId: 'shop-*' },
    playbook: { ...playbook, triggerName: 'When_an_alert_arrives' },
  };
  const created = await run(createAutomationRule, request('POST', body, { principal: 'analyst@contoso.com' }));
  assert.equal(created.status, 201, JSON.stringify(created.jsonBody));
  const rule = created.jsonBody as { id: string; createdBy: string; createdAt: string; enabled: boolean; includeSampleAlerts: boolean };
  assert.deepEqual(rule, {
    ...body,
    id: rule.id,
    enabled: true,
    includeSampleAlerts: false,
    createdBy: 'analyst@contoso.com',
    createdAt: NOW.toISOString(),
  });

  const listed = await run(listAutomationRules, request('GET'));
  assert.deepEqual((listed.jsonBody as { rules: Array<{ id: string }> }).rules.map((r) => r.id), [rule.id]);
  const got = await run(getAutomationRule, request('GET', undefined, { params: { id: rule.id } }));
  assert.deepEqual(got.jsonBody, rule);

  assert.equal((await run(deleteAutomationRule, request('DELETE', undefined, { params: { id: rule.id } }))).status, 204);
  const gone = await run(getAutomationRule, request('GET', undefined, { params: { id: rule.id } }));
  assert.equal(gone.status, 404);
  assert.equal((gone.jsonBody as { error: { code: string } }).error.code, 'not_found');
  assert.equal((await run(deleteAutomationRule, request('DELETE', undefined, { params: { id: rule.id } }))).status, 404);
});

test('without a signed-in principal the body\'s claim names the author, else the function key does; the trigger defaults to manual', async () => {
  const claimed = await run(createAutomationRule, request('POST', { name: 'Sentinel', createdBy: 'sentinel-automation', playbook }));
  assert.equal((claimed.jsonBody as { createdBy: string }).createdBy, 'sentinel-automation');
  assert.equal((claimed.jsonBody as { playbook: { triggerName: string } }).playbook.triggerName, 'manual');
  const signedIn = await run(createAutomationRule, request('POST', { name: 'Signed in', createdBy: 'someone-else', playbook }, { principal: 'lead@contoso.com' }));
  assert.equal((signedIn.jsonBody as { createdBy: string }).createdBy, 'lead@contoso.com');
  const anonymous = await run(createAutomationRule, request('POST', { name: 'Key only', playbook }));
  assert.equal((anonymous.jsonBody as { createdBy: string }).createdBy, 'unknown (function key)');
});

test('bad rules are refused with a 400 naming the field, and nothing is stored', async () => {
  const before = (await deps.automationRules.list()).length;
  const cases: Array<[unknown, string]> = [
    [{ name: 'x', playbook: { ...playbook, subscriptionId: 'not-a-guid' } }, 'playbook.subscriptionId'],
    [{ name: 'x' }, 'playbook'],
    [{ playbook }, 'name'],
    [{ name: 'x', alertTypes: ['API_Nope'], playbook }, 'alertTypes.0'],
    [{ name: 'x', alertTypes: [], playbook }, 'alertTypes'],
    [{ name: 'x', severities: ['High', 'High'], playbook }, 'severities'],
    [{ name: 'x', severities: ['Critical'], playbook }, 'severities.0'],
    [{ name: 'x', endpoint: {}, playbook }, 'endpoint'],
    [{ name: 'x', endpoint: { path: '/orders' }, playbook }, 'endpoint.path'],
    [{ name: 'x', includeSampleAlerts: 'yes', playbook }, 'includeSampleAlerts'],
    [{ name: 'x', id: 'mine', playbook }, 'id'],
    [[], 'body'],
  ];
  for (const [body, field] of cases) {
    const response = await run(createAutomationRule, request('POST', body));
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(fieldOf(response), field, JSON.stringify(response.jsonBody));
  }
  const notJson = await run(createAutomationRule, request('POST', undefined, { raw: '{name:' }));
  assert.equal(fieldOf(notJson), 'body');
  assert.equal((await deps.automationRules.list()).length, before);
});
