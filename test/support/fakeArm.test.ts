import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';

import { ApiManagementClient } from '@azure/arm-apimanagement';
import { LogicManagementClient } from '@azure/arm-logic';

import { collect } from '../../shared/azure/apimInventory';
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

  it('lists in pages linked by nextLink, which the SDK follows', async () => {
    const other = { ...svc, serviceName: 'apim-paged' };
    fake.addService(other, { name: 'Premium' }, { virtualNetworkType: 'Internal', publicNetworkAccess: 'Disabled', minApiVersion: '2021-08-01' });
    for (let i = 0; i < 5; i += 1) fake.addApi(other, `api-${i}`, { operations: [{ name: 'get-item', urlTemplate: '/items/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] }] });
    fake.addApi(other, 'api-0;rev=2', { isCurrent: false });
    fake.addProduct(other, 'starter', { apis: ['api-1'], subscriptionRequired: false });
    fake.addSubscription(other, 'everything', { scope: '/apis' });
    fake.setPageSize(2);
    try {
      fake.clearRequests();
      const names: string[] = [];
      for await (const api of apim.api.listByService(svc.resourceGroup, other.serviceName, { filter: 'isCurrent eq true' })) names.push(api.name ?? '');
      assert.deepEqual(names, ['api-0', 'api-1', 'api-2', 'api-3', 'api-4']);
      assert.deepEqual(fake.requests.map((r) => r.query.$skip), [undefined, '2', '4']);
      assert.ok(fake.requests.every((r) => r.query.$filter === 'isCurrent eq true' && r.query['api-version'] !== undefined));
      const all: string[] = [];
      for await (const api of apim.api.listByService(svc.resourceGroup, other.serviceName)) all.push(api.name ?? '');
      assert.equal(all.length, 6, 'without the filter, revisions are listed too');

      const [operation] = await collect(apim.apiOperation.listByApi(svc.resourceGroup, other.serviceName, 'api-3'));
      assert.equal(operation?.urlTemplate, '/items/{id}');
      assert.equal(operation?.templateParameters?.[0]?.name, 'id');
      const product = (await collect(apim.product.listByService(svc.resourceGroup, other.serviceName)))[0];
      assert.equal(product?.subscriptionRequired, false);
      const productApis = await collect(apim.productApi.listByProduct(svc.resourceGroup, other.serviceName, 'starter'));
      assert.deepEqual(productApis.map((a) => a.name), ['api-1']);
      const [subscription] = await collect(apim.subscription.list(svc.resourceGroup, other.serviceName));
      assert.match(subscription?.scope ?? '', /\/service\/apim-paged\/apis$/);

      const service = await apim.apiManagementService.get(svc.resourceGroup, other.serviceName);
      assert.equal(service.virtualNetworkType, 'Internal');
      assert.equal(service.publicNetworkAccess, 'Disabled');
      assert.equal(service.apiVersionConstraint?.minApiVersion, '2021-08-01');
      assert.equal(service.gatewayUrl, 'https://apim-paged.azure-api.net');
    } finally {
      fake.setPageSize(100);
    }
  });

  it('injects throttling and outages on any request, with Retry-After, only where they match', async () => {
    fake.failRequests({ count: 1, status: 429, retryAfterSeconds: 7, match: (r) => r.method === 'GET' && r.path.endsWith('/apis/echo') });
    await apim.apiManagementService.get(svc.resourceGroup, svc.serviceName);
    const throttled = await apim.api.get(svc.resourceGroup, svc.serviceName, 'echo').then(
      () => undefined,
      (e: { statusCode?: number; response?: { headers: { get(name: string): string | undefined } } }) => e,
    );
    assert.equal(throttled?.statusCode, 429);
    assert.equal(throttled?.response?.headers.get('retry-after'), '7');
    assert.equal((await apim.api.get(svc.resourceGroup, svc.serviceName, 'echo')).name, 'echo', 'one failure only');
    fake.failRequests({ count: 1, status: 503 });
    await assert.rejects(apim.apiManagementService.get(svc.resourceGroup, svc.serviceName), (e: { statusCode?: number }) => e.statusCode === 503);
    fake.failRequests({ count: 5, status: 500 });
    fake.clearFailures();
    assert.equal((await apim.apiManagementService.get(svc.resourceGroup, svc.serviceName)).name, 'apim-1', 'cleared failures are not served');
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
