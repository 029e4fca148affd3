import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';

import { blockIp } from '../../functions/blockIp';
import { createDependencies, setDependencies, type AppDependencies } from '../../functions/deps';
import { allowAnonymous } from '../../functions/allowAnonymous';
import { disableEndpoint } from '../../functions/disableEndpoint';
import { requireSubscription } from '../../functions/requireSubscription';
import { runPlaybook } from '../../functions/runPlaybook';
import { makeEndpoint } from '../../shared/core/requestEvent';
import { raiseAlerts } from '../../shared/services/raiseAlerts';
import { enableEndpoint } from '../../functions/enableEndpoint';
import { rateLimitIp } from '../../functions/rateLimitIp';
import { removeRateLimit } from '../../functions/removeRateLimit';
import { unblockIp } from '../../functions/unblockIp';
import { parseConfig } from '../../shared/config';
import { silentLogger } from '../../shared/ports';
import { expireActions } from '../../shared/services/expireActions';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { fakeArmCredential, startFakeArm, type FakeArm } from '../support/fakeArm';

const service = { subscriptionId: '00000000-0000-0000-0000-0000000000aa', resourceGroup: 'rg-apis', serviceName: 'contoso-apim' };
const USER_POLICY = `<policies>
    <inbound>
        <!-- the team's own allow rule -->
        <ip-filter action="allow">
            <address-range from="10.0.0.0" to="10.255.255.255" />
        </ip-filter>
        <set-header name="X-Trace" exists-action="override">
            <value>@(context.RequestId.ToString())</value>
        </set-header>
    </inbound>
    <backend><forward-request /></backend>
    <outbound><set-body><![CDATA[{"kept": true}]]></set-body></outbound>
    <on-error />
</policies>`;

let azurite: RunningAzurite;
let arm: FakeArm;
let deps: AppDependencies;
before(async () => {
  azurite = await startAzurite();
  arm = await startFakeArm();
  arm.addService(service, { name: 'Developer' });
  arm.addApi(service, 'shop-api', { operations: ['get-order'] });
  arm.addApi(service, 'open-api', { subscriptionRequired: false });
  const config = parseConfig({
    WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString,
    WARDEN_TABLE_PREFIX: azurite.uniquePrefix(),
    WARDEN_APIM_SUBSCRIPTION_ID: service.subscriptionId,
    WARDEN_APIM_RESOURCE_GROUP: service.resourceGroup,
    WARDEN_APIM_SERVICE_NAME: service.serviceName,
    WARDEN_BLOCK_ALLOWLIST: '192.0.2.0/24',
  });
  deps = createDependencies(config, {
    arm: { options: arm.clientOptions(), credential: fakeArmCredential, playbooks: { clientOptions: arm.clientOptions(), tlsOptions: { ca: arm.caCert } } },
  });
  setDependencies(deps);
});
after(async () => {
  setDependencies(undefined);
  await arm.stop();
  await azurite.stop();
});

async function call(handler: typeof blockIp, body: unknown, headers: Record<string, string> = {}): Promise<HttpResponseInit> {
  const request = new HttpRequest({ method: 'POST', url: 'http://localhost/api/actions/block-ip', headers, body: { string: JSON.stringify(body) } });
  return await handler(request, new InvocationContext({ invocationId: 'inv' }));
}

const puts = () => arm.requests.filter((r) => r.method === 'PUT');

test('blocking IPs and a CIDR edits the global policy and keeps everything the user wrote; the action is audited', async () => {
  arm.setPolicy(service, { kind: 'global' }, USER_POLICY);
  arm.clearRequests();
  const response = await call(blockIp, { addresses: ['203.0.113.9', '198.51.100.0/24'], reason: 'spray from alert 42', alertId: 'a-42' }, { 'x-ms-client-principal-name': 'analyst@contoso.com' });
  assert.equal(response.status, 200, JSON.stringify(response.jsonBody));
  const record = response.jsonBody as { result: string; requestedBy: string; etagBefore?: string; etagAfter?: string };
  assert.equal(record.result, 'applied');
  assert.equal(record.requestedBy, 'analyst@contoso.com');
  assert.ok(record.etagBefore && record.etagAfter && record.etagBefore !== record.etagAfter);
  assert.equal(puts().length, 1);
  assert.ok(puts()[0]?.headers['if-match'], 'written with If-Match');
  const stored = arm.policy(service, { kind: 'global' })?.xml ?? '';
  for (const kept of ['the team\'s own allow rule', 'action="allow"', '@(context.RequestId.ToString())', '<![CDATA[{"kept": true}]]>']) {
    assert.ok(stored.includes(kept), `kept ${kept}`);
  }
  assert.match(stored, /<address>203\.0\.113\.9<\/address>/);
  assert.match(stored, /from="198\.51\.100\.0" to="198\.51\.100\.255"/);
  const [audit] = await deps.actions.list(10);
  assert.equal(audit?.alertId, 'a-42');
  assert.equal(audit?.policyBefore, USER_POLICY);
});

