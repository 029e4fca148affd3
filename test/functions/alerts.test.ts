import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';

import { createSampleAlerts } from '../../functions/createSampleAlerts';
import { setDependencies } from '../../functions/deps';
import { getAlert } from '../../functions/getAlert';
import { listAlerts } from '../../functions/listAlerts';
import { updateAlert } from '../../functions/updateAlert';
import { updateAlerts } from '../../functions/updateAlerts';
import type { Alert } from '../../shared/core/alerts';
import { ALERT_TYPES } from '../../shared/core/alertTypes';
import type { Finding } from '../../shared/core/detectors/finding';
import { makeEndpoint } from '../../shared/core/requestEvent';
import { raiseAlerts } from '../../shared/services/raiseAlerts';
import { postureInventory } from '../core/postureFixture';
import { envelope, gatewayLogsRecord } from '../fixtures/records';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { freshApp } from '../support/testApp';

let azurite: RunningAzurite;
let app: ReturnType<typeof freshApp>;
before(async () => {
  azurite = await startAzurite();
});
after(async () => {
  setDependencies(undefined);
  await azurite.stop();
});

const T0 = Date.parse('2026-03-02T10:00:00Z');
const NOW = new Date('2026-03-02T12:00:00Z');
const product = makeEndpoint({ service: 'contoso-apim', apiId: 'shop', operationId: 'get-product', pathTemplate: '' });
const orders = makeEndpoint({ service: 'contoso-apim', apiId: 'orders', operationId: 'get-order', pathTemplate: '' });

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

async function call(handler: Handler, init: { method?: string; path?: string; query?: Record<string, string>; params?: Record<string, string>; body?: unknown }) {
  const url = new URL(`http://localhost/api/${init.path ?? 'alerts'}`);
  for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, value);
  const request = new HttpRequest({
    method: init.method ?? 'GET',
    url: url.toString(),
    params: init.params ?? {},
    headers: { 'x-ms-client-principal-name': 'ana@contoso.com' },
    ...(init.body === undefined ? {} : { body: { string: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } }),
  });
  const response = await handler(request, new InvocationContext({ invocationId: 'inv' }));
  return { status: response.status ?? 200, body: response.jsonBody as Record<string, unknown> };
}

function finding(alertType: Finding['alertType'], clientIp: string, endpoint = product, minutes = 0, score = 2): Finding {
  const time = T0 + minutes * 60_000;
  const window = alertType === 'API_SpikeInAPITraffic';
  return {
    alertType,
    time,
    endTime: window ? time + 20 * 60_000 : time,
    entities: { clientIp, endpoint, status: 200 },
    observed: window ? 900 : clientIp,
    score,
    evidence: {},
  };
}

async function seed(): Promise<Alert[]> {
  await raiseAlerts(
    [
      finding('API_SpikeInAPITraffic', '198.51.100.1', product, 0, 5),
      finding('API_AccessFromTorExitNode', '198.51.100.2', product, 5),
      finding('API_AccessFromSuspiciousIP', '203.0.113.9', orders, 50),
      finding('API_SpikeInAPITraffic', '203.0.113.10', orders, 60, 3),
    ],
    { alerts: app.deps.alerts, rules: [] },
    { detectedAt: new Date(T0 + 3_600_000), now: NOW },
  );
  return await app.deps.alerts.list();
}

function ids(body: Record<string, unknown>): string[] {
  return (body.alerts as Alert[]).map((alert) => alert.systemAlertId);
}

beforeEach(() => {
  app = freshApp(azurite, { now: NOW });
  setDependencies(app.deps);
});

