import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createApimInventoryReader } from '../../shared/azure/apimInventory';
import { DomainError } from '../../shared/errors';
import { CONTOSO, CONTOSO_ID, POLICY_SECRET, seedContoso } from '../support/apimFixture';
import { fakeArmCredential, startFakeArm, type FakeArm } from '../support/fakeArm';

describe('APIM inventory reader against the fake ARM server (real @azure/arm-apimanagement)', () => {
  let fake: FakeArm;

  before(async () => {
    fake = await startFakeArm();
  });
  after(() => fake.stop());
  beforeEach(() => {
    seedContoso(fake);
    fake.setPageSize(100);
    fake.clearRequests();
  });

  it('reads the service, current APIs with their operations, products, subscriptions and policy facts', async () => {
    const inventory = await createApimInventoryReader(fakeArmCredential, CONTOSO, fake.clientOptions()).read();
    assert.deepEqual(inventory.service, {
      resourceId: CONTOSO_ID,
      gatewayUrl: 'https://contoso-apim.azure-api.net',
      sku: { name: 'Developer', capacity: 1 },
      publicNetworkAccess: 'Enabled',
      virtualNetworkType: 'None',
      minApiVersion: undefined,
      policy: { authentication: [], ipFilter: false, rateLimit: true, warden: [], inheritsInbound: false, fragments: [] },
    });
    assert.deepEqual(
      inventory.apis.map((api) => api.name),
      ['shop-api', 'legacy-api', 'partner-api', 'open-api'],
      'the revision that is not current is left out',
    );
    const shop = inventory.apis[0];
    assert.equal(shop?.displayName, 'Shop');
    assert.equal(shop?.subscriptionRequired, true);
    assert.deepEqual(shop?.protocols, ['https']);
    assert.equal(shop?.serviceUrl, 'https://shop.backend.example.com');
    assert.equal(shop?.policy, undefined, 'no API policy');
    assert.deepEqual(shop?.operations[0], {
      name: 'get-order',
      displayName: 'Get order',
      method: 'GET',
      urlTemplate: '/orders/{orderId}',
      templateParameters: [{ name: 'orderId', type: 'string', required: true }],
      request: { queryParameters: [{ name: 'expand', type: 'string', required: false }] },
      policy: undefined,
    });
    assert.equal(shop?.operations[2]?.policy?.unreadable, true, 'an unreadable policy is recorded as such');
    assert.deepEqual(inventory.apis[1]?.protocols, ['http', 'https']);
    assert.deepEqual(inventory.apis[1]?.operations[1]?.policy?.warden, ['disable']);
    assert.deepEqual(inventory.apis[2]?.policy?.authentication, ['validate-jwt']);
    assert.deepEqual(inventory.products, [
      { name: 'starter', displayName: 'Starter', state: 'published', subscriptionRequired: true, approvalRequired: false, apis: ['shop-api'] },
      { name: 'free', displayName: 'Free', state: 'published', subscriptionRequired: false, approvalRequired: undefined, apis: ['open-api'] },
    ]);
    assert.deepEqual(inventory.subscriptions, {
      total: 3,
      byState: { active: 2, suspended: 1 },
      allApis: [
        { name: 'ops-everything', displayName: 'Ops', state: 'active', scope: `${CONTOSO_ID}/apis` },
        { name: 'old-everything', displayName: 'old-everything', state: 'suspended', scope: `${CONTOSO_ID}/apis` },
      ],
    });
    assert.ok(!JSON.stringify(inventory).includes(POLICY_SECRET), 'no policy XML is kept');

    const policyReads = fake.requests.filter((r) => r.path.endsWith('/policies/policy'));
    assert.equal(policyReads.length, 1 + 4 + 7, 'global, each API, each operation');
    assert.ok(policyReads.every((r) => r.method === 'GET' && r.query.format === 'rawxml'));
    assert.equal(fake.requests.find((r) => r.path.endsWith('/apis'))?.query.$filter, 'isCurrent eq true');
  });

  it('follows nextLink through every paged listing', async () => {
    fake.setPageSize(1);
    const inventory = await createApimInventoryReader(fakeArmCredential, CONTOSO, fake.clientOptions()).read();
    assert.equal(inventory.apis.length, 4);
    assert.equal(inventory.apis[0]?.operations.length, 3);
    assert.equal(inventory.products?.length, 2);
    assert.equal(inventory.subscriptions?.total, 3);
    const pages = (suffix: string) => fake.requests.filter((r) => r.path.endsWith(suffix)).map((r) => r.query.$skip ?? '0');
    assert.deepEqual(pages('/service/contoso-apim/apis'), ['0', '1', '2', '3']);
    assert.deepEqual(pages('/apis/shop-api/operations'), ['0', '1', '2']);
    assert.deepEqual(pages('/service/contoso-apim/subscriptions'), ['0', '1', '2']);
  });

  it('an unknown service is a not_found error naming it', async () => {
    const reader = createApimInventoryReader(fakeArmCredential, { ...CONTOSO, serviceName: 'ghost' }, fake.clientOptions());
    await assert.rejects(reader.read(), (e: unknown) => e instanceof DomainError && e.code === 'not_found' && /'ghost'/.test(e.message));
  });
});
