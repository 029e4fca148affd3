/**
 * The dispatcher end to end over the real adapters: the outbox and alerts in Azurite, the export
 * through the real @azure/event-hubs SDK to the fake hub, playbooks through the real
 * @azure/arm-logic client to the fake ARM server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createDependencies, dispatchDependencies, type AppDependencies } from '../../functions/deps';
import { parseConfig } from '../../shared/config';
import type { AlertType } from '../../shared/core/alertTypes';
import {
  applySuppression,
  defenderAlertSchema,
  newAlert,
  newAutomationRuleSchema,
  type Alert,
  type AutomationRule,
  type DefenderAlert,
} from '../../shared/core/alerts';
import { makeEndpoint } from '../../shared/core/requestEvent';
import type { ActionRecord, Logger } from '../../shared/ports';
import { createAutomationRule } from '../../shared/services/automationRules';
import { dispatchAlerts, type DispatchOptions } from '../../shared/services/dispatchAlerts';
import { getHealth } from '../../shared/services/health';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { fakeArmCredential, startFakeArm, type FakeArm, type WorkflowBehaviour } from '../support/fakeArm';
import { startFakeEventHubs, type FakeEventHubs, type StoredEvent } from '../support/fakeEventHubs';

const HUB = 'alert-export';
const SUBSCRIPTION = '00000000-0000-4000-8000-0000000000bb';
const T = Date.parse('2026-06-01T10:00:00Z');
const NOW = new Date('2026-06-01T10:01:00Z');

let azurite: RunningAzurite;
let arm: FakeArm;
let hub: FakeEventHubs;
before(async () => {
  [azurite, arm, hub] = await Promise.all([startAzurite(), startFakeArm(), startFakeEventHubs({ hubName: HUB, partitionCount: 2 })]);
});
after(async () => {
  await Promise.all([azurite.stop(), arm.stop(), hub.stop()]);
});

/** A fresh app (own tables) with the export hub unless told otherwise, and a run that captures log lines. */
function app(options: { exportHub?: boolean } = {}) {
  const config = parseConfig({
    WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString,
    WARDEN_TABLE_PREFIX: azurite.uniquePrefix(),
    ...(options.exportHub === false ? {} : { WARDEN_ALERT_EXPORT_HUB: HUB, WARDEN_ALERT_EXPORT_CONNECTION: hub.connectionString }),
  });
  const deps = createDependencies(config, {
    clock: { now: () => NOW },
    arm: { credential: fakeArmCredential, playbooks: { clientOptions: arm.clientOptions(), tlsOptions: { ca: arm.caCert } } },
    alertExport: { retryOptions: { maxRetries: 0 } },
  });
  const lines: string[] = [];
  const log = (level: string) => (event: string, fields?: Record<string, unknown>) => void lines.push(`${level} ${event} ${JSON.stringify(fields ?? {})}`);
  const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error') };
  const run = (dispatchOptions?: DispatchOptions) => dispatchAlerts(dispatchDependencies(deps, logger), dispatchOptions);
  return { deps, run, lines };
}

function alertOf(alertType: AlertType, clientIp: string, options: { apiId?: string; isSample?: boolean } = {}): Alert {
  const endpoint = makeEndpoint({ service: 'contoso-apim', apiId: options.apiId ?? 'shop-api', operationId: 'get-order', pathTemplate: '' });
  return newAlert(
    { alertType, time: T, endTime: T, entities: { clientIp, endpoint }, observed: clientIp, score: 1, evidence: {} },
    { detectedAt: new Date(T), isSample: options.isSample === true },
  );
}

/** Writes alerts through the store, which queues each write: a creation, or (`created` false) a change of the stored alert. */
async function write(deps: AppDependencies, alerts: Alert[], created = true): Promise<void> {
  for (const alert of alerts) {
    const stored = created ? undefined : await deps.alerts.get(alert.systemAlertId);
    assert.ok(created || stored !== undefined, 'a change needs a stored alert');
    await deps.alerts.save(alert, stored?.etag);
  }
}

