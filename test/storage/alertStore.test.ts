import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { newAlert, type Alert } from '../../shared/core/alerts';
import type { Finding } from '../../shared/core/detectors/finding';
import { makeEndpoint } from '../../shared/core/requestEvent';
import { DomainError } from '../../shared/errors';
import type { AlertStore } from '../../shared/ports';
import { triageAlert } from '../../shared/services/alerts';
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
const now = new Date('2026-06-02T00:00:00Z');
const endpoint = makeEndpoint({ service: 'contoso', apiId: 'Shop', operationId: 'Get-Order', pathTemplate: '' });

function tor(clientIp: string, minutes = 0): Finding {
  const time = T0 + minutes * 60_000;
  return { alertType: 'API_AccessFromTorExitNode', time, endTime: time, entities: { clientIp, endpoint }, observed: clientIp, score: 1, evidence: {} };
}

const isConflict = (error: unknown) => error instanceof DomainError && error.code === 'conflict';

test('writes are conditional: creating twice or replacing with a stale etag is a conflict', async () => {
  const { deps } = freshApp(azurite);
  const alert = newAlert(tor('203.0.113.9'), { detectedAt: new Date(T0) });
  const etag = await deps.alerts.save(alert);
  await assert.rejects(deps.alerts.save(alert), isConflict);
  const newer = await deps.alerts.save({ ...alert, status: 'InProgress' }, etag);
  await assert.rejects(deps.alerts.save({ ...alert, status: 'Dismissed' }, etag), isConflict);
  const stored = await deps.alerts.get(alert.systemAlertId);
  assert.equal(stored?.alert.status, 'InProgress');
  assert.equal(stored?.etag, newer);
  assert.equal(await deps.alerts.get('00000000-0000-8000-8000-000000000000'), undefined);
});

test('listing narrows in the table on severity, status, type, API (any case), time and samples', async () => {
  const { deps } = freshApp(azurite);
  const active = newAlert(tor('203.0.113.9'), { detectedAt: new Date(T0) });
  const sample = newAlert(tor('203.0.113.10', 120), { detectedAt: new Date(T0), isSample: true });
  await deps.alerts.save(active);
  await deps.alerts.save({ ...sample, status: 'Resolved' });
  const idsOf = async (filter: Parameters<AlertStore['list']>[0]) => (await deps.alerts.list(filter)).map((a: Alert) => a.systemAlertId);
  assert.deepEqual(await idsOf({ statuses: ['Active', 'InProgress'] }), [active.systemAlertId]);
  assert.deepEqual(await idsOf({ isSample: true }), [sample.systemAlertId]);
  assert.deepEqual((await idsOf({ apiId: 'SHOP', operationId: 'get-order', alertTypes: ['API_AccessFromTorExitNode'] })).length, 2);
  assert.deepEqual(await idsOf({ alertTypes: ['API_SprayInRequests'] }), []);
  assert.deepEqual(await idsOf({ from: new Date(T0 + 60 * 60_000).toISOString() }), [sample.systemAlertId]);
  assert.deepEqual(await idsOf({ to: new Date(T0 + 60 * 60_000).toISOString(), severities: [active.severity] }), [active.systemAlertId]);
});

test('an analyst triaging an alert while detection aggregates a repeat: neither change is lost', async () => {
  const { deps } = freshApp(azurite);
  await raiseAlerts([tor('203.0.113.9')], { alerts: deps.alerts, rules: [] }, { detectedAt: new Date(T0), now });
  const [alert] = await deps.alerts.list();
  assert.ok(alert);
  // Detection reads the alert, then the analyst writes, then detection writes: the first write loses and is redone.
  let raced = false;
  const racing: AlertStore = {
    byDedupeKey: (key) => deps.alerts.byDedupeKey(key),
    get: (id) => deps.alerts.get(id),
    list: (filter) => deps.alerts.list(filter),
    save: async (next, etag) => {
      if (!raced) {
        raced = true;
        await triageAlert(next.systemAlertId, { owner: 'ana@contoso.com', status: 'InProgress', comment: 'mine' }, 'ana@contoso.com', { alerts: deps.alerts, clock: { now: () => now } });
      }
      return await deps.alerts.save(next, etag);
    },
  };
  const summary = await raiseAlerts([tor('203.0.113.9', 30)], { alerts: racing, rules: [] }, { detectedAt: new Date(T0), now });
  assert.deepEqual(summary, { created: 0, updated: 1, suppressed: 0 });
  const stored = (await deps.alerts.get(alert.systemAlertId))?.alert;
  assert.equal(stored?.count, 2, 'the repeat was aggregated');
  assert.equal(stored?.status, 'InProgress', "the analyst's status survived");
  assert.equal(stored?.owner, 'ana@contoso.com');
  assert.equal((await deps.alerts.list()).length, 1);
});

test('every write queues the alert for export, a creation also for automation, and a failed write queues nothing', async () => {
  const { deps } = freshApp(azurite);
  const alert = newAlert(tor('203.0.113.20'), { detectedAt: new Date(T0) });
  const etag = await deps.alerts.save(alert);
  const queued = async (kind: 'export' | 'automation') => (await deps.outbox.pending(kind, 10)).map((entry) => entry.alertId);
  assert.deepEqual(await queued('export'), [alert.systemAlertId]);
  assert.deepEqual(await queued('automation'), [alert.systemAlertId]);
  const drain = async () => deps.outbox.done([...(await deps.outbox.pending('export', 10)), ...(await deps.outbox.pending('automation', 10))]);
  await drain();
  await deps.alerts.save({ ...alert, status: 'InProgress' }, etag);
  await drain();
  await assert.rejects(deps.alerts.save({ ...alert, status: 'Resolved' }, etag), isConflict);
  assert.deepEqual(await queued('export'), [], 'a write that lost its race queues nothing');
  const current = await deps.alerts.get(alert.systemAlertId);
  await deps.alerts.save({ ...alert, status: 'Resolved' }, current?.etag);
  assert.deepEqual(await queued('export'), [alert.systemAlertId]);
  assert.deepEqual(await queued('automation'), [], 'a change is exported, not automated');
});