test('blocking an already blocked IP changes nothing and writes nothing', async () => {
  arm.clearRequests();
  const response = await call(blockIp, { addresses: ['203.0.113.9'], reason: 'again' });
  assert.equal((response.jsonBody as { result: string }).result, 'no-change');
  assert.equal(puts().length, 0);
});

test('a concurrent writer between read and write: the block is re-applied to their document, nothing is clobbered', async () => {
  arm.failNextWrites(1, 412);
  arm.setPolicy(service, { kind: 'api', apiId: 'shop-api' }, '<policies><inbound><base /><rate-limit calls="5" renewal-period="60" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>');
  arm.clearRequests();
  const response = await call(blockIp, { addresses: ['203.0.113.77'], apiId: 'shop-api', reason: 'enumeration' });
  assert.equal(response.status, 200);
  assert.equal(puts().length, 2, 'the 412 was retried');
  const stored = arm.policy(service, { kind: 'api', apiId: 'shop-api' })?.xml ?? '';
  assert.match(stored, /<rate-limit calls="5"/);
  assert.match(stored, /203\.0\.113\.77/);
});

test('allowlisted and malformed addresses are refused with a 400 naming the field, before any call to APIM', async () => {
  arm.clearRequests();
  const allowlisted = await call(blockIp, { addresses: ['192.0.2.10'], reason: 'oops' });
  assert.equal(allowlisted.status, 400);
  assert.deepEqual((allowlisted.jsonBody as { error: { field: string } }).error.field, 'addresses');
  const malformed = await call(blockIp, { addresses: ['203.0.113.300'], reason: 'typo' });
  assert.equal(malformed.status, 400);
  assert.equal((malformed.jsonBody as { error: { field: string } }).error.field, 'addresses.0');
  const missing = await call(blockIp, { addresses: ['203.0.113.1'] });
  assert.equal((missing.jsonBody as { error: { field: string } }).error.field, 'reason');
  const scope = await call(blockIp, { addresses: ['203.0.113.1'], operationId: 'get-order', reason: 'x' });
  assert.equal((scope.jsonBody as { error: { field: string } }).error.field, 'operationId');
  assert.equal(arm.requests.length, 0);
});