function exportedEvents(ids: readonly string[]): StoredEvent[] {
  return ['0', '1'].flatMap((p) => hub.events(p)).filter((e) => ids.includes((e.body as DefenderAlert).SystemAlertId));
}

describe('export to the SIEM hub', () => {
  it('sends every queued alert in Defender\'s export shape, keyed by its dedupe key, and sends an update again, after the first', async () => {
    const { deps, run } = app();
    const alerts = [alertOf('API_AccessFromTorExitNode', '203.0.113.1'), alertOf('API_AccessFromTorExitNode', '203.0.113.2'), alertOf('API_AccessFromSuspiciousIP', '198.51.100.3')];
    await write(deps, alerts);
    const summary = await run();
    assert.equal(summary.exported, 3);
    const ids = alerts.map((a) => a.systemAlertId);
    const events = exportedEvents(ids);
    assert.equal(events.length, 3);
    for (const stored of events) {
      const body = defenderAlertSchema.parse(stored.body);
      const alert = alerts.find((a) => a.systemAlertId === body.SystemAlertId);
      assert.equal(stored.partitionKey, alert?.dedupeKey);
      assert.equal(body.Status, 'New');
    }
    assert.deepEqual(await deps.outbox.pending('export', 10), []);

    const resolved: Alert = { ...(alerts[0] as Alert), status: 'Resolved' };
    await write(deps, [resolved], false);
    assert.equal((await run()).exported, 1);
    const history = exportedEvents([resolved.systemAlertId]);
    assert.deepEqual(history.map((e) => (e.body as DefenderAlert).Status), ['New', 'Resolved']);
    assert.equal(history[0]?.partitionId, history[1]?.partitionId);
    assert.ok((history[1]?.sequenceNumber ?? 0) > (history[0]?.sequenceNumber ?? 0));
  });

  it('keeps the entries queued when the hub fails, records the attempt, and sends everything on the next run', async () => {
    const { deps, run } = app();
    const alerts = ['203.0.113.11', '203.0.113.12', '203.0.113.13'].map((ip) => alertOf('API_AccessFromTorExitNode', ip));
    await write(deps, alerts);
    const ids = alerts.map((a) => a.systemAlertId);
    hub.failNextSends(1);
    const failed = await run();
    assert.equal(failed.exported, 0);
    assert.equal(failed.exportFailed, 1, 'the first batch failed; the rest were not attempted');
    assert.equal(exportedEvents(ids).length, 0);
    const pending = await deps.outbox.pending('export', 10);
    assert.equal(pending.length, 3);
    assert.deepEqual(pending.map((e) => e.attempts).sort(), [0, 0, 1]);
    assert.match(pending.find((e) => e.attempts === 1)?.lastError ?? '', /Sending to Event Hub 'alert-export' failed/);
    const health = await getHealth(deps);
    assert.equal(health.outbox.export.pending, 3);
    assert.equal(health.outbox.export.oldestQueuedAt, NOW.toISOString());

    assert.equal((await run()).exported, 3);
    assert.deepEqual(exportedEvents(ids).map((e) => (e.body as DefenderAlert).SystemAlertId).sort(), [...ids].sort(), 'each alert arrived, once');
    assert.equal((await getHealth(deps)).outbox.export.pending, 0);
  });

  it('drops the entry of an alert that no longer exists', async () => {
    const { deps, run } = app();
    await deps.outbox.enqueue([{ alertId: '00000000-0000-8000-8000-000000000000', created: false }]);
    const summary = await run();
    assert.equal(summary.exportDropped, 1);
    assert.deepEqual(await deps.outbox.pending('export', 10), []);
  });

  it('discards exports when no export hub is configured', async () => {
    const { deps, run } = app({ exportHub: false });
    const alert = alertOf('API_AccessFromTorExitNode', '203.0.113.21');
    await write(deps, [alert]);
    assert.equal((await run()).exportDiscarded, 1);
    assert.deepEqual(await deps.outbox.pending('export', 10), []);
    assert.equal(exportedEvents([alert.systemAlertId]).length, 0);
  });
});

