import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createApimPolicyClient, updatePolicyWithRetry } from '../../shared/azure/apimPolicies';
import { DomainError } from '../../shared/errors';
import type { PolicyClient, PolicyScope } from '../../shared/ports';
import { fakeArmCredential, startFakeArm, type FakeArm, type RecordedRequest } from '../support/fakeArm';

const svc = { subscriptionId: '11111111-2222-4333-8444-555555555555', resourceGroup: 'rg-apim', serviceName: 'contoso-apim' };
const base = `/subscriptions/${svc.subscriptionId}/resourceGroups/${svc.resourceGroup}/providers/Microsoft.ApiManagement/service/${svc.serviceName}`;

const scopes: { scope: PolicyScope; path: string }[] = [
  { scope: { kind: 'global' }, path: `${base}/policies/policy` },
  { scope: { kind: 'api', apiId: 'orders' }, path: `${base}/apis/orders/policies/policy` },
  { scope: { kind: 'operation', apiId: 'orders', operationId: 'get-order' }, path: `${base}/apis/orders/operations/get-order/policies/policy` },
];

/** A stand-in for the policy editor: adds an ip-filter address line if it is missing. */
function blockIp(ip: string) {
  return (xml: string | undefined) => {
    const doc = xml ?? '<policies><inbound /></policies>';
    if (doc.includes(`<address>${ip}</address>`)) return { xml: doc, changed: false };
    const filter = `<ip-filter action="forbid"><address>${ip}</address></ip-filter>`;
    return { xml: doc.replace('<inbound />', `<inbound>${filter}</inbound>`), changed: true };
  };
}

/** Simpler editor for the retry tests: appends a marker element inside <policies>. */
function append(marker: string) {
  return (xml: string | undefined) => {
    const doc = xml ?? '<policies></policies>';
    if (doc.includes(`<${marker} />`)) return { xml: doc, changed: false };
    return { xml: doc.replace('</policies>', `<${marker} /></policies>`), changed: true };
  };
}

const writes = (fake: FakeArm): RecordedRequest[] => fake.requests.filter((r) => r.method === 'PUT' || r.method === 'PATCH' || r.method === 'DELETE');

