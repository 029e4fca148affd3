import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';

import { ApiManagementClient } from '@azure/arm-apimanagement';
import { LogicManagementClient } from '@azure/arm-logic';

import { fakeArmCredential, startFakeArm, type FakeArm } from './fakeArm';

const SUB1 = '00000000-0000-4000-8000-000000000001';
const SUB2 = '00000000-0000-4000-8000-000000000002';
const svc = { subscriptionId: SUB1, resourceGroup: 'rg-1', serviceName: 'apim-1' };

describe('fake ARM server with the real SDKs', () => {
  let fake: FakeArm;
  let apim: ApiManagementClient;

  before(async () => {
    fake = await startFakeArm();
    fake.addService(svc, { name: 'Developer' });
    fake.addApi(svc, 'echo', { operations: ['get-item'] });
    apim = new ApiManagementClient(fakeArmCredential, svc.subscriptionId, fake.clientOptions());
  });
  after(() => fake.stop());

  it('serves the service resource over TLS and sees the bearer token (never recording it)', async () => {
    const service = await apim.apiManagementService.get(svc.resourceGroup, svc.serviceName);
    assert.equal(service.sku.name, 'Developer');
    const last = fake.requests.at(-1);
    assert.ok(last);
    assert.equal(last.method, 'GET');
    assert.equal(last.path, `/subscriptions/${SUB1}/resourceGroups/rg-1/providers/Microsoft.ApiManagement/service/apim-1`);
    assert.equal(last.bearer, true);
    assert.equal(last.headers.authorization, undefined);
    assert.ok(last.query['api-version']);
  });

  it('answers 401 to a request without a bearer token', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(`${fake.url}/subscriptions/${SUB1}/resourceGroups/rg-1/providers/Microsoft.ApiManagement/service/apim-1`, { ca: fake.caCert }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 401);
    assert.equal(fake.requests.at(-1)?.bearer, false);
  });

  it('keeps policies with ETags: stale If-Match → 412, DELETE, 404 when absent', async () => {
    const first = await apim.policy.createOrUpdate(svc.resourceGroup, svc.serviceName, 'policy', { value: '<policies/>', format: 'rawxml' });
    assert.ok(first.eTag);
    const got = await apim.policy.get(svc.resourceGroup, svc.serviceName, 'policy', { format: 'rawxml' });
    assert.equal(got.value, '<policies/>');
    assert.equal(got.format, 'rawxml');
    assert.equal(got.eTag, first.eTag);
    const other = fake.setPolicy(svc, { kind: 'global' }, '<policies><inbound/></policies>');
    await assert.rejects(
      apim.policy.createOrUpdate(svc.resourceGroup, svc.serviceName, 'policy', { value: '<x/>', format: 'rawxml' }, { ifMatch: first.eTag }),
      (e: { statusCode?: number }) => e.statusCode === 412,
    );
    await apim.policy.delete(svc.resourceGroup, svc.serviceName, 'policy', other);
    await assert.rejects(apim.policy.get(svc.resourceGroup, svc.serviceName, 'policy', { format: 'rawxml' }), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it('injects write failures', async () => {
    fake.failNextWrites(1, 500);
    await assert.rejects(
      apim.apiPolicy.createOrUpdate(svc.resourceGroup, svc.serviceName, 'echo', 'policy', { value: '<policies/>', format: 'rawxml' }),
      (e: { statusCode?: number }) => e.statusCode === 500,
    );
    assert.equal(fake.policy(svc, { kind: 'api', apiId: 'echo' }), undefined);
    await apim.apiPolicy.createOrUpdate(svc.resourceGroup, svc.serviceName, 'echo', 'policy', { value: '<policies/>', format: 'rawxml' });
    assert.equal(fake.policy(svc, { kind: 'api', apiId: 'echo' })?.xml, '<policies/>');
  });

  it('404s an unknown API or operation', async () => {
    await assert.rejects(apim.api.get(svc.resourceGroup, svc.serviceName, 'nope'), (e: { statusCode?: number }) => e.statusCode === 404);
    await assert.rejects(
      apim.apiOperationPolicy.get(svc.resourceGroup, svc.serviceName, 'echo', 'nope', 'policy'),
      (e: { statusCode?: number }) => e.statusCode === 404,
    );
  });

  it('lists a trigger callback URL with its sig', async () => {
    const sig = fake.addWorkflow({ subscriptionId: SUB2, resourceGroup: 'rg-2', workflowName: 'wf', triggerName: 'manual' });
    const logic = new LogicManagementClient(fakeArmCredential, SUB2, fake.clientOptions());
    const cb = await logic.workflowTriggers.listCallbackUrl('rg-2', 'wf', 'manual');
    assert.equal(cb.method, 'POST');
    assert.ok(cb.value?.startsWith(`${fake.url}/workflows/`));
    assert.equal(new URL(cb.value ?? '').searchParams.get('sig'), sig);
    assert.equal(cb.queries?.sig, sig);
  });
});