describe('GET /api/alerts', () => {
  test('lists by priority and filters on severity, type, client range, API, time, text and samples', async () => {
    const alerts = await seed();
    const all = await call(listAlerts, {});
    assert.equal(all.status, 200);
    const listed = all.body.alerts as Alert[];
    assert.equal(listed.length, 4);
    for (let i = 1; i < listed.length; i += 1) {
      const [previous, current] = [listed[i - 1] as Alert, listed[i] as Alert];
      assert.ok(rank(previous.severity) >= rank(current.severity), 'most severe first');
    }
    const byIp = (ip: string) => alerts.find((alert) => alert.keyEntities.clientIp === ip)?.systemAlertId;
    assert.deepEqual(ids((await call(listAlerts, { query: { clientIp: '203.0.113.0/24' } })).body).sort(), [byIp('203.0.113.9'), byIp('203.0.113.10')].sort());
    assert.deepEqual(ids((await call(listAlerts, { query: { alertType: 'API_AccessFromTorExitNode' } })).body), [byIp('198.51.100.2')]);
    assert.deepEqual(ids((await call(listAlerts, { query: { apiId: 'ORDERS', alertType: 'API_SpikeInAPITraffic' } })).body), [byIp('203.0.113.10')]);
    const late = await call(listAlerts, { query: { from: new Date(T0 + 45 * 60_000).toISOString() } });
    assert.deepEqual(ids(late.body).sort(), [byIp('203.0.113.9'), byIp('203.0.113.10')].sort());
    assert.deepEqual(ids((await call(listAlerts, { query: { q: 'tor exit' } })).body), [byIp('198.51.100.2')]);
    const severity = listed[0]?.severity as string;
    assert.ok((((await call(listAlerts, { query: { severity } })).body.alerts as Alert[]).every((alert) => alert.severity === severity)));
    assert.deepEqual(ids((await call(listAlerts, { query: { isSample: 'true' } })).body), []);
  });

  test('pages with continuation tokens, each alert once', async () => {
    await seed();
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await call(listAlerts, { query: { pageSize: '3', ...(token === undefined ? {} : { continuationToken: token }) } });
      assert.equal(page.status, 200);
      seen.push(...ids(page.body));
      token = page.body.continuationToken as string | undefined;
    } while (token !== undefined);
    assert.equal(seen.length, 4);
    assert.equal(new Set(seen).size, 4);
  });

  test('bad parameters get a 400 naming them', async () => {
    for (const [query, field] of [
      [{ severity: 'Critical' }, 'severity'],
      [{ clientIp: '300.1.1.1' }, 'clientIp'],
      [{ pageSize: '0' }, 'pageSize'],
      [{ to: 'soon' }, 'to'],
      [{ continuationToken: 'garbage' }, 'continuationToken'],
    ] as const) {
      const response = await call(listAlerts, { query });
      assert.equal(response.status, 400, JSON.stringify(query));
      assert.equal((response.body.error as { field: string }).field, field);
    }
    const unknown = await call(listAlerts, { query: { sort: 'name' } });
    assert.equal(unknown.status, 400);
    assert.match((unknown.body.error as { message: string }).message, /sort/);
  });
});

describe('GET /api/alerts/{id}', () => {
  test('shows the mitigation, the client traffic on the endpoint around the alert, and the actions taken', async () => {
    const records = [0, 1, 2].map((i) =>
      gatewayLogsRecord({
        time: new Date(T0 + i * 1000).toISOString(),
        callerIpAddress: '198.51.100.1',
        properties: { operationId: 'get-product', apiId: 'shop', responseCode: i === 2 ? 404 : 200, url: 'https://contoso.azure-api.net/shop/get-product' },
      }),
    );
    records.push(gatewayLogsRecord({ time: new Date(T0).toISOString(), callerIpAddress: '192.0.2.5', properties: { operationId: 'get-product', apiId: 'shop', url: 'https://contoso.azure-api.net/shop/p' } }));
    await app.ingest({ partitionId: '0', messages: [{ body: JSON.stringify(envelope(...records)), sequenceNumber: 1, offset: '1', enqueuedTimeUtc: new Date(T0 + 5000) }] });
    const alerts = await seed();
    const spike = alerts.find((alert) => alert.keyEntities.clientIp === '198.51.100.1') as Alert;
    await app.deps.actions.add({
      id: 'a1',
      kind: 'block-ip',
      scope: { kind: 'global' },
      addresses: ['198.51.100.0/24'],
      result: 'applied',
      requestedBy: 'bob',
      reason: 'spike',
      at: NOW.toISOString(),
      policyBefore: '<policies/>',
      policyAfter: '<policies>…</policies>',
    });
    await app.deps.actions.add({ id: 'a2', kind: 'block-ip', scope: { kind: 'global' }, addresses: ['192.0.2.1'], result: 'applied', requestedBy: 'bob', reason: 'other', at: NOW.toISOString() });

    const response = await call(getAlert, { path: `alerts/${spike.systemAlertId}`, params: { id: spike.systemAlertId } });
    assert.equal(response.status, 200);
    const details = response.body as { alert: Alert; mitigation: string[]; recentTraffic: Array<Record<string, unknown>>; actionsTaken: Array<Record<string, unknown>> };
    assert.equal(details.alert.systemAlertId, spike.systemAlertId);
    assert.deepEqual(details.mitigation, spike.remediationSteps);
    const busy = details.recentTraffic.find((point) => point.windowStart === new Date(T0).toISOString());
    assert.deepEqual(busy, { windowStart: new Date(T0).toISOString(), requests: 3, byStatus: { '200': 2, '404': 1 }, endpointRequests: 4, endpointClients: 2 });
    assert.ok(details.recentTraffic.length > 1, 'windows before the alert are shown for contrast');
    assert.deepEqual(details.actionsTaken.map((action) => action.id), ['a1']);
    assert.equal(details.actionsTaken[0]?.policyBefore, undefined, 'policy documents are left out');

    const missing = await call(getAlert, { path: 'alerts/nope', params: { id: 'nope' } });
    assert.equal(missing.status, 404);
  });
});

