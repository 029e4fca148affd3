import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { SuppressionRule } from '../../shared/core/alerts';
import type { Finding } from '../../shared/core/detectors/finding';
import { makeEndpoint } from '../../shared/core/requestEvent';
import { raiseAlerts } from '../../shared/services/raiseAlerts';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { freshApp } from '../support/testApp';

let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(async () => {
  await azurite.stop();
});

const T0 = Date.parse('2026-06-01T10:00:00Z');
const endpoint = makeEndpoint({ service: 'contoso', apiId: 'shop', operationId: 'get-order', pathTemplate: '' });
const now = new Date('2026-06-02T00:00:00Z');

function tor(clientIp: string, minutes: number): Finding {
  const time = T0 + minutes * 60_000;
  return { alertType: 'API_AccessFromTorExitNode', time, endTime: time, entities: { clientIp, endpoint }, observed: clientIp, score: 1, evidence: { feed: 'tor' } };
}

test('repeats aggregate into one open alert, and a replay of the same findings creates nothing new', async () => {
  const app = freshApp(azurite);
  const deps = { alerts: app.deps.alerts, rules: [] };
  const first = await raiseAlerts([tor('203.0.113.9', 0), tor('203.0.113.9', 1), tor('198.51.100.4', 2)], deps, { detectedAt: new Date(T0), now });
  assert.deepEqual(first, { created: 2, updated: 0, suppressed: 0 });
  const later = await raiseAlerts([tor('203.0.113.9', 30)], deps, { detectedAt: new Date(T0), now });
  assert.deepEqual(later, { created: 0, updated: 1, suppressed: 0 });
  const alerts = await app.deps.alerts.list();
  assert.equal(alerts.length, 2);
  const repeated = alerts.find((a) => a.keyEntities.clientIp === '203.0.113.9');
  assert.equal(repeated?.count, 3);
  assert.equal(repeated?.endTimeUtc, new Date(T0 + 30 * 60_000).toISOString());
  const ids = alerts.map((a) => a.systemAlertId).sort();

  const replayApp = freshApp(azurite);
  await raiseAlerts([tor('203.0.113.9', 0), tor('198.51.100.4', 2)], { alerts: replayApp.deps.alerts, rules: [] }, { detectedAt: new Date(T0), now });
  assert.deepEqual((await replayApp.deps.alerts.list()).map((a) => a.systemAlertId).sort(), ids, 'ids derive from the first finding');
});

test('a closed alert is not reopened: a new finding starts a new alert', async () => {
  const app = freshApp(azurite);
  await raiseAlerts([tor('203.0.113.9', 0)], { alerts: app.deps.alerts, rules: [] }, { detectedAt: new Date(T0), now });
  const [alert] = await app.deps.alerts.list();
  assert.ok(alert);
  const stored = await app.deps.alerts.get(alert.systemAlertId);
  assert.ok(stored);
  await app.deps.alerts.save({ ...alert, status: 'Resolved' }, stored.etag);
  const summary = await raiseAlerts([tor('203.0.113.9', 60)], { alerts: app.deps.alerts, rules: [] }, { detectedAt: new Date(T0), now });
  assert.equal(summary.created, 1);
  assert.equal((await app.deps.alerts.list()).length, 2);
});

test('a suppression rule dismisses a new alert as it is raised, records itself, and its repeats join the dismissed alert', async () => {
  const app = freshApp(azurite);
  const rule: SuppressionRule = {
    id: 'rule-1',
    alertType: 'API_AccessFromTorExitNode',
    entities: { clientIp: '203.0.113.0/24' },
    reason: 'our own red team',
    createdBy: 'analyst@contoso.com',
    createdAt: '2026-06-01T00:00:00.000Z',
    expiresAt: '2026-07-01T00:00:00.000Z',
  };
  const deps = { alerts: app.deps.alerts, rules: [rule] };
  const summary = await raiseAlerts([tor('203.0.113.9', 0), tor('198.51.100.4', 0)], deps, { detectedAt: new Date(T0), now });
  assert.deepEqual(summary, { created: 2, updated: 0, suppressed: 1 });
  await raiseAlerts([tor('203.0.113.9', 5)], deps, { detectedAt: new Date(T0), now });
  const alerts = await app.deps.alerts.list();
  assert.equal(alerts.length, 2);
  const suppressed = alerts.find((a) => a.keyEntities.clientIp === '203.0.113.9');
  assert.equal(suppressed?.status, 'Dismissed');
  assert.equal(suppressed?.suppression?.ruleId, 'rule-1');
  assert.equal(suppressed?.suppression?.reason, 'our own red team');
  assert.equal(suppressed?.count, 2);
  assert.equal(alerts.find((a) => a.keyEntities.clientIp === '198.51.100.4')?.status, 'Active');
});
