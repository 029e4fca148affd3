import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';

import { createDependencies, ingestDependencies, setDependencies, type AppDependencies } from '../../functions/deps';
import { listEndpoints } from '../../functions/listEndpoints';
import { listRecommendations } from '../../functions/listRecommendations';
import { runRecommendationPlaybook } from '../../functions/runRecommendationPlaybook';
import { syncInventory } from '../../functions/syncInventory';
import { parseConfig } from '../../shared/config';
import { serializeEndpointTraffic } from '../../shared/core/baselines/endpointTraffic';
import type { EndpointRow } from '../../shared/core/endpoints';
import type { Recommendation } from '../../shared/core/recommendations';
import { makeEndpoint } from '../../shared/core/requestEvent';
import { ingestBatch } from '../../shared/services/ingestBatch';
import { raiseAlerts } from '../../shared/services/raiseAlerts';
import { ENDPOINT_TRAFFIC } from '../../shared/services/recomputeBaselines';
import { policyLogRecord } from '../fixtures/records';
import { CONTOSO, CONTOSO_ID, seedContoso } from '../support/apimFixture';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { fakeArmCredential, startFakeArm, type FakeArm } from '../support/fakeArm';

const PLAYBOOK = { subscriptionId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', resourceGroup: 'rg-soc', workflowName: 'on-recommendation', triggerName: 'manual' };
const TIMER = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
const GET_ORDER = makeEndpoint({ service: 'contoso-apim', apiId: 'shop-api', operationId: 'get-order', pathTemplate: '' });

let azurite: RunningAzurite;
let arm: FakeArm;
let deps: AppDependencies;
let sig: string;

function appWith(settings: Record<string, string>): AppDependencies {
  return createDependencies(
    parseConfig({ WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString, WARDEN_TABLE_PREFIX: azurite.uniquePrefix(), ...settings }),
    { arm: { options: arm.clientOptions(), credential: fakeArmCredential, playbooks: { clientOptions: arm.clientOptions(), tlsOptions: { ca: arm.caCert } } } },
  );
}

const apimSettings = {
  WARDEN_APIM_SUBSCRIPTION_ID: CONTOSO.subscriptionId,
  WARDEN_APIM_RESOURCE_GROUP: CONTOSO.resourceGroup,
  WARDEN_APIM_SERVICE_NAME: CONTOSO.serviceName,
};

before(async () => {
  azurite = await startAzurite();
  arm = await startFakeArm();
  seedContoso(arm);
  sig = arm.addWorkflow(PLAYBOOK);
  deps = appWith(apimSettings);
  setDependencies(deps);
});
after(async () => {
  setDependencies(undefined);
  await arm.stop();
  await azurite.stop();
});

function context(): { ctx: InvocationContext; lines: string[] } {
  const lines: string[] = [];
  return { lines, ctx: new InvocationContext({ invocationId: 'inv', logHandler: (level, ...args) => lines.push(`${level} ${args.join(' ')}`) }) };
}

async function get(handler: typeof listEndpoints, path: string): Promise<HttpResponseInit> {
  return await handler(new HttpRequest({ method: 'GET', url: `http://localhost/api/${path}` }), context().ctx);
}

async function runPlaybookFor(id: string, body: unknown, ctx = context().ctx): Promise<HttpResponseInit> {
  const request = new HttpRequest({
    method: 'POST',
    url: `http://localhost/api/recommendations/${id}/run-playbook`,
    params: { id },
    body: { string: JSON.stringify(body) },
  });
  return await runRecommendationPlaybook(request, ctx);
}

const endpointsOf = (response: HttpResponseInit) => (response.jsonBody as { endpoints: EndpointRow[] }).endpoints;
const names = (response: HttpResponseInit) => endpointsOf(response).map((row) => (row.inInventory ? `${row.apiId}/${row.operationId}` : `${row.method ?? ''} ${row.urlTemplate ?? ''}`));
const errorOf = (response: HttpResponseInit) => (response.jsonBody as { error: { code: string; field?: string; message: string } }).error;

describe('before the first inventory sync', () => {
  test('no recommendations, no inventory endpoints, and no playbook run', async () => {
    const recommendations = await get(listRecommendations, 'recommendations');
    assert.equal(recommendations.status, 200);
    assert.deepEqual(recommendations.jsonBody, { inventory: null, count: 0, recommendations: [] });
    const endpoints = await get(listEndpoints, 'endpoints');
    assert.deepEqual(endpoints.jsonBody, { inventory: null, traffic: null, count: 0, endpoints: [] });
    const run = await runPlaybookFor('unencrypted-protocols', PLAYBOOK);
    assert.equal(run.status, 404);
    assert.match(errorOf(run).message, /no APIM inventory has been synced yet/);
  });
});

describe('after a sync, with traffic, alerts and traffic totals', () => {
  before(async () => {
    const { ctx, lines } = context();
    await syncInventory(TIMER, ctx);
    assert.ok(lines.some((line) => line.includes('inventory.synced')), lines.join('\n'));
    const at = (minute: number) => `2026-05-01T10:${String(minute).padStart(2, '0')}:00Z`;
    const records = [
      policyLogRecord({ time: at(1), apiId: 'shop-api', operationId: 'get-order', url: 'https://contoso-apim.azure-api.net/shop/orders/17' }),
      policyLogRecord({ time: at(2), apiId: '', operationId: '', url: 'https://contoso-apim.azure-api.net/admin/users' }),
    ];
    await ingestBatch(
      { partitionId: '0', messages: records.map((record, i) => ({ body: JSON.stringify(record), sequenceNumber: i + 1, offset: String(i + 1) })) },
      ingestDependencies(deps, null),
    );
    const time = Date.parse(at(5));
    const finding = { alertType: 'API_AccessFromTorExitNode' as const, time, endTime: time, entities: { clientIp: '203.0.113.9', endpoint: GET_ORDER }, observed: '203.0.113.9', score: 1, evidence: {} };
    await raiseAlerts([finding], { alerts: deps.alerts, rules: [] }, { detectedAt: new Date(time), now: new Date(time) });
    const from = Date.parse('2026-04-01T00:00:00Z');
    const to = Date.parse('2026-05-01T00:00:00Z');
    await deps.baselines.write(ENDPOINT_TRAFFIC, serializeEndpointTraffic({ from, to, requests: new Map([[GET_ORDER.key, 4321]]) }), to);
  });

  test('GET /api/endpoints lists every operation, traffic-only paths too, with posture, traffic and alerts', async () => {
    const response = await get(listEndpoints, 'endpoints');
    assert.equal(response.status, 200);
    const body = response.jsonBody as { inventory: { service: string; syncedAt: string }; traffic: unknown; count: number };
    assert.equal(body.inventory.service, CONTOSO_ID);
    assert.deepEqual(body.traffic, { from: '2026-04-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z' });
    assert.deepEqual(names(response), [
      'shop-api/get-order',
      'shop-api/list-orders',
      'shop-api/delete-order',
      'legacy-api/get-status',
      'legacy-api/post-report',
      'partner-api/get-catalog',
      'open-api/search',
      'GET /admin/users',
    ]);
    assert.equal(body.count, 8);
    const getOrder = endpointsOf(response)[0];
    assert.equal(getOrder?.traffic?.requests, 4321);
    assert.equal(getOrder?.lastSeen, '2026-05-01T10:01:00.000Z');
    assert.equal(getOrder?.openAlerts, 1);
    assert.equal(getOrder?.neverSeen, false);
    assert.equal(endpointsOf(response)[1]?.neverSeen, true);
  });

  test('filters combine; the function key parameter is ignored', async () => {
    assert.deepEqual(names(await get(listEndpoints, 'endpoints?exposed=true&authenticated=false')), [
      'legacy-api/get-status',
      'legacy-api/post-report',
      'open-api/search',
    ]);
    assert.deepEqual(names(await get(listEndpoints, 'endpoints?hasOpenAlerts=true&code=functionkey')), ['shop-api/get-order']);
    assert.deepEqual(names(await get(listEndpoints, 'endpoints?inInventory=false')), ['GET /admin/users']);
    assert.deepEqual(names(await get(listEndpoints, 'endpoints?unencrypted=true&neverSeen=true')), ['legacy-api/get-status', 'legacy-api/post-report']);
    assert.deepEqual(names(await get(listEndpoints, 'endpoints?apiId=shop-api&q=delete')), ['shop-api/delete-order']);
  });

  test('a bad filter is a 400 naming the parameter', async () => {
    const bad = await get(listEndpoints, 'endpoints?exposed=yes');
    assert.equal(bad.status, 400);
    assert.deepEqual(errorOf(bad), { code: 'validation', field: 'exposed', message: 'exposed: must be true or false' });
    const unknown = await get(listEndpoints, 'endpoints?exposd=true');
    assert.equal(unknown.status, 400);
    assert.equal(errorOf(unknown).field, 'exposd');
    assert.equal(errorOf(await get(listEndpoints, 'endpoints?q=')).field, 'q');
  });

  test('GET /api/recommendations lists the open ones with their affected resources', async () => {
    const response = await get(listRecommendations, 'recommendations');
    assert.equal(response.status, 200);
    const body = response.jsonBody as { count: number; recommendations: Recommendation[] };
    assert.deepEqual(
      body.recommendations.map((r) => r.id),
      ['unauthenticated-exposed-endpoints', 'unencrypted-protocols', 'subscriptions-scoped-to-all-apis', 'open-products', 'minimum-api-version', 'no-virtual-network'],
    );
    assert.equal(body.count, 6);
    const unencrypted = body.recommendations[1];
    assert.deepEqual(unencrypted?.affectedResources.map((a) => a.resourceId), [`${CONTOSO_ID}/apis/legacy-api`]);
  });

  test('POST /api/recommendations/{id}/run-playbook posts the recommendation to the workflow; the callback URL is never logged', async () => {
    const { ctx, lines } = context();
    arm.clearRequests();
    const response = await runPlaybookFor('unencrypted-protocols', PLAYBOOK, ctx);
    assert.equal(response.status, 200, JSON.stringify(response.jsonBody));
    const result = response.jsonBody as { status: number; runId?: string; recommendationId: string; affectedResources: number };
    assert.equal(result.status, 202);
    assert.ok(result.runId);
    assert.equal(result.recommendationId, 'unencrypted-protocols');
    assert.equal(result.affectedResources, 1);
    const sent = arm.callbacks.at(-1)?.body as { kind: string; azureResourceId: string; recommendation: Recommendation };
    assert.equal(sent.kind, 'recommendation');
    assert.equal(sent.azureResourceId, CONTOSO_ID);
    assert.equal(sent.recommendation.id, 'unencrypted-protocols');
    assert.equal(sent.recommendation.affectedResources[0]?.apiId, 'legacy-api');
    assert.ok(!JSON.stringify(response.jsonBody).includes(sig));
    assert.ok(lines.every((line) => !line.includes(sig)));
  });

  test('run-playbook: unknown or closed recommendation 404; a bad body 400 naming the field, an alertId refused', async () => {
    const unknown = await runPlaybookFor('no-such-thing', PLAYBOOK);
    assert.equal(unknown.status, 404);
    assert.match(errorOf(unknown).message, /no recommendation 'no-such-thing'/);
    const closed = await runPlaybookFor('unauthenticated-internal-endpoints', PLAYBOOK);
    assert.equal(closed.status, 404);
    assert.match(errorOf(closed).message, /is not open/);
    const missing = await runPlaybookFor('unencrypted-protocols', { ...PLAYBOOK, workflowName: undefined });
    assert.equal(missing.status, 400);
    assert.equal(errorOf(missing).field, 'workflowName');
    const withAlert = await runPlaybookFor('unencrypted-protocols', { ...PLAYBOOK, alertId: 'x' });
    assert.equal(withAlert.status, 400);
    assert.equal(errorOf(withAlert).field, 'alertId');
  });
});

describe('the syncInventory timer', () => {
  test('without an APIM service it logs and does nothing', async () => {
    const unconfigured = appWith({});
    setDependencies(unconfigured);
    try {
      const { ctx, lines } = context();
      await syncInventory(TIMER, ctx);
      assert.ok(lines.some((line) => line.includes('inventory.sync_skipped')));
      assert.equal(await unconfigured.inventory.status(), undefined);
    } finally {
      setDependencies(deps);
    }
  });

  test('a failed sync is logged as an error and keeps the snapshot', async () => {
    const before = await deps.inventory.current();
    arm.failRequests({ count: 1, status: 500, match: (r) => r.path.endsWith('/service/contoso-apim/subscriptions') });
    const { ctx, lines } = context();
    await syncInventory(TIMER, ctx);
    assert.ok(lines.some((line) => line.startsWith('error') && line.includes('inventory.sync_failed') && line.includes('HTTP 500')), lines.join('\n'));
    assert.deepEqual(await deps.inventory.current(), before);
  });
});