test('unblocking removes only those entries and leaves the rest of the policy', async () => {
  const response = await call(unblockIp, { addresses: ['203.0.113.9'], reason: 'false positive' });
  assert.equal((response.jsonBody as { result: string }).result, 'applied');
  const stored = arm.policy(service, { kind: 'global' })?.xml ?? '';
  assert.doesNotMatch(stored, /203\.0\.113\.9</);
  assert.match(stored, /198\.51\.100\.0/);
  assert.match(stored, /the team's own allow rule/);
});

test('a rate limit on listed client IPs is written at API scope and removed again; bad parameters name their field', async () => {
  const missing = await call(rateLimitIp, { addresses: ['203.0.113.5'], renewalPeriodSeconds: 60, reason: 'x' });
  assert.equal((missing.jsonBody as { error: { field: string } }).error.field, 'calls');
  const tooLong = await call(rateLimitIp, { calls: 10, renewalPeriodSeconds: 301, reason: 'x' });
  assert.equal((tooLong.jsonBody as { error: { field: string } }).error.field, 'renewalPeriodSeconds');

  const applied = await call(rateLimitIp, { addresses: ['203.0.113.5'], calls: 10, renewalPeriodSeconds: 60, apiId: 'shop-api', reason: 'traffic spike' });
  assert.equal(applied.status, 200, JSON.stringify(applied.jsonBody));
  const stored = arm.policy(service, { kind: 'api', apiId: 'shop-api' })?.xml ?? '';
  assert.match(stored, /<rate-limit-by-key calls="10" renewal-period="60"/);
  assert.match(stored, /203\.0\.113\.5/);
  assert.match(stored, /<rate-limit calls="5"/, 'the user\'s own rate limit stays');

  const removed = await call(removeRateLimit, { apiId: 'shop-api', reason: 'over' });
  assert.equal((removed.jsonBody as { result: string }).result, 'applied');
  assert.doesNotMatch(arm.policy(service, { kind: 'api', apiId: 'shop-api' })?.xml ?? '', /rate-limit-by-key/);
});

test('rate limits are refused on the Consumption tier with the alternatives, and nothing is written', async () => {
  const consumption = { ...service, serviceName: 'contoso-consumption' };
  arm.addService(consumption, { name: 'Consumption' });
  const config = parseConfig({
    WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString,
    WARDEN_TABLE_PREFIX: azurite.uniquePrefix(),
    WARDEN_APIM_SUBSCRIPTION_ID: consumption.subscriptionId,
    WARDEN_APIM_RESOURCE_GROUP: consumption.resourceGroup,
    WARDEN_APIM_SERVICE_NAME: consumption.serviceName,
  });
  setDependencies(createDependencies(config, { arm: { options: arm.clientOptions(), credential: fakeArmCredential } }));
  arm.clearRequests();
  const response = await call(rateLimitIp, { calls: 10, renewalPeriodSeconds: 60, reason: 'x' });
  assert.equal(response.status, 409);
  assert.match(JSON.stringify(response.jsonBody), /Consumption tier.*block-ip/);
  assert.equal(puts().length, 0);
  setDependencies(deps);
});

test('disabling an endpoint answers its calls from the gateway; enabling lifts it; both are idempotent', async () => {
  const disabled = await call(disableEndpoint, { apiId: 'shop-api', operationId: 'get-order', statusCode: 503, reason: 'under attack' });
  assert.equal(disabled.status, 200, JSON.stringify(disabled.jsonBody));
  const stored = arm.policy(service, { kind: 'operation', apiId: 'shop-api', operationId: 'get-order' })?.xml ?? '';
  assert.match(stored, /<return-response>/);
  assert.match(stored, /<set-status code="503"/);
  assert.equal(((await call(disableEndpoint, { apiId: 'shop-api', operationId: 'get-order', reason: 'again' })).jsonBody as { result: string }).result, 'no-change');
  const enabled = await call(enableEndpoint, { apiId: 'shop-api', operationId: 'get-order', reason: 'fixed' });
  assert.equal((enabled.jsonBody as { result: string }).result, 'applied');
  assert.doesNotMatch(arm.policy(service, { kind: 'operation', apiId: 'shop-api', operationId: 'get-order' })?.xml ?? '', /return-response/);
  const noOperation = await call(disableEndpoint, { apiId: 'shop-api', reason: 'x' });
  assert.equal((noOperation.jsonBody as { error: { field: string } }).error.field, 'operationId');
});

test('an action with an expiry is undone by the expiry service once its time has passed, and only once', async () => {
  const blocked = await call(blockIp, { addresses: ['203.0.113.200'], reason: 'cool-off', expiresAt: '2030-01-01T00:00:00Z' });
  assert.equal((blocked.jsonBody as { result: string }).result, 'applied');
  assert.match(arm.policy(service, { kind: 'global' })?.xml ?? '', /203\.0\.113\.200/);
  const expiryDeps = (now: string) => ({ policies: deps.policies(), actions: deps.actions, clock: { now: () => new Date(now) }, allowlist: [], logger: silentLogger });

  assert.deepEqual(await expireActions(expiryDeps('2029-12-31T23:59:59Z')), { undone: 0, failed: 0 });
  assert.deepEqual(await expireActions(expiryDeps('2030-01-01T00:00:00Z')), { undone: 1, failed: 0 });
  assert.doesNotMatch(arm.policy(service, { kind: 'global' })?.xml ?? '', /203\.0\.113\.200/);
  const [undo] = await deps.actions.list(1);
  assert.equal(undo?.kind, 'unblock-ip');
  assert.equal(undo?.requestedBy, 'api-warden (expiry)');
  assert.deepEqual(await expireActions(expiryDeps('2030-01-02T00:00:00Z')), { undone: 0, failed: 0 });
});

test('requiring a subscription key on an API flips its setting, is idempotent and undone by allow-anonymous', async () => {
  const required = await call(requireSubscription, { apiId: 'open-api', reason: 'unauthenticated endpoint under attack' });
  assert.equal((required.jsonBody as { result: string }).result, 'applied');
  assert.equal(arm.api(service, 'open-api')?.subscriptionRequired, true);
  assert.equal(((await call(requireSubscription, { apiId: 'open-api', reason: 'again' })).jsonBody as { result: string }).result, 'no-change');
  await call(allowAnonymous, { apiId: 'open-api', reason: 'done' });
  assert.equal(arm.api(service, 'open-api')?.subscriptionRequired, false);
  const missing = await call(requireSubscription, { reason: 'x' });
  assert.equal((missing.jsonBody as { error: { field: string } }).error.field, 'apiId');
});

test('a playbook receives the alert in Defender\'s export shape; its callback signature never reaches the caller', async () => {
  const workflow = { subscriptionId: service.subscriptionId, resourceGroup: 'rg-playbooks', workflowName: 'block-on-alert', triggerName: 'manual' };
  const sig = arm.addWorkflow(workflow);
  const time = Date.parse('2026-06-01T10:00:00Z');
  const endpoint = makeEndpoint({ service: 'contoso-apim', apiId: 'shop-api', operationId: 'get-order', pathTemplate: '' });
  await raiseAlerts(
    [{ alertType: 'API_AccessFromTorExitNode', time, endTime: time, entities: { clientIp: '203.0.113.66', endpoint }, observed: '203.0.113.66', score: 1, evidence: {} }],
    { alerts: deps.alerts, rules: [] },
    { detectedAt: new Date(time), now: new Date(time) },
  );
  const [alert] = await deps.alerts.list();
  assert.ok(alert);
  const response = await call(runPlaybook, { ...workflow, alertId: alert.systemAlertId, reason: 'triage' }, { 'x-ms-client-principal-name': 'analyst@contoso.com' });
  assert.equal(response.status, 200, JSON.stringify(response.jsonBody));
  const answer = response.jsonBody as { status: number; runId: string; actionId: string };
  assert.equal(answer.status, 202);
  assert.doesNotMatch(JSON.stringify(response.jsonBody), new RegExp(sig));
  const posted = arm.callbacks.at(-1)?.body as { AlertType: string; SystemAlertId: string };
  assert.equal(posted.AlertType, 'API_AccessFromTorExitNode');
  assert.equal(posted.SystemAlertId, alert.systemAlertId);
  const audit = (await deps.actions.list(20)).find((record) => record.id === answer.actionId);
  assert.deepEqual(
    { kind: audit?.kind, result: audit?.result, alertId: audit?.alertId, requestedBy: audit?.requestedBy, reason: audit?.reason },
    { kind: 'run-playbook', result: 'applied', alertId: alert.systemAlertId, requestedBy: 'analyst@contoso.com', reason: 'triage' },
  );
  assert.deepEqual(audit?.parameters, { ...workflow, status: 202, runId: answer.runId });
  assert.doesNotMatch(JSON.stringify(audit), new RegExp(sig));

  // A trigger that cannot be found is audited as failed, and answered 404.
  const ghost = await call(runPlaybook, { ...workflow, workflowName: 'ghost', alertId: alert.systemAlertId });
  assert.equal(ghost.status, 404);
  const failed = (await deps.actions.list(20)).find((record) => record.parameters?.workflowName === 'ghost');
  assert.equal(failed?.result, 'failed');
  assert.equal(failed?.parameters?.status, 404);
  assert.match(failed?.detail ?? '', /ghost/);

  assert.equal((await call(runPlaybook, { ...workflow, alertId: 'nope' })).status, 404);
  const bad = await call(runPlaybook, { ...workflow, subscriptionId: 'not-a-guid', alertId: alert.systemAlertId });
  assert.equal((bad.jsonBody as { error: { field: string } }).error.field, 'subscriptionId');
});

test('without an APIM service configured the actions answer 503 with what to set', async () => {
  const config = parseConfig({ WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString, WARDEN_TABLE_PREFIX: azurite.uniquePrefix() });
  setDependencies(createDependencies(config));
  const response = await call(blockIp, { addresses: ['203.0.113.1'], reason: 'x' });
  assert.equal(response.status, 503);
  assert.match(JSON.stringify(response.jsonBody), /WARDEN_APIM_SERVICE_NAME/);
  setDependencies(deps);
});