describe('automation rules', () => {
  const workflow = (name: string, behaviour?: WorkflowBehaviour) => {
    const ref = { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-playbooks', workflowName: name, triggerName: 'manual' };
    arm.addWorkflow(ref, behaviour);
    return ref;
  };
  const rule = (deps: AppDependencies, body: Record<string, unknown>): Promise<AutomationRule> =>
    createAutomationRule(newAutomationRuleSchema.parse(body), 'soc@contoso.com', { rules: deps.automationRules, clock: deps.clock });
  const callbacksFor = (workflowName: string) => arm.callbacks.filter((c) => c.workflowName === workflowName).map((c) => (c.body as DefenderAlert).SystemAlertId);
  const playbookAudits = async (deps: AppDependencies): Promise<ActionRecord[]> => (await deps.actions.list(100)).filter((r) => r.kind === 'run-playbook');

  it('runs every enabled matching rule\'s playbook with a new alert in Defender\'s shape; samples only where asked, suppressed alerts never; each run audited', async () => {
    const { deps, run, lines } = app({ exportHub: false });
    const sigs = ['wf-tor', 'wf-samples', 'wf-low', 'wf-disabled', 'wf-delete'].map((name) => arm.addWorkflow({ subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-playbooks', workflowName: name, triggerName: 'manual' }));
    const playbook = (name: string) => ({ subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-playbooks', workflowName: name });
    const tor = await rule(deps, { name: 'Tor on the shop', alertTypes: ['API_AccessFromTorExitNode'], endpoint: { apiId: 'SHOP-*' }, playbook: playbook('wf-tor') });
    const samples = await rule(deps, { name: 'Tor, samples too', alertTypes: ['API_AccessFromTorExitNode'], includeSampleAlerts: true, playbook: playbook('wf-samples') });
    await rule(deps, { name: 'Low only', severities: ['Low'], playbook: playbook('wf-low') });
    await rule(deps, { name: 'Off', enabled: false, playbook: playbook('wf-disabled') });
    await rule(deps, { name: 'Deletes', endpoint: { operationId: 'delete-*' }, playbook: playbook('wf-delete') });

    const real = alertOf('API_AccessFromTorExitNode', '203.0.113.31');
    const sample = alertOf('API_AccessFromTorExitNode', '203.0.113.32', { isSample: true });
    const otherApi = alertOf('API_AccessFromTorExitNode', '203.0.113.33', { apiId: 'billing-api' });
    const suppressed = applySuppression(alertOf('API_AccessFromTorExitNode', '203.0.113.34'), { id: 'sup-1', alertType: '*', entities: { clientIp: '203.0.113.34' }, reason: 'pentest', createdBy: 'x', createdAt: NOW.toISOString() }, NOW);
    await write(deps, [real, sample, otherApi, suppressed]);
    // An update of an existing alert queues no automation.
    await write(deps, [{ ...real, count: 2 }], false);

    const summary = await run();
    assert.equal(summary.playbookRuns, 4);
    assert.deepEqual(callbacksFor('wf-tor'), [real.systemAlertId]);
    assert.deepEqual(callbacksFor('wf-samples').sort(), [real, sample, otherApi].map((a) => a.systemAlertId).sort());
    for (const name of ['wf-low', 'wf-disabled', 'wf-delete']) assert.deepEqual(callbacksFor(name), [], name);
    const posted = arm.callbacks.find((c) => c.workflowName === 'wf-tor')?.body;
    assert.equal(defenderAlertSchema.parse(posted).AlertType, 'API_AccessFromTorExitNode');

    const audits = await playbookAudits(deps);
    assert.equal(audits.length, 4);
    const torAudit = audits.find((r) => r.parameters?.ruleId === tor.id);
    assert.equal(torAudit?.result, 'applied');
    assert.equal(torAudit?.alertId, real.systemAlertId);
    assert.equal(torAudit?.parameters?.workflowName, 'wf-tor');
    assert.equal(torAudit?.parameters?.status, 202);
    assert.match(String(torAudit?.parameters?.runId), /^0858/);
    assert.equal(torAudit?.scope, undefined);
    assert.equal(audits.filter((r) => r.parameters?.ruleId === samples.id).length, 3);
    assert.deepEqual(await deps.outbox.pending('automation', 10), []);
    for (const sig of sigs) assert.ok(!lines.some((line) => line.includes(sig)) && !JSON.stringify(audits).includes(sig), 'no callback signature in logs or audit');
  });

  it('retries transient failures on later runs without running again what succeeded, then gives up and audits it; permanent refusals are final', async () => {
    const { deps, run } = app({ exportHub: false });
    const ok = await rule(deps, { name: 'ok', playbook: workflow('wf-r-ok') });
    const flaky = await rule(deps, { name: 'flaky', playbook: workflow('wf-r-flaky', { status: 503 }) });
    const refused = await rule(deps, { name: 'refused', playbook: workflow('wf-r-400', { status: 400, runId: null }) });
    const missing = await rule(deps, { name: 'missing', playbook: { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-playbooks', workflowName: 'wf-r-ghost' } });
    const alert = alertOf('API_AccessFromSuspiciousIP', '198.51.100.41');
    await write(deps, [alert]);
    const options = { maxAutomationAttempts: 3 };

    const first = await run(options);
    assert.deepEqual([first.playbookRuns, first.playbookFailures, first.automationRetrying], [1, 2, 1]);
    const [queued] = await deps.outbox.pending('automation', 10);
    assert.equal(queued?.attempts, 1);
    assert.deepEqual([...(queued?.settledRules ?? [])].sort(), [ok.id, refused.id, missing.id].sort());
    assert.match(queued?.lastError ?? '', new RegExp(`rule ${flaky.id}: the trigger answered HTTP 503`));
    let audits = await playbookAudits(deps);
    assert.equal(audits.find((r) => r.parameters?.ruleId === refused.id)?.result, 'failed');
    assert.equal(audits.find((r) => r.parameters?.ruleId === refused.id)?.parameters?.status, 400);
    assert.equal(audits.find((r) => r.parameters?.ruleId === missing.id)?.parameters?.status, 404);
    assert.equal(audits.some((r) => r.parameters?.ruleId === flaky.id), false, 'a transient failure is not final, so not audited yet');

    await run(options);
    await run(options);
    assert.deepEqual(callbacksFor('wf-r-ok'), [alert.systemAlertId], 'the playbook that succeeded ran once');
    assert.equal(callbacksFor('wf-r-flaky').length, 3);
    assert.equal(callbacksFor('wf-r-400').length, 1);
    audits = await playbookAudits(deps);
    const gaveUp = audits.find((r) => r.parameters?.ruleId === flaky.id);
    assert.equal(gaveUp?.result, 'failed');
    assert.match(gaveUp?.detail ?? '', /^gave up after 3 attempts: the trigger answered HTTP 503/);
    assert.deepEqual(await deps.outbox.pending('automation', 10), []);
    await run(options);
    assert.equal(callbacksFor('wf-r-flaky').length, 3, 'given up: not tried again');
  });

  it('a throttled playbook runs on a later run once the trigger accepts it', async () => {
    const { deps, run } = app({ exportHub: false });
    const ref = workflow('wf-throttled', { status: 429 });
    await rule(deps, { name: 'throttled', playbook: ref });
    const alert = alertOf('API_AccessFromTorExitNode', '203.0.113.51');
    await write(deps, [alert]);
    assert.equal((await run()).automationRetrying, 1);
    arm.addWorkflow(ref, { status: 202, runId: '08585RECOVERED' });
    assert.equal((await run()).playbookRuns, 1);
    const [audit] = await playbookAudits(deps);
    assert.equal(audit?.result, 'applied');
    assert.equal(audit?.parameters?.runId, '08585RECOVERED');
  });
});