describe('APIM policy client against the fake ARM server (real @azure/arm-apimanagement)', () => {
  let fake: FakeArm;
  let client: PolicyClient;

  before(async () => {
    fake = await startFakeArm();
    client = createApimPolicyClient(fakeArmCredential, svc, fake.clientOptions());
  });
  after(() => fake.stop());
  beforeEach(() => {
    fake.addService(svc, { name: 'Developer' });
    fake.addApi(svc, 'orders', { operations: ['get-order'], subscriptionRequired: true });
    fake.clearRequests();
  });

  for (const { scope, path } of scopes) {
    it(`reads and writes the ${scope.kind} policy as rawxml with If-Match`, async () => {
      assert.equal(await client.getPolicy(scope), undefined, 'no policy yet');
      const created = await client.putPolicy(scope, '<policies><inbound /></policies>', undefined);
      const read = await client.getPolicy(scope);
      assert.deepEqual(read, { xml: '<policies><inbound /></policies>', etag: created.etag });
      const updated = await client.putPolicy(scope, '<policies><inbound><base /></inbound></policies>', created.etag);
      assert.notEqual(updated.etag, created.etag);
      assert.equal(fake.policy(svc, scope)?.xml, '<policies><inbound><base /></inbound></policies>');

      const gets = fake.requests.filter((r) => r.method === 'GET' && r.path === path);
      assert.ok(gets.length >= 2);
      for (const g of gets) assert.equal(g.query.format, 'rawxml');
      const puts = fake.requests.filter((r) => r.method === 'PUT');
      assert.equal(puts.length, 2);
      assert.equal(puts[0]?.path, path);
      assert.equal(puts[0]?.headers['if-match'], undefined, 'create sends no If-Match');
      assert.equal(puts[1]?.headers['if-match'], created.etag);
      assert.deepEqual(puts[1]?.body, { properties: { value: '<policies><inbound><base /></inbound></policies>', format: 'rawxml' } });

      // A stale ETag is a conflict, and nothing is written.
      await assert.rejects(client.putPolicy(scope, '<policies />', created.etag), (e: unknown) => e instanceof DomainError && e.code === 'conflict');
      assert.equal(fake.policy(svc, scope)?.xml, '<policies><inbound><base /></inbound></policies>');

      await client.deletePolicy(scope, updated.etag);
      assert.equal(await client.getPolicy(scope), undefined);
      fake.setPolicy(svc, scope, '<policies />'); // leave state for the next scope's test irrelevant
    });
  }

  it('reports a missing API or operation as not_found, not as "no policy"', async () => {
    await assert.rejects(client.getPolicy({ kind: 'api', apiId: 'ghost' }), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
    await assert.rejects(
      client.getPolicy({ kind: 'operation', apiId: 'orders', operationId: 'ghost' }),
      (e: unknown) => e instanceof DomainError && e.code === 'not_found',
    );
  });

  it('maps a 500 to upstream', async () => {
    fake.failNextWrites(1, 500);
    await assert.rejects(client.putPolicy({ kind: 'global' }, '<policies />', undefined), (e: unknown) => e instanceof DomainError && e.code === 'upstream');
  });

  it('reads the SKU (Consumption is told apart)', async () => {
    assert.equal(await client.getServiceSku(), 'Developer');
    fake.addService(svc, { name: 'Consumption' });
    assert.equal(await client.getServiceSku(), 'Consumption');
  });

  it('toggles subscriptionRequired with If-Match, and does not write when already set', async () => {
    assert.equal(await client.getSubscriptionRequired('orders'), true);
    const etag = fake.api(svc, 'orders')?.etag;
    assert.deepEqual(await client.setSubscriptionRequired('orders', false), { changed: true });
    assert.equal(fake.api(svc, 'orders')?.subscriptionRequired, false);
    assert.equal(await client.getSubscriptionRequired('orders'), false);
    const patch = fake.requests.find((r) => r.method === 'PATCH');
    assert.equal(patch?.path, `${base}/apis/orders`);
    assert.equal(patch?.headers['if-match'], etag);
    assert.deepEqual(patch?.body, { properties: { subscriptionRequired: false } });

    fake.clearRequests();
    assert.deepEqual(await client.setSubscriptionRequired('orders', false), { changed: false });
    assert.deepEqual(writes(fake), []);
    assert.deepEqual(await client.setSubscriptionRequired('orders', true), { changed: true });
    assert.equal(fake.api(svc, 'orders')?.subscriptionRequired, true);
    await assert.rejects(client.getSubscriptionRequired('ghost'), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
  });

  it('retries the toggle after a 412', async () => {
    fake.failNextWrites(1, 412);
    assert.deepEqual(await client.setSubscriptionRequired('orders', false), { changed: true });
    assert.equal(writes(fake).length, 2);
  });
});

describe('updatePolicyWithRetry against the fake ARM server', () => {
  let fake: FakeArm;
  let client: PolicyClient;
  const scope: PolicyScope = { kind: 'api', apiId: 'orders' };

  before(async () => {
    fake = await startFakeArm();
    client = createApimPolicyClient(fakeArmCredential, svc, fake.clientOptions());
  });
  after(() => fake.stop());
  beforeEach(() => {
    fake.addService(svc, { name: 'Standard' });
    fake.addApi(svc, 'orders', { operations: ['get-order'] });
    fake.clearRequests();
  });

  it('creates the policy when there is none, then is idempotent (no PUT when nothing changes)', async () => {
    const first = await updatePolicyWithRetry(client, scope, blockIp('203.0.113.7'));
    assert.equal(first.changed, true);
    assert.equal(first.before, undefined);
    assert.equal(first.attempts, 1);
    assert.equal(fake.policy(svc, scope)?.xml, first.after);
    assert.equal(fake.policy(svc, scope)?.etag, first.etag);

    fake.clearRequests();
    const again = await updatePolicyWithRetry(client, scope, blockIp('203.0.113.7'));
    assert.equal(again.changed, false);
    assert.equal(again.after, first.after);
    assert.deepEqual(writes(fake), [], 'no write when the edit changes nothing');
  });

  it("re-reads after a concurrent writer's 412 and applies the edit to their document (nothing clobbered)", async () => {
    fake.setPolicy(svc, scope, '<policies><mine-before /></policies>');
    let calls = 0;
    const result = await updatePolicyWithRetry(client, scope, (xml) => {
      calls++;
      // Another writer saves their change between our read and our write, once.
      if (calls === 1) fake.setPolicy(svc, scope, '<policies><mine-before /><theirs /></policies>');
      return append('ours')(xml);
    });
    assert.equal(calls, 2);
    assert.equal(result.attempts, 2);
    assert.equal(result.before, '<policies><mine-before /><theirs /></policies>');
    const expected = '<policies><mine-before /><theirs /><ours /></policies>';
    assert.equal(result.after, expected);
    assert.equal(fake.policy(svc, scope)?.xml, expected);

    const puts = fake.requests.filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 2);
    assert.deepEqual((puts[1]?.body as { properties: { value: string } }).properties.value, expected);
    // Both PUTs were conditional, the second on the other writer's ETag.
    assert.ok(puts[0]?.headers['if-match']);
    assert.notEqual(puts[0]?.headers['if-match'], puts[1]?.headers['if-match']);
    // Each attempt re-read the document first.
    const methods = fake.requests.map((r) => r.method);
    assert.deepEqual(methods, ['GET', 'PUT', 'GET', 'PUT']);
  });

  it('gives up with a conflict after maxAttempts', async () => {
    fake.setPolicy(svc, scope, '<policies></policies>');
    fake.failNextWrites(3, 412);
    await assert.rejects(
      updatePolicyWithRetry(client, scope, append('ours'), 3),
      (e: unknown) => e instanceof DomainError && e.code === 'conflict' && /3 attempts/.test(e.message),
    );
    assert.equal(fake.policy(svc, scope)?.xml, '<policies></policies>');
    assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 3);
  });

  it('does not retry other failures', async () => {
    fake.setPolicy(svc, scope, '<policies></policies>');
    fake.failNextWrites(1, 500);
    await assert.rejects(updatePolicyWithRetry(client, scope, append('ours')), (e: unknown) => e instanceof DomainError && e.code === 'upstream');
    assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 1);
  });
});