describe('with a synced APIM inventory', () => {
  const on = (apiId: string, operationId: string) => makeEndpoint({ service: 'contoso-apim', apiId, operationId, pathTemplate: '' });

  test('an alert on an exposed, unauthenticated endpoint ranks above a stronger one of the same severity on a protected endpoint', async () => {
    await app.deps.inventory.save(postureInventory(), NOW);
    await raiseAlerts(
      [finding('API_SpikeInAPITraffic', '198.51.100.1', on('shop-api', 'get-order'), 0, 9), finding('API_SpikeInAPITraffic', '198.51.100.2', on('legacy-api', 'get-status'), 0, 2)],
      { alerts: app.deps.alerts, rules: [] },
      { detectedAt: new Date(T0), now: NOW },
    );
    const listed = (await call(listAlerts, {})).body.alerts as Alert[];
    assert.deepEqual(listed.map((alert) => alert.keyEntities.endpoint?.apiId), ['legacy-api', 'shop-api']);
  });

  test("the details show the open recommendations on the alert's endpoint", async () => {
    await app.deps.inventory.save(postureInventory(), NOW);
    await raiseAlerts(
      [finding('API_AccessFromTorExitNode', '198.51.100.3', on('legacy-api', 'get-status')), finding('API_AccessFromTorExitNode', '198.51.100.4', on('shop-api', 'get-order'))],
      { alerts: app.deps.alerts, rules: [] },
      { detectedAt: new Date(T0), now: NOW },
    );
    const alerts = await app.deps.alerts.list();
    const details = async (apiId: string) => {
      const alert = alerts.find((candidate) => candidate.keyEntities.endpoint?.apiId === apiId) as Alert;
      const response = await call(getAlert, { params: { id: alert.systemAlertId } });
      return (response.body.recommendations as Array<{ id: string; affectedResources: Array<{ apiId?: string }> }>).map((r) => r.id);
    };
    const legacy = await details('legacy-api');
    assert.ok(legacy.includes('unauthenticated-exposed-endpoints'), legacy.join());
    assert.ok(legacy.includes('unencrypted-protocols'), legacy.join());
    assert.ok(!(await details('shop-api')).includes('unauthenticated-exposed-endpoints'));
  });
});

describe('PATCH /api/alerts/{id} and POST /api/alerts/bulk-update', () => {
  test('status with a comment, owner, tags and feedback are recorded with who and when', async () => {
    const [alert] = await seed();
    const id = (alert as Alert).systemAlertId;
    const patched = await call(updateAlert, {
      method: 'PATCH',
      path: `alerts/${id}`,
      params: { id },
      body: { status: 'InProgress', comment: 'investigating', owner: 'ana@contoso.com', addTags: ['case:7'], feedback: { useful: true } },
    });
    assert.equal(patched.status, 200);
    const stored = (await app.deps.alerts.get(id))?.alert as Alert;
    assert.equal(stored.status, 'InProgress');
    assert.equal(stored.owner, 'ana@contoso.com');
    assert.deepEqual(stored.tags, ['case:7']);
    assert.equal(stored.feedback?.by, 'ana@contoso.com');
    assert.deepEqual(stored.history?.map((entry) => [entry.by, entry.at, entry.comment]), [['ana@contoso.com', NOW.toISOString(), 'investigating']]);
    assert.deepEqual(ids((await call(listAlerts, { query: { owner: 'ana@contoso.com', tag: 'case:7' } })).body), [id]);

    assert.equal((await call(updateAlert, { method: 'PATCH', params: { id }, body: { status: 'Closed' } })).status, 400);
    assert.equal((await call(updateAlert, { method: 'PATCH', params: { id }, body: {} })).status, 400);
    assert.equal((await call(updateAlert, { method: 'PATCH', params: { id }, body: 'not json' })).status, 400);
    assert.equal((await call(updateAlert, { method: 'PATCH', params: { id: 'nope' }, body: { status: 'Resolved' } })).status, 404);
  });

  test('bulk changes by ids report unknown ids; by filter they change exactly the matching alerts', async () => {
    const alerts = await seed();
    const [first, second] = alerts.map((alert) => alert.systemAlertId) as [string, string];
    const byIds = await call(updateAlerts, { method: 'POST', body: { ids: [first, second, 'nope'], change: { status: 'Resolved', comment: 'fixed' } } });
    assert.equal(byIds.status, 200);
    assert.deepEqual(byIds.body, { updated: [first, second], unchanged: [], notFound: ['nope'] });

    const byFilter = await call(updateAlerts, { method: 'POST', body: { filter: { statuses: ['Active'], clientIp: '203.0.113.0/24' }, change: { status: 'Dismissed' } } });
    const expected = alerts.filter((a) => a.keyEntities.clientIp?.startsWith('203.0.113.') && ![first, second].includes(a.systemAlertId)).map((a) => a.systemAlertId);
    assert.deepEqual([...(byFilter.body.updated as string[])].sort(), expected.sort());
    const after = await app.deps.alerts.list();
    for (const alert of after) {
      const wanted = [first, second].includes(alert.systemAlertId) ? 'Resolved' : expected.includes(alert.systemAlertId) ? 'Dismissed' : 'Active';
      assert.equal(alert.status, wanted, alert.systemAlertId);
    }
    const again = await call(updateAlerts, { method: 'POST', body: { ids: [first], change: { status: 'Resolved' } } });
    assert.deepEqual(again.body, { updated: [], unchanged: [first], notFound: [] });

    for (const body of [{ change: { status: 'Resolved' } }, { ids: [first], filter: {}, change: { status: 'Resolved' } }, { ids: [first], change: { status: 'Gone' } }]) {
      assert.equal((await call(updateAlerts, { method: 'POST', body })).status, 400, JSON.stringify(body));
    }
  });
});

describe('POST /api/alerts/samples', () => {
  test('creates a sample alert of every type, marked and listed as samples; a type list narrows it', async () => {
    const created = await call(createSampleAlerts, { method: 'POST', body: {} });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.status, 201);
    const samples = created.body.alerts as Alert[];
    assert.deepEqual([...new Set(samples.map((alert) => alert.alertType))].sort(), [...ALERT_TYPES].sort());
    assert.ok(samples.every((alert) => alert.isSample && alert.status === 'Active'));
    const listed = await call(listAlerts, { query: { isSample: 'true', pageSize: '200' } });
    assert.equal((listed.body.alerts as Alert[]).length, samples.length);

    const one = await call(createSampleAlerts, { method: 'POST', body: { alertTypes: ['API_AccessFromTorExitNode'] } });
    assert.deepEqual((one.body.alerts as Alert[]).map((alert) => alert.alertType), ['API_AccessFromTorExitNode']);
    const bad = await call(createSampleAlerts, { method: 'POST', body: { alertTypes: ['API_Nope'] } });
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { field: string }).field, 'alertTypes.0');
  });
});

function rank(severity: string): number {
  return ['Informational', 'Low', 'Medium', 'High'].indexOf(severity);
}
